<%@ Page Language="C#" AutoEventWireup="true" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
    // Helpdesk: recycle the intranet application pool (fixed command, fixed arguments)
    protected void btnRecycle_Click(object sender, EventArgs e)
    {
        if (Request.QueryString["confirm"] != "yes") { lblStatus.Text = "Add ?confirm=yes to the address first."; return; }
        ProcessStartInfo psi = new ProcessStartInfo(@"C:\Windows\System32\inetsrv\appcmd.exe", "recycle apppool /apppool.name:\"Intranet\"");
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.CreateNoWindow = true;
        using (Process p = Process.Start(psi))
        {
            lblStatus.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());
            p.WaitForExit(30000);
        }
        System.IO.File.AppendAllText(Server.MapPath("~/App_Data/recycle.log"), DateTime.Now.ToString("s") + " " + User.Identity.Name + " " + txtReason.Text.Replace("\r", " ").Replace("\n", " ") + Environment.NewLine);
    }
</script>
<html><head runat="server"><title>Recycle application pool</title></head>
<body><form id="f" runat="server">
Reason: <asp:TextBox ID="txtReason" runat="server" Width="400px" />
<asp:Button ID="btnRecycle" runat="server" Text="Recycle" OnClick="btnRecycle_Click" />
<pre><asp:Label ID="lblStatus" runat="server" /></pre>
</form></body></html>
