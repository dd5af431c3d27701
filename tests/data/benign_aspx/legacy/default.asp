<%@ Language=VBScript %>
<% Option Explicit %>
<!--#include file="inc/header.inc"-->
<%
Dim who
who = Trim(Request.QueryString("name"))
If who = "" Then who = "colleague"
%>
<h1>Welcome, <%= Server.HTMLEncode(who) %></h1>
<p>Today is <%= FormatDateTime(Now(), vbLongDate) %>.</p>
<ul>
<li><a href="guestbook.asp">Guest book</a></li>
<li><a href="mail.asp">Contact the service desk</a></li>
</ul>
