<%@ WebHandler Language="C#" Class="Ping" %>
using System.Web;
public class Ping : IHttpHandler
{
    public void ProcessRequest(HttpContext c) { c.Response.ContentType = "text/plain"; c.Response.Write("pong"); }
    public bool IsReusable { get { return true; } }
}
