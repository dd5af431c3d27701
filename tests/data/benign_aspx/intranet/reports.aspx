<%@ Page Language="C#" AutoEventWireup="true" %>
<%@ Import Namespace="System.Reflection" %>
<%@ Import Namespace="System.Collections.Generic" %>
<script runat="server">
    // Report plug-ins live in one fixed assembly; the query string picks one of a fixed list.
    static readonly Dictionary<string, string> Reports = new Dictionary<string, string> {
        { "headcount", "Contoso.Reporting.HeadcountReport" },
        { "leave", "Contoso.Reporting.LeaveReport" },
        { "budget", "Contoso.Reporting.BudgetReport" }
    };
    protected void Page_Load(object sender, EventArgs e)
    {
        string key = Request.QueryString["r"] ?? "headcount";
        string typeName;
        if (!Reports.TryGetValue(key, out typeName)) { Response.StatusCode = 404; return; }
        Assembly asm = Assembly.Load("Contoso.Reporting, Version=2.1.0.0, Culture=neutral, PublicKeyToken=3d5c2a1b9f8e7d6c");
        Type t = asm.GetType(typeName, true);
        object report = Activator.CreateInstance(t);
        MethodInfo render = t.GetMethod("Render", new Type[] { typeof(HttpContext) });
        litReport.Text = (string)render.Invoke(report, new object[] { Context });
        Session["lastReport"] = key;
    }
</script>
<html><head runat="server"><title>Reports</title></head>
<body><form id="f" runat="server"><asp:Literal ID="litReport" runat="server" /></form></body></html>
