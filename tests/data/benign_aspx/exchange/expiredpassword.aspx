<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.ExpiredPassword" %>
<%@ Import namespace="Microsoft.Exchange.Clients"%>
<%@ Import namespace="Microsoft.Exchange.HttpProxy"%>
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; CHARSET=utf-8">
<title><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.OutlookWebApp)%></title>
<link type="text/css" rel="stylesheet" href="<%=InlineCssUrl("logon.css")%>">
</head>
<body class="signInBg">
<form action="expiredpassword.aspx" method="POST" autocomplete="off">
<input type="hidden" name="url" value="<%=EncodingUtilities.HtmlEncode(Request.QueryString["url"])%>">
<div class="signInHeader"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.PasswordExpired)%></div>
<div><input id="username" name="username" type="text" value="<%=EncodingUtilities.HtmlEncode(Request.Form["username"])%>"></div>
<div><input id="oldPwd" name="oldPwd" type="password"></div>
<div><input id="newPwd1" name="newPwd1" type="password"></div>
<div><input id="newPwd2" name="newPwd2" type="password"></div>
<% if (PasswordChangeFailed) { %>
<div class="wrng"><%=LocalizedStrings.GetHtmlEncoded(FailureReasonStringId)%></div>
<% } %>
<input type="submit" class="btn" value="<%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.Submit)%>">
</form>
</body>
</html>
