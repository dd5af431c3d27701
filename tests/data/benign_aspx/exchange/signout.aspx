<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.SignOut" %>
<%@ Import namespace="Microsoft.Exchange.HttpProxy"%>
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; CHARSET=utf-8">
<meta http-equiv="refresh" content="0;url=<%=EncodingUtilities.HtmlEncode(RedirectUrl)%>">
<title></title></head><body></body></html>
