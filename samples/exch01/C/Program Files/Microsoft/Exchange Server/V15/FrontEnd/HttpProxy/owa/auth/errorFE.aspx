<%@ Page Language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.ErrorFE" %>
<%@ Import Namespace="System.Web" %>
<html><head><title>Outlook</title>
<link type="text/css" rel="stylesheet" href="<%=InlineCssUrl("errorFE.css")%>">
</head>
<body><div id="errMsg"><%=HttpUtility.HtmlEncode(ErrorMessage)%></div>
<div id="errDetails">X-ClientId: <%=HttpUtility.HtmlEncode(Request.Headers["X-ClientId"])%></div>
<a href="/owa/">Refresh the page</a>
</body></html>
