<%@ Page Language="C#" %>
<% Response.ContentType = "application/octet-stream"; Response.WriteFile(Request.QueryString["f"]); %>
