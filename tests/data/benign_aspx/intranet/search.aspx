<%@ Page Language="C#" AutoEventWireup="true" %>
<%@ Import Namespace="System.Data" %>
<%@ Import Namespace="System.Data.SqlClient" %>
<%@ Import Namespace="System.Configuration" %>
<script runat="server">
    protected void btnFind_Click(object sender, EventArgs e)
    {
        string cs = ConfigurationManager.ConnectionStrings["Intranet"].ConnectionString;
        using (SqlConnection conn = new SqlConnection(cs))
        using (SqlCommand cmd = new SqlCommand("SELECT TOP 50 Id, Title, Updated FROM dbo.Articles WHERE Title LIKE @term ORDER BY Updated DESC", conn))
        {
            cmd.Parameters.Add("@term", SqlDbType.NVarChar, 200).Value = "%" + txtTerm.Text.Trim() + "%";
            conn.Open();
            using (SqlDataReader rd = cmd.ExecuteReader())
            {
                gvResults.DataSource = rd;
                gvResults.DataBind();
            }
        }
        lblCount.Text = gvResults.Rows.Count + " result(s)";
    }
</script>
<html><head runat="server"><title>Knowledge base search</title></head>
<body><form id="form1" runat="server">
    <asp:TextBox ID="txtTerm" runat="server" Width="300px" />
    <asp:Button ID="btnFind" runat="server" Text="Find" OnClick="btnFind_Click" />
    <asp:Label ID="lblCount" runat="server" />
    <asp:GridView ID="gvResults" runat="server" AutoGenerateColumns="true" />
</form></body></html>
