<%@ WebHandler Language="C#" Class="StatusHandler" %>
using System;
using System.Web;
using System.Web.Script.Serialization;

public class StatusHandler : IHttpHandler
{
    public void ProcessRequest(HttpContext context)
    {
        string team = context.Request.QueryString["team"] ?? "all";
        var payload = new
        {
            team = team,
            updated = DateTime.UtcNow.ToString("o"),
            html = "<ul><li>Mail: OK</li><li>VPN: OK</li><li>Printing: degraded</li></ul>"
        };
        context.Response.ContentType = "application/json";
        context.Response.Cache.SetCacheability(HttpCacheability.NoCache);
        context.Response.Write(new JavaScriptSerializer().Serialize(payload));
    }
    public bool IsReusable { get { return true; } }
}
