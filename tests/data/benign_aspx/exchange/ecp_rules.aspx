<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="TransportRule.aspx.cs" Inherits="Microsoft.Exchange.Management.ControlPanel.RulesEditor.TransportRulePage" MasterPageFile="~/Common/Popup.master" EnableViewState="false" %>
<%@ Register TagPrefix="ecp" Namespace="Microsoft.Exchange.Management.ControlPanel.WebControls" Assembly="Microsoft.Exchange.Management.ControlPanel" %>
<asp:Content ID="ruleContent" ContentPlaceHolderID="ResultPanelPlaceHolder" runat="server">
    <ecp:RuleEditor ID="ruleEditor" runat="server" ServiceUrl="~/RulesEditor/TransportRules.svc" SupportAdvancedMode="true" />
    <ecp:PropertyPageSheet ID="sheet" runat="server" HasChanges="false" />
</asp:Content>
