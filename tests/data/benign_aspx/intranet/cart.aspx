<%@ Page Language="C#" AutoEventWireup="true" EnableSessionState="True" %>
<%@ Import Namespace="System.Collections.Generic" %>
<script runat="server">
    List<string> Cart
    {
        get
        {
            if (Session["cart"] == null) Session["cart"] = new List<string>();
            return (List<string>)Session["cart"];
        }
    }
    protected void Page_Load(object sender, EventArgs e)
    {
        Session["lastVisit"] = DateTime.Now;
        if (!IsPostBack) Bind();
    }
    protected void btnAdd_Click(object sender, EventArgs e)
    {
        string item = ddlItems.SelectedValue;
        if (!string.IsNullOrEmpty(item) && !Cart.Contains(item)) Cart.Add(item);
        Bind();
    }
    protected void btnClear_Click(object sender, EventArgs e)
    {
        Session.Remove("cart");
        Bind();
    }
    void Bind()
    {
        lstCart.DataSource = Cart;
        lstCart.DataBind();
        lblUser.Text = Server.HtmlEncode(Convert.ToString(Session["displayName"] ?? User.Identity.Name));
    }
</script>
<html><head runat="server"><title>Office supplies</title></head>
<body><form id="f" runat="server">
Hello <asp:Label ID="lblUser" runat="server" />
<asp:DropDownList ID="ddlItems" runat="server">
    <asp:ListItem Value="pens">Pens (10)</asp:ListItem><asp:ListItem Value="paper">Paper (A4, 500)</asp:ListItem><asp:ListItem Value="toner">Toner</asp:ListItem>
</asp:DropDownList>
<asp:Button ID="btnAdd" runat="server" Text="Add" OnClick="btnAdd_Click" />
<asp:Button ID="btnClear" runat="server" Text="Empty cart" OnClick="btnClear_Click" />
<asp:BulletedList ID="lstCart" runat="server" />
</form></body></html>
