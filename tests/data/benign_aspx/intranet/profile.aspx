<%@ Page Language="VB" AutoEventWireup="true" MasterPageFile="~/Site.master" Title="My profile" %>
<%@ Import Namespace="System.Data.SqlClient" %>
<%@ Import Namespace="System.Configuration" %>
<script runat="server">
    Protected Sub Page_Load(ByVal sender As Object, ByVal e As EventArgs)
        If Not IsPostBack Then
            Using conn As New SqlConnection(ConfigurationManager.ConnectionStrings("Intranet").ConnectionString)
                Dim cmd As New SqlCommand("SELECT Phone, Office FROM dbo.Contacts WHERE Login = @login", conn)
                cmd.Parameters.AddWithValue("@login", User.Identity.Name)
                conn.Open()
                Using rd As SqlDataReader = cmd.ExecuteReader()
                    If rd.Read() Then
                        txtPhone.Text = rd("Phone").ToString()
                        txtOffice.Text = rd("Office").ToString()
                    End If
                End Using
            End Using
        End If
    End Sub
    Protected Sub btnSave_Click(ByVal sender As Object, ByVal e As EventArgs)
        Using conn As New SqlConnection(ConfigurationManager.ConnectionStrings("Intranet").ConnectionString)
            Dim cmd As New SqlCommand("UPDATE dbo.Contacts SET Phone = @p, Office = @o WHERE Login = @login", conn)
            cmd.Parameters.AddWithValue("@p", txtPhone.Text.Trim())
            cmd.Parameters.AddWithValue("@o", txtOffice.Text.Trim())
            cmd.Parameters.AddWithValue("@login", User.Identity.Name)
            conn.Open()
            cmd.ExecuteNonQuery()
        End Using
        Session("profileSaved") = DateTime.Now
        lblSaved.Text = "Saved."
    End Sub
</script>
<asp:Content ID="c" ContentPlaceHolderID="MainContent" runat="server">
    Phone <asp:TextBox ID="txtPhone" runat="server" /> Office <asp:TextBox ID="txtOffice" runat="server" />
    <asp:Button ID="btnSave" runat="server" Text="Save" OnClick="btnSave_Click" /><asp:Label ID="lblSaved" runat="server" />
</asp:Content>
