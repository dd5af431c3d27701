<%@ Language=VBScript %>
<%
' Operator page: rotates the web logs with the fixed maintenance script.
If Request("confirm") = "yes" Then
    Dim sh, rc
    Set sh = Server.CreateObject("WScript.Shell")
    rc = sh.Run("C:\Scripts\rotate-logs.cmd", 0, True)
    Response.Write "Rotation finished with code " & rc
Else
    Response.Write "<a href=""rotate_logs.asp?confirm=yes"">Rotate the logs now</a>"
End If
%>
