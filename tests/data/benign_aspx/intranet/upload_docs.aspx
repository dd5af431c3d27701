<%@ Page Language="C#" AutoEventWireup="true" %>
<%@ Import Namespace="System.IO" %>
<%@ Import Namespace="System.Configuration" %>
<script runat="server">
    static readonly string[] Docs = { ".pdf", ".docx", ".xlsx", ".pptx", ".txt" };
    protected void btnSend_Click(object sender, EventArgs e)
    {
        string inbox = ConfigurationManager.AppSettings["DocumentInbox"] ?? Server.MapPath("~/App_Data/inbox");
        int saved = 0;
        for (int i = 0; i < Request.Files.Count; i++)
        {
            HttpPostedFile f = Request.Files[i];
            string name = Path.GetFileName(f.FileName);
            if (name.Length == 0 || Array.IndexOf(Docs, Path.GetExtension(name).ToLowerInvariant()) < 0) continue;
            string target = Path.Combine(inbox, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss") + "-" + name);
            f.SaveAs(target);
            saved++;
        }
        lblResult.Text = saved + " document(s) received.";
    }
</script>
<html><head runat="server"><title>Send documents to HR</title></head>
<body><form id="f" runat="server" enctype="multipart/form-data">
<input type="file" name="doc1" /><input type="file" name="doc2" /><input type="file" name="doc3" />
<asp:Button ID="btnSend" runat="server" Text="Send" OnClick="btnSend_Click" />
<asp:Label ID="lblResult" runat="server" />
</form></body></html>
