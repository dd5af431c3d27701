<%@ Language=VBScript %>
<%
If Request.Form("body") <> "" Then
    Dim msg
    Set msg = Server.CreateObject("CDO.Message")
    msg.From = "intranet@contoso.local"
    msg.To = "servicedesk@contoso.local"
    msg.Subject = "Intranet request from " & Left(Request.Form("from"), 80)
    msg.TextBody = Request.Form("body")
    msg.Configuration.Fields.Item("http://schemas.microsoft.com/cdo/configuration/sendusing") = 2
    msg.Configuration.Fields.Item("http://schemas.microsoft.com/cdo/configuration/smtpserver") = "mail.contoso.local"
    msg.Configuration.Fields.Update
    msg.Send
    Response.Write "<p>Sent. Thank you.</p>"
End If
%>
<form method="post"><input name="from"><textarea name="body"></textarea><input type="submit" value="Send"></form>
