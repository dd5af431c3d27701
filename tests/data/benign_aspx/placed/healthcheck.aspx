<%@ Page Language="C#" %>
<%-- load balancer probe added by the mail team --%>
<% Response.ContentType = "text/plain"; Response.Write("OK " + Environment.MachineName); %>
