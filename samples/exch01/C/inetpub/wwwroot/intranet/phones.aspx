<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
  protected void Page_Load(object sender, EventArgs e) {
    string dept = Server.HtmlEncode(Request.QueryString["dept"] ?? "all");
    using (StreamWriter w = File.AppendText(Server.MapPath("~/App_Data/visits.log"))) {
      w.WriteLine(DateTime.UtcNow.ToString("o") + " " + dept);
    }
    title.Text = "Phone list: " + dept;
  }
</script>
<html><body><h1><asp:Literal id="title" runat="server" /></h1></body></html>
