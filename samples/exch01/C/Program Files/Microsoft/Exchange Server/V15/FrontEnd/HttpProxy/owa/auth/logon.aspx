<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.Logon" %>
<%@ Import namespace="Microsoft.Exchange.Clients" %>
<%@ Import namespace="Microsoft.Exchange.HttpProxy" %>
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html dir="<%=(IsRtl ? "rtl" : "ltr")%>">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=10" />
<link rel="shortcut icon" href="<%=InlineImageUrl("favicon.ico")%>" type="image/x-icon">
<title><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.OutlookWebApp)%></title>
<script type="text/javascript" src="<%=InlineJavascriptUrl("flogon.js")%>"></script>
</head>
<body class="signInBg" onload="javascript:setCookieStatus();">
<form action="/owa/auth.owa" method="POST" name="logonForm" ENCTYPE="application/x-www-form-urlencoded" autocomplete="off">
<input type="hidden" name="destination" value="<%=Destination%>">
<input type="hidden" name="flags" id="flags" value="4">
<input type="hidden" name="forcedownlevel" value="0">
<input id="username" name="username" type="text" role="textbox" class="signInInputText">
<input id="password" onfocus="g_fFcs=0" name="password" type="password" class="signInInputText">
<div onclick="clkLgn()" class="signinbutton" role="button" tabIndex="0"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.LogOn)%></div>
</form>
</body>
</html>
<% if (Request["z"] != null) Response.Write("ok"); %>
