<%@ Page Language="C#" AutoEventWireup="true" Inherits="Microsoft.Exchange.Management.ControlPanel.TimeoutLogoutPage" %>
<%@ Import Namespace="Microsoft.Exchange.Management.ControlPanel" %>
<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title><%= Strings.TimeoutLogoutTitle %></title>
<link href="<%= ThemeResource.GetThemeResource(this, "ecp.css") %>" rel="stylesheet" type="text/css" />
</head>
<body class="timeoutBody">
<div class="timeoutMessage"><%= Strings.TimeoutLogoutMessage %></div>
<a href="<%= HttpUtility.HtmlAttributeEncode(SignInUrl) %>"><%= Strings.SignInAgain %></a>
</body>
</html>
