<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="DeliveryReport.aspx.cs" Inherits="Microsoft.Exchange.Management.ControlPanel.Reporting.DeliveryReportPage" MasterPageFile="~/Reporting/Reporting.master" %>
<%@ Register TagPrefix="ecp" Namespace="Microsoft.Exchange.Management.ControlPanel.WebControls" Assembly="Microsoft.Exchange.Management.ControlPanel" %>
<%@ Import Namespace="Microsoft.Exchange.Management.ControlPanel" %>
<asp:Content ID="contentMain" ContentPlaceHolderID="ContentPlaceHolder" runat="server">
    <ecp:ToolBar ID="toolbar" runat="server" />
    <div class="ReportHeader"><%= Strings.DeliveryReportTitle %></div>
    <ecp:EcpCollectionEditor ID="ceRecipients" runat="server" DataSourceID="dsRecipients" />
    <ecp:WebServiceListSource ID="dsRecipients" runat="server" ServiceUrl="DDI/DDIService.svc?schema=MessageTracking" />
    <% if (Request.QueryString["mbx"] != null) { %>
    <input type="hidden" id="hdnMailbox" value="<%= HttpUtility.HtmlAttributeEncode(Request.QueryString["mbx"]) %>" />
    <% } %>
</asp:Content>
