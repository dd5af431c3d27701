<%@ Page Language="C#" AutoEventWireup="false" EnableViewState="false" Inherits="Microsoft.Exchange.Clients.Owa2.Server.Web.DefaultPageBase" %>
<%@ Import Namespace="Microsoft.Exchange.Clients.Owa2.Server.Web" %>
<!DOCTYPE html>
<html lang="<%=UserLanguage%>" dir="<%=(IsRtl ? "rtl" : "ltr")%>">
<head>
    <meta http-equiv="X-UA-Compatible" content="IE=edge" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title><%=PageTitle%></title>
    <link rel="shortcut icon" href="<%=FavIconUrl%>" type="image/x-icon" />
    <script type="text/javascript">
        var appCachedPage = <%=IsAppCacheEnabledClient ? "true" : "false"%>;
        var scriptStart = new Date().getTime();
        window.owaPreloadStart = scriptStart;
    </script>
    <%=RenderScripts()%>
</head>
<body class="<%=BodyCssClass%>">
    <div id="owaLoading"><%=LoadingText%></div>
</body>
</html>
