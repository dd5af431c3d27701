<%@ Page Language="C#" AutoEventWireup="true" %>
<script runat="server">
  protected void Page_Load(object sender, EventArgs e) {
    Response.Cache.SetCacheability(HttpCacheability.NoCache);
    Response.Redirect("/ecp/", false);
  }
</script>
<html><body>You have been signed out because of inactivity.</body></html>
