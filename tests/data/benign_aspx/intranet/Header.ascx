<%@ Control Language="C#" AutoEventWireup="true" %>
<script runat="server">
    protected void Page_Load(object sender, EventArgs e)
    {
        lnkUser.Text = Server.HtmlEncode(Context.User.Identity.Name);
        lnkUser.NavigateUrl = "~/profile.aspx";
        pnlAdmin.Visible = Context.User.IsInRole("CONTOSO\\Intranet Admins");
    }
</script>
<header>
    <a href="~/" runat="server">Home</a> | <a href="~/contacts.aspx" runat="server">Contacts</a>
    <asp:Panel ID="pnlAdmin" runat="server" CssClass="admin"><a href="~/admin/recycle.aspx" runat="server">Admin</a></asp:Panel>
    <asp:HyperLink ID="lnkUser" runat="server" />
</header>
