<%@ Page Language="C#" AutoEventWireup="true" %>
<script runat="server">
    protected void Page_Load(object sender, EventArgs e)
    {
        lblUpdated.Text = DateTime.Now.ToString("f");
        hdnFilter.Value = Server.HtmlEncode(Request.QueryString["team"] ?? "all");
    }
</script>
<html><head runat="server"><title>Service status</title>
<script language="javascript" type="text/javascript">
    // old-style client code: the status feed is a JavaScript literal
    function refresh() {
        var request = new XMLHttpRequest();
        request.open("GET", "api/status.ashx?team=" + encodeURIComponent(document.getElementById("hdnFilter").value), true);
        request.onreadystatechange = function () {
            if (request.readyState == 4 && request.status == 200) {
                var data = eval("(" + request.responseText + ")");
                document.getElementById("board").innerHTML = data.html;
            }
        };
        request.send(null);
    }
    window.setInterval(refresh, 60000);
</script>
</head>
<body onload="refresh()"><form id="f" runat="server">
<asp:HiddenField ID="hdnFilter" runat="server" />
<div id="board"></div>
Updated <asp:Label ID="lblUpdated" runat="server" />
</form></body></html>
