<%@ Page Language="C#" %>
<script runat="server">
    protected void Page_Load(object sender, EventArgs e)
    {
        // the employee handbook, always the same file
        string path = Server.MapPath("~/docs/handbook-2021.pdf");
        Response.Clear();
        Response.ContentType = "application/pdf";
        Response.AddHeader("Content-Disposition", "attachment; filename=handbook-2021.pdf");
        Response.WriteFile(path);
        Response.End();
    }
</script>
