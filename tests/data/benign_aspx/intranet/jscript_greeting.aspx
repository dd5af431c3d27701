<%@ Page Language="JScript" AutoEventWireup="true" %>
<script runat="server">
function Page_Load(sender : Object, e : EventArgs) {
    var name : String = Request.QueryString["name"];
    if (name == null) name = "visitor";
    var total = eval("6 * 7");
    greeting.Text = "Hello, " + Server.HtmlEncode(name) + ". The answer is " + total + ".";
}
</script>
<html><body><form runat="server"><asp:Label id="greeting" runat="server" /></form></body></html>
