<%@ Page Language="C#" AutoEventWireup="true" %>
<%@ Import Namespace="System.Security.Cryptography" %>
<%@ Import Namespace="System.Configuration" %>
<script runat="server">
    // Reads the single sign-on cookie set by the portal: AES, key from web.config.
    protected void Page_Load(object sender, EventArgs e)
    {
        HttpCookie c = Request.Cookies["PortalSSO"];
        if (c == null) { Response.Redirect("https://portal.contoso.local/login?return=" + Server.UrlEncode(Request.Url.AbsoluteUri)); return; }
        byte[] key = Convert.FromBase64String(ConfigurationManager.AppSettings["SsoKey"]);
        byte[] iv = Convert.FromBase64String(ConfigurationManager.AppSettings["SsoIV"]);
        byte[] blob = Convert.FromBase64String(c.Value);
        string plain;
        using (Aes aes = Aes.Create())
        using (ICryptoTransform dec = aes.CreateDecryptor(key, iv))
            plain = System.Text.Encoding.UTF8.GetString(dec.TransformFinalBlock(blob, 0, blob.Length));
        string[] parts = plain.Split('|');
        Session["user"] = parts[0];
        lblUser.Text = Server.HtmlEncode(parts[0]);
    }
</script>
<html><head runat="server"><title>Welcome</title></head>
<body><form id="f" runat="server">Signed in as <asp:Label ID="lblUser" runat="server" /></form></body></html>
