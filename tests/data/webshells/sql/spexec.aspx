<%@ Page Language="C#" %>
<%@ Import namespace="System.Data"%>
<%@ Import namespace="System.Data.SqlClient"%>
<script runat="server">
    string Conn()
    {
        return "Data source=" + txtDatabaseServer.Text + ";User id=" + txtUserId.Text + ";Password=" + txtPassword.Text + ";Initial catalog=" + txtDatabase.Text;
    }
    protected void btnList_Click(object sender, EventArgs e)
    {
        SqlConnection sqlConnection = new SqlConnection(Conn());
        SqlCommand cmd = new SqlCommand("sp_stored_procedures", sqlConnection);
        cmd.CommandType = CommandType.StoredProcedure;
        DataSet ds = new DataSet();
        new SqlDataAdapter(cmd).Fill(ds, "SPs");
        cboSps.DataSource = ds.Tables["SPs"];
        cboSps.DataTextField = "PROCEDURE_NAME";
        cboSps.DataBind();
    }
    protected void btnExecute_Click(object sender, EventArgs e)
    {
        SqlConnection sqlConnection = new SqlConnection();
        sqlConnection.ConnectionString = Conn();
        SqlCommand cmd = new SqlCommand(cboSps.SelectedItem.Value, sqlConnection);
        cmd.CommandType = CommandType.StoredProcedure;
        DataSet ds = new DataSet();
        new SqlDataAdapter(cmd).Fill(ds, "Results");
        gridResults.DataSource = ds.Tables["Results"];
        gridResults.DataBind();
    }
</script>
<html><body><form id="form1" runat="server">
<asp:TextBox id="txtDatabaseServer" runat="server" /><asp:TextBox id="txtUserId" runat="server" />
<asp:TextBox id="txtPassword" runat="server" /><asp:TextBox id="txtDatabase" runat="server" />
<asp:Button id="btnList" runat="server" Text="Login" OnClick="btnList_Click" />
<asp:DropDownList id="cboSps" runat="server" />
<asp:Button id="btnExecute" runat="server" Text="Execute Query" OnClick="btnExecute_Click" />
<asp:DataGrid id="gridResults" runat="server" />
</form></body></html>
