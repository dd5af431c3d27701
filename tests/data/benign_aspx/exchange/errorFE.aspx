<%@ Page Language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.ErrorFE" %>
<%@ Import Namespace="System.Web" %>
<%@ Import Namespace="Microsoft.Exchange.HttpProxy" %>
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title><%=HttpUtility.HtmlEncode(PageTitle)%></title>
<link type="text/css" rel="stylesheet" href="<%=InlineCssUrl("errorFE.css")%>">
</head>
<body>
<div id="errPage">
    <div id="errTitle"><%=HttpUtility.HtmlEncode(ErrorTitle)%></div>
    <div id="errMsg"><%=HttpUtility.HtmlEncode(ErrorMessage)%></div>
    <div id="errDetails">
        X-ClientId: <%=HttpUtility.HtmlEncode(Request.Headers["X-ClientId"])%><br>
        request-id: <%=HttpUtility.HtmlEncode(RequestId)%><br>
        X-OWA-Error: <%=HttpUtility.HtmlEncode(ErrorCode)%><br>
        X-OWA-Version: <%=HttpUtility.HtmlEncode(OwaVersion)%><br>
        X-FEServer: <%=HttpUtility.HtmlEncode(Environment.MachineName)%><br>
        Date: <%=DateTime.UtcNow.ToString("R")%>
    </div>
    <a href="<%=HttpUtility.HtmlAttributeEncode(RefreshUrl)%>"><%=HttpUtility.HtmlEncode(RefreshText)%></a>
</div>
</body>
</html>
