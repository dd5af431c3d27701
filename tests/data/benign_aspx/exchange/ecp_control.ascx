<%@ Control Language="C#" AutoEventWireup="true" CodeBehind="MailboxUsage.ascx.cs" Inherits="Microsoft.Exchange.Management.ControlPanel.MailboxUsageControl" %>
<%@ Register TagPrefix="ecp" Namespace="Microsoft.Exchange.Management.ControlPanel.WebControls" Assembly="Microsoft.Exchange.Management.ControlPanel" %>
<div class="MailboxUsage">
    <ecp:EcpLabel ID="lblUsage" runat="server" Text="<%$ Strings:MailboxUsageLabel %>" />
    <ecp:ProgressBar ID="barUsage" runat="server" />
</div>
