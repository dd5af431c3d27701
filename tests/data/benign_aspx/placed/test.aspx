<%@ Page Language="C#" Trace="true" %>
<html><body>
<h3>ASP.NET test page</h3>
<p>Framework <%= Environment.Version %>, server <%= Server.MachineName %>, user <%= Server.HtmlEncode(User.Identity.Name) %></p>
</body></html>
