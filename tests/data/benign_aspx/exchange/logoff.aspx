<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.Logoff" %>
<%@ Import namespace="Microsoft.Exchange.Clients"%>
<%@ Import namespace="Microsoft.Exchange.HttpProxy"%>
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; CHARSET=utf-8">
<meta name="Robots" content="NOINDEX, NOFOLLOW">
<title><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.OutlookWebApp)%></title>
<link type="text/css" rel="stylesheet" href="<%=InlineCssUrl("logon.css")%>">
<script type="text/javascript">
    function clrCookies() { var rgCk = document.cookie.split(";"); for (var i = 0; i < rgCk.length; i++) { document.cookie = rgCk[i].split("=")[0] + "=; expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"; } }
</script>
</head>
<body class="signInBg" onload="clrCookies()">
<div class="logoff">
    <div class="signInHeader"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.LogoffMessage)%></div>
<% if (ShouldCloseWindow) { %>
    <div class="signInText"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.CloseWindowMessage)%></div>
<% } else { %>
    <div class="signInText"><a href="<%=EncodingUtilities.HtmlEncode(LogonUrl)%>"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.LogOnAgain)%></a></div>
<% } %>
</div>
</body>
</html>
