<%@ Page Language="C#" AutoEventWireup="true" %>
<script runat="server">
    protected void btnLogin_Click(object sender, EventArgs e)
    {
        if (Membership.ValidateUser(txtUser.Text, txtPassword.Text))
        {
            FormsAuthentication.RedirectFromLoginPage(txtUser.Text, chkRemember.Checked);
        }
        else
        {
            lblError.Text = "Unknown user name or wrong password.";
        }
    }
</script>
<html><head runat="server"><title>Sign in</title></head>
<body><form id="f" runat="server" defaultbutton="btnLogin">
<asp:TextBox ID="txtUser" runat="server" /><asp:TextBox ID="txtPassword" runat="server" TextMode="Password" />
<asp:CheckBox ID="chkRemember" runat="server" Text="Stay signed in" />
<asp:Button ID="btnLogin" runat="server" Text="Sign in" OnClick="btnLogin_Click" />
<asp:Label ID="lblError" runat="server" CssClass="error" />
</form></body></html>
