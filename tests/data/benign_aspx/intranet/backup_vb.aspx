<%@ Page Language="VB" AutoEventWireup="true" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
    ' Starts the nightly backup script by hand (fixed script, no arguments)
    Protected Sub btnStart_Click(ByVal sender As Object, ByVal e As EventArgs)
        Dim psi As New ProcessStartInfo("C:\Scripts\nightly-backup.cmd")
        psi.UseShellExecute = False
        psi.CreateNoWindow = True
        Process.Start(psi)
        lblInfo.Text = "Backup started at " & DateTime.Now.ToString("t") & " by " & Server.HtmlEncode(User.Identity.Name)
        If txtNote.Text <> "" Then lblInfo.Text &= " (" & Server.HtmlEncode(txtNote.Text) & ")"
    End Sub
</script>
<html><head runat="server"><title>Backup</title></head>
<body><form id="f" runat="server">
Note: <asp:TextBox ID="txtNote" runat="server" />
<asp:Button ID="btnStart" runat="server" Text="Start backup now" OnClick="btnStart_Click" />
<asp:Label ID="lblInfo" runat="server" />
</form></body></html>
