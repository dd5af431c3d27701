<%@ WebService Language="C#" Class="Microsoft.Exchange.Services.Wcf.LegacyExchangeService, Microsoft.Exchange.Services" %>
