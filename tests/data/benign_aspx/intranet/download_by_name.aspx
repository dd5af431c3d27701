<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    static readonly string[] Allowed = { ".pdf", ".docx", ".xlsx" };
    protected void Page_Load(object sender, EventArgs e)
    {
        string name = Path.GetFileName(Request.QueryString["f"] ?? "");
        string folder = Server.MapPath("~/files/forms");
        string full = Path.Combine(folder, name);
        if (name.Length == 0 || Array.IndexOf(Allowed, Path.GetExtension(name).ToLowerInvariant()) < 0 || !File.Exists(full))
        {
            Response.StatusCode = 404;
            return;
        }
        Response.ContentType = MimeMapping.GetMimeMapping(name);
        Response.AddHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
        Response.TransmitFile(full);
    }
</script>
