<%@ Page Language="C#" AutoEventWireup="true" MasterPageFile="~/Site.master" Title="Contacts" %>
<script runat="server">
    protected void Page_Load(object sender, EventArgs e)
    {
        if (!IsPostBack)
        {
            txtSearch.Text = Request.QueryString["q"] ?? "";
        }
    }
    protected void btnSearch_Click(object sender, EventArgs e)
    {
        gvContacts.PageIndex = 0;
        gvContacts.DataBind();
    }
</script>
<asp:Content ID="main" ContentPlaceHolderID="MainContent" runat="server">
    <h2>Company contacts</h2>
    <asp:TextBox ID="txtSearch" runat="server" MaxLength="64" placeholder="Name or department" />
    <asp:Button ID="btnSearch" runat="server" Text="Search" OnClick="btnSearch_Click" />
    <asp:GridView ID="gvContacts" runat="server" DataSourceID="dsContacts" AutoGenerateColumns="false" AllowPaging="true" PageSize="25" CssClass="grid">
        <Columns>
            <asp:BoundField DataField="DisplayName" HeaderText="Name" SortExpression="DisplayName" />
            <asp:BoundField DataField="Department" HeaderText="Department" />
            <asp:BoundField DataField="Phone" HeaderText="Phone" />
            <asp:HyperLinkField DataTextField="Email" DataNavigateUrlFields="Email" DataNavigateUrlFormatString="mailto:{0}" HeaderText="E-mail" />
        </Columns>
    </asp:GridView>
    <asp:SqlDataSource ID="dsContacts" runat="server" ConnectionString="<%$ ConnectionStrings:Intranet %>"
        SelectCommand="SELECT DisplayName, Department, Phone, Email FROM dbo.Contacts WHERE DisplayName LIKE '%' + @q + '%' OR Department LIKE '%' + @q + '%' ORDER BY DisplayName">
        <SelectParameters>
            <asp:ControlParameter Name="q" ControlID="txtSearch" PropertyName="Text" ConvertEmptyStringToNull="false" />
        </SelectParameters>
    </asp:SqlDataSource>
</asp:Content>
