<%@ Page Language="C#" AutoEventWireup="true" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    static readonly string[] Images = { ".png", ".jpg", ".jpeg", ".gif" };
    protected void btnUpload_Click(object sender, EventArgs e)
    {
        if (!fuAvatar.HasFile) { lblMsg.Text = "Choose a picture first."; return; }
        string ext = Path.GetExtension(fuAvatar.FileName).ToLowerInvariant();
        if (Array.IndexOf(Images, ext) < 0 || fuAvatar.PostedFile.ContentLength > 512 * 1024)
        {
            lblMsg.Text = "Pictures only (png, jpg, gif), at most 512 KB.";
            return;
        }
        string folder = Server.MapPath("~/App_Data/avatars");
        Directory.CreateDirectory(folder);
        string name = Guid.NewGuid().ToString("N") + ext;
        fuAvatar.SaveAs(Path.Combine(folder, name));
        Session["avatar"] = name;
        lblMsg.Text = "Saved.";
    }
</script>
<html><head runat="server"><title>My picture</title></head>
<body><form id="f" runat="server" enctype="multipart/form-data">
<asp:FileUpload ID="fuAvatar" runat="server" accept="image/*" />
<asp:Button ID="btnUpload" runat="server" Text="Upload" OnClick="btnUpload_Click" />
<asp:Label ID="lblMsg" runat="server" />
</form></body></html>
