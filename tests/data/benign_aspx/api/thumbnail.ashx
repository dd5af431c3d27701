<%@ WebHandler Language="C#" Class="Thumbnail" %>
using System;
using System.IO;
using System.Web;

public class Thumbnail : IHttpHandler
{
    public void ProcessRequest(HttpContext context)
    {
        string folder = context.Server.MapPath("~/App_Data/thumbs");
        string name = Path.GetFileName(context.Request["img"] ?? "");
        string path = Path.Combine(folder, name);
        if (name.Length == 0 || !path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentType = "image/png";
        context.Response.Cache.SetMaxAge(TimeSpan.FromHours(1));
        context.Response.BinaryWrite(File.ReadAllBytes(path));
    }
    public bool IsReusable { get { return true; } }
}
