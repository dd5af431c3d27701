<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.Logon" %>
<%@ Import namespace="Microsoft.Exchange.Clients"%>
<%@ Import namespace="Microsoft.Exchange.Clients.Owa.Core"%>
<%@ Import namespace="Microsoft.Exchange.HttpProxy"%>
<%@ Import namespace="System.Web"%>
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html dir="<%=(IsRtl ? "rtl" : "ltr")%>">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=10" />
<link rel="shortcut icon" href="<%=InlineImageUrl("favicon.ico")%>" type="image/x-icon">
<meta http-equiv="Content-Type" content="text/html; CHARSET=utf-8">
<meta name="Robots" content="NOINDEX, NOFOLLOW">
<title><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.OutlookWebApp)%></title>
<style>
<% if (IsDownLevelClient) { %>
.mouse, .twoCol, .twoColLogo, .hidden-submit { display: none; }
<% } %>
</style>
<script type="text/javascript" src="<%=InlineJavascriptUrl("flogon.js")%>"></script>
<script type="text/javascript">
    <!--
    var a_fRC = 1;
    var g_fFcs = 1;
    var a_fLOff = 0;
    var a_fCAC = <%=IsChangePasswordLogoff ? 1 : 0%>;
    var a_fEnbSMm = <%=ShowPublicPrivateSelection ? 1 : 0%>;
    /// <summary>Is Mime Control installed?</summary>
    function IsMimeCtlInst(progid) { if (!a_fEnbSMm) return false; var oMimeVer = null; try { oMimeVer = new ActiveXObject(progid); } catch (e) { } return oMimeVer != null; }
    -->
</script>
</head>
<body class="signInBg<%= IsRtl ? " rtl" : "" %>" style="background: #333333 url('<%=InlineImageUrl("lgnbg.png")%>') repeat-x" onload="javascript:setCookieStatus();">
<noscript>
    <div id="dvErr"><table cellpadding="0" cellspacing="0"><tr><td><img src="<%=InlineImageUrl("warn.png")%>" alt=""></td>
    <td style="width:100%"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.NoScriptMessage)%></td></tr></table></div>
</noscript>
<form action="/owa/auth.owa" method="POST" name="logonForm" ENCTYPE="application/x-www-form-urlencoded" autocomplete="off">
<input type="hidden" name="destination" value="<%=EncodingUtilities.HtmlEncode(Destination)%>">
<input type="hidden" name="flags" id="flags" value="4">
<input type="hidden" name="forcedownlevel" value="0">
<div id="mainLogonDiv" class="mouse">
    <div class="signInInputLabel" id="userNameLabel" aria-hidden="true"><%=LocalizedStrings.GetHtmlEncoded(LoginOnDomain ? Strings.IDs.DomainUserName : Strings.IDs.UserName)%></div>
    <div><input id="username" name="username" type="text" role="textbox" class="signInInputText" aria-labelledby="userNameLabel"></div>
    <div class="signInInputLabel" id="passwordLabel" aria-hidden="true"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.Password)%></div>
    <div><input id="password" onfocus="g_fFcs=0" name="password" type="password" class="signInInputText" aria-labelledby="passwordLabel"></div>
    <div class="signInEnter">
        <div onclick="clkLgn()" class="signinbutton" role="button" tabIndex="0"><span class="signinTxt"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.LogOn)%></span></div>
    </div>
<% if (ShowPublicPrivateSelection) { %>
    <div class="showPasswordCheck signInCheckBoxText"><input type="checkbox" id="showPasswordCheck" class="chk"><span><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.ShowPassword)%></span></div>
<% } %>
    <div id="expltxt" class="wrng"><%=(Reason == LogonReason.InvalidCredentials ? LocalizedStrings.GetHtmlEncoded(Strings.IDs.InvalidCredentialsMessage) : string.Empty)%></div>
</div>
</form>
</body>
</html>
