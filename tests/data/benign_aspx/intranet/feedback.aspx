<%@ Page Language="C#" AutoEventWireup="true" ValidateRequest="true" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    protected void Page_Load(object sender, EventArgs e)
    {
        if (Request.HttpMethod != "POST") return;
        string name = (Request.Form["name"] ?? "").Trim();
        string email = (Request.Form["email"] ?? "").Trim();
        string text = (Request.Form["message"] ?? "").Replace("\r", " ").Replace("\n", " ");
        if (text.Length == 0) { msg.InnerText = "Please write something."; return; }
        string log = Server.MapPath("~/App_Data/feedback.txt");
        File.AppendAllText(log, string.Format("{0:s}\t{1}\t{2}\t{3}{4}", DateTime.Now, name, email, text, Environment.NewLine));
        using (StreamWriter w = new StreamWriter(Server.MapPath("~/App_Data/feedback-count.txt"), false))
            w.Write(File.ReadAllLines(log).Length);
        msg.InnerText = "Thank you, " + name + ".";
    }
</script>
<html><head runat="server"><title>Feedback</title></head>
<body>
<form method="post" action="feedback.aspx">
<input type="text" name="name" placeholder="Name" /> <input type="text" name="email" placeholder="E-mail" />
<textarea name="message" rows="5" cols="60"></textarea>
<input type="submit" value="Send" />
</form>
<p id="msg" runat="server"></p>
</body></html>
