<%@ WebHandler Language="C#" Class="LookupHandler" %>
using System;
using System.Collections.Generic;
using System.Configuration;
using System.Data.SqlClient;
using System.Web;
using System.Web.Script.Serialization;

public class LookupHandler : IHttpHandler
{
    public void ProcessRequest(HttpContext context)
    {
        string term = (context.Request.QueryString["term"] ?? "").Trim();
        var names = new List<string>();
        if (term.Length >= 2)
        {
            using (var conn = new SqlConnection(ConfigurationManager.ConnectionStrings["Intranet"].ConnectionString))
            using (var cmd = new SqlCommand("SELECT TOP 10 DisplayName FROM dbo.Contacts WHERE DisplayName LIKE @t + '%'", conn))
            {
                cmd.Parameters.AddWithValue("@t", term);
                conn.Open();
                using (var rd = cmd.ExecuteReader())
                    while (rd.Read()) names.Add(rd.GetString(0));
            }
        }
        context.Response.ContentType = "application/json";
        context.Response.Write(new JavaScriptSerializer().Serialize(names));
    }
    public bool IsReusable { get { return true; } }
}
