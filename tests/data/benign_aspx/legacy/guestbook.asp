<%@ Language=VBScript %>
<%
Option Explicit
Const adCmdText = 1, adVarWChar = 202, adParamInput = 1
Dim conn, cmd, rs
Set conn = Server.CreateObject("ADODB.Connection")
conn.Open "Provider=SQLOLEDB;Data Source=SQL01;Initial Catalog=Legacy;Integrated Security=SSPI"
If Request.Form("message") <> "" Then
    Set cmd = Server.CreateObject("ADODB.Command")
    Set cmd.ActiveConnection = conn
    cmd.CommandType = adCmdText
    cmd.CommandText = "INSERT INTO Guestbook (Author, Message, Posted) VALUES (?, ?, GETDATE())"
    cmd.Parameters.Append cmd.CreateParameter("a", adVarWChar, adParamInput, 100, Left(Request.Form("author"), 100))
    cmd.Parameters.Append cmd.CreateParameter("m", adVarWChar, adParamInput, 2000, Left(Request.Form("message"), 2000))
    cmd.Execute
End If
Set rs = conn.Execute("SELECT TOP 20 Author, Message, Posted FROM Guestbook ORDER BY Posted DESC")
Do While Not rs.EOF
    Response.Write "<p><b>" & Server.HTMLEncode(rs("Author")) & "</b>: " & Server.HTMLEncode(rs("Message")) & "</p>"
    rs.MoveNext
Loop
rs.Close
conn.Close
%>
<form method="post"><input name="author"><textarea name="message"></textarea><input type="submit" value="Sign"></form>
