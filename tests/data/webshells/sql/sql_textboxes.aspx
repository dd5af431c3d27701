<%@ Page Language="C#" %>
<%@ Import namespace="System.Data"%>
<%@ Import namespace="System.Data.SqlClient"%>
<script runat="server">
    protected void btnRun_Click(object sender, EventArgs e)
    {
        using (SqlConnection conn = new SqlConnection())
        {
            conn.ConnectionString = "Data Source=" + txtServer.Text + ";User ID=" + txtUser.Text + ";Password=" + txtPass.Text + ";Initial Catalog=" + txtDb.Text;
            try
            {
                conn.Open();
                SqlDataAdapter da = new SqlDataAdapter(new SqlCommand(txtQuery.Text, conn));
                DataSet ds = new DataSet();
                da.Fill(ds);
                grid.DataSource = ds.Tables[0];
                grid.DataBind();
            }
            catch (SqlException ex) { lblStatus.Text = ex.Message; }
        }
    }
</script>
<html><body><form id="f" runat="server">
Server <asp:TextBox id="txtServer" runat="server" /> User <asp:TextBox id="txtUser" runat="server" />
Password <asp:TextBox id="txtPass" runat="server" /> Database <asp:TextBox id="txtDb" runat="server" />
<asp:TextBox id="txtQuery" runat="server" TextMode="MultiLine" />
<asp:Button id="btnRun" runat="server" Text="Execute" OnClick="btnRun_Click" />
<asp:Label id="lblStatus" runat="server" /><asp:GridView id="grid" runat="server" />
</form></body></html>
