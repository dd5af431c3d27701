<%@ Page Language="C#" %>
<html><body>Server time: <%= DateTime.Now.ToString("u") %></body></html>
