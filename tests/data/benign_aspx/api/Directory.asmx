<%@ WebService Language="C#" Class="Contoso.Intranet.DirectoryService" %>
using System;
using System.Configuration;
using System.Data.SqlClient;
using System.Web.Services;

namespace Contoso.Intranet
{
    [WebService(Namespace = "http://intranet.contoso.local/directory")]
    public class DirectoryService : WebService
    {
        [WebMethod(Description = "Phone number of a colleague")]
        public string GetPhone(string login)
        {
            using (var conn = new SqlConnection(ConfigurationManager.ConnectionStrings["Intranet"].ConnectionString))
            using (var cmd = new SqlCommand("SELECT Phone FROM dbo.Contacts WHERE Login = @l", conn))
            {
                cmd.Parameters.AddWithValue("@l", login);
                conn.Open();
                return Convert.ToString(cmd.ExecuteScalar());
            }
        }
    }
}
