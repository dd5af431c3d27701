#!/usr/bin/env python3
"""End-to-end test of the web-log rules of issue 13 items 3 and 4 (rules/web, rules/exchange).

Every case is one log file in the real format it comes from, under the path Exchange or IIS
writes it (so the format is recognised by its folder), with lines in the published request
shapes (HAFNIUM/Volexity, ZDI and PeterJson's ProxyShell, GTSC's ProxyNotShell, CrowdStrike's
OWASSRF, signature-base's log rules, SigmaHQ's web rules), addresses and names made neutral:

  * IIS W3C (W3SVC1 front end, W3SVC2 back end on port 444): pages Exchange does not ship
    answered 2xx (any method, URL-encoded names), commands in URLs (plain, '+' for spaces,
    %XX, double encoding), archives and dumps fetched from web folders, ProxyShell's SSRF to
    every back end (autodiscover.xml, /rpc/, /ecp/, ActiveSync...), %50owershell, %2540,
    /ecp/<name>.js of any length, the back end's /powershell from a python client;
  * Exchange CSV: the Rps_Http log (Logging/CmdletInfra/Powershell-Proxy/Http) with attacker
    agents in ClientInfo; the ECP Server log with New-ExchangeCertificate -RequestFile into a
    web folder;
  * benign traffic of the same logs (OWA, ECP, EWS, ActiveSync Cmd=, Outlook's autodiscover.json,
    explicit logon, OAB downloads, the Management Shell and the back end's probes on
    /powershell, an administrator's certificate request) that must give no finding at all.

Each positive file must give the expected rules at the expected levels (other findings are
listed and must be expected too); the benign files must give nothing.

usage: weblogs.py EXHUNT WORKDIR
"""
import collections
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys

EXHUNT, WORK = sys.argv[1:3]
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


RULES = {}
for path in glob.glob(os.path.join(SRC, "rules", "*", "*.yml")):
    m = re.search(r"^id:\s*(\S+)", open(path, encoding="utf-8").read(), re.M)
    if m:
        RULES[os.path.basename(path)[:-4]] = m.group(1)
ID2NAME = {v: k for k, v in RULES.items()}

IIS_HEAD = ("#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
            "#Date: 2022-12-20 00:00:00\r\n"
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
            "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n")
FE = "C/inetpub/logs/LogFiles/W3SVC1/u_ex221220.log"
BE = "C/inetpub/logs/LogFiles/W3SVC2/u_ex221220.log"
EXV = "C/Program Files/Microsoft/Exchange Server/V15"
# The Rps_Http header: Exchange's CSV directives; exhunt maps columns by the #Fields: names, so
# only the names the rules read (ClientInfo, HttpStatus, UrlStem, ClientIpAddress) matter.
RPS_FIELDS = ("DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,"
              "ClientRequestId,UrlHost,UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,"
              "Organization,ManagedOrganization,ClientIpAddress,ServerHostName,FrontEndServer,HttpStatus,"
              "SubStatus,ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,FailureCategory,"
              "ContentType,ContentLength,ClientInfo,TotalTime,GenericInfo,GenericLatency,GenericErrors")
RPS_HEAD = ("#Software: Microsoft Exchange Server\r\n#Version: 15.02.1118.007\r\n#Log-type: Rps Http Logs\r\n"
            "#Date: 2022-12-20T00:00:00.000Z\r\n#Fields: " + RPS_FIELDS + "\r\n")
RPS = EXV + "/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2022122000-1.LOG"
# HttpProxy: the field list Exchange writes (the same as tools/exgen, facts §5 of ../shared)
HP_FIELDS = re.findall(r'"([A-Za-z]+)"', re.search(r"HP_FIELDS\[\] = \{(.*?)\};", open(
    os.path.join(SRC, "tools", "exgen", "exgen.c"), encoding="utf-8").read(), re.S).group(1))
HP_HEAD = ("DateTime,RequestId\r\n#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
           "#Log-type: HttpProxy Logs\r\n#Date: 2021-08-20T00:00:00.000Z\r\n#Fields: " + ",".join(HP_FIELDS) + "\r\n")
HP = EXV + "/Logging/HttpProxy/Autodiscover/HttpProxy_2021082001-1.LOG"


def hp(stem, query, status, ua, ip, user="", proto="Autodiscover", method="POST"):
    _t[0] += 1
    row = {"DateTime": "2021-08-20T01:%02d:%02d.000Z" % (_t[0] // 60 % 60, _t[0] % 60),
           "RequestId": "5a6b%04x-0c1d-4e2f-8a9b-1c2d3e4f5a6b" % _t[0], "MajorVersion": "15", "MinorVersion": "1",
           "BuildVersion": "2176", "RevisionVersion": "2", "Protocol": proto, "UrlHost": "mail.contoso.com",
           "UrlStem": stem, "AuthenticatedUser": user, "IsAuthenticated": "true" if user else "false",
           "UserAgent": ua, "ClientIpAddress": ip, "ServerHostName": "EXCH01", "HttpStatus": str(status),
           "Method": method, "UrlQuery": query}
    return ",".join('"%s"' % row[f].replace('"', '""') if "," in row.get(f, "") else row.get(f, "") for f in HP_FIELDS)


ECP_HEAD = ("TimeStamp,ServerName,EventId,EventData\r\n#Software: Microsoft Exchange Server\r\n"
            "#Version: 15.0.0.0\r\n#Log-type: ECP Server Log\r\n#Date: 2021-08-20T00:00:00.000Z\r\n"
            "#Fields: TimeStamp,ServerName,EventId,EventData\r\n")
ECP = EXV + "/Logging/ECP/Server/ECPServer20210820-1.LOG"

_t = [0]


def iis(rest):
    _t[0] += 1
    return "2022-12-20 10:%02d:%02d 10.0.0.5 %s" % (_t[0] // 60 % 60, _t[0] % 60, rest)


def rps(stem, user, ip, status, client, cmd=""):
    _t[0] += 1
    t = "2022-12-20T10:%02d:%02d.000Z" % (_t[0] // 60 % 60, _t[0] % 60)
    row = {"DateTime": t, "StartTime": t, "RequestId": "0b4e%04x-1c2d-4e5f-8a9b-0c1d2e3f4a5b" % _t[0],
           "MajorVersion": "15", "MinorVersion": "2", "BuildVersion": "1118", "RevisionVersion": "7",
           "UrlHost": "exch01.contoso.local", "UrlStem": stem, "AuthenticationType": "Kerberos",
           "IsAuthenticated": "true", "AuthenticatedUser": user, "ClientIpAddress": ip,
           "ServerHostName": "EXCH01", "FrontEndServer": "EXCH01.contoso.local", "HttpStatus": str(status),
           "CommandName": cmd, "ContentType": "application/soap+xml;charset=UTF-8", "ClientInfo": client,
           "TotalTime": "31"}
    return ",".join('"%s"' % row[f].replace('"', '""') if "," in row.get(f, "") else row.get(f, "")
                    for f in RPS_FIELDS.split(","))


def ecp(cmd):
    _t[0] += 1
    data = "S:TIME=40;S:SID=S-1-5-18;S:CMD=%s;S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject;S:RS=0" % cmd
    return "2021-08-20T10:%02d:%02d.000Z,EXCH01,ECP.Request,\"%s\"" % (_t[0] // 60 % 60, _t[0] % 60,
                                                                  data.replace('"', '""'))


MOZ = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/108.0.0.0+Safari/537.36"
ATT = "185.220.101.7"

# (name, file, head, lines, [(rule file, level)]): every finding of the file must be listed
CASES = [
    # item 3: pages Exchange does not ship, answered 2xx, any method
    ("unknown_page_get", FE, IIS_HEAD, [iis("GET /aspnet_client/system_web/cmd.aspx - 443 - %s %s - 200 0 0 15" % (ATT, MOZ))],
     [("iis_unknown_page", "medium")]),
    ("unknown_page_encoded_name", FE, IIS_HEAD, [iis("GET /owa/auth/%%6Futlook.aspx - 443 - %s %s - 200 0 0 9" % (ATT, MOZ))],
     [("iis_unknown_page", "medium")]),
    ("unknown_page_site_root", FE, IIS_HEAD, [iis("HEAD /help.ashx - 443 - %s curl/7.68.0 - 200 0 0 3" % ATT)],
     [("iis_unknown_page", "medium")]),
    ("unknown_page_ecp_folder", FE, IIS_HEAD,
     [iis("GET /ecp/UsersGroups/ErrorPage.cshtml - 443 CONTOSO\\svc %s %s - 200 0 0 40" % (ATT, MOZ))],
     [("iis_unknown_page", "medium")]),
    ("unknown_page_backend", BE, IIS_HEAD,
     [iis("GET /owa/auth/15.2.1118/themes/resources/errorEE.aspx - 444 - 10.0.0.5 %s - 200 0 0 40" % MOZ)],
     [("iis_unknown_page", "medium")]),
    ("webshell_post_encoded", FE, IIS_HEAD, [iis("POST /aspnet_client/%%73hell.aspx - 443 - %s antSword/v2.1 - 200 0 0 31" % ATT)],
     [("iis_webshell_use", "high"), ("iis_hafnium", "high")]),
    ("webshell_post_owa_auth_version", FE, IIS_HEAD,
     [iis("POST /owa/auth/15.1.2176/OutlookEN.aspx - 443 - %s %s - 200 0 0 31" % (ATT, MOZ))],
     [("iis_webshell_use", "high")]),
    # probing for planted shells: 404s in the drop folders, one finding a line (the actors table
    # counts them per address)
    ("probe_shell_names", FE, IIS_HEAD,
     [iis("GET /aspnet_client/%s - 443 - 45.77.12.9 Mozilla/5.0+zgrab/0.x - 404 0 2 1" % n)
      for n in ("shell.aspx", "cmd.aspx", "system_web/log.aspx", "discover.ashx")] +
     [iis("GET /owa/auth/%4futlookEN.aspx - 443 - 45.77.12.9 Mozilla/5.0+zgrab/0.x - 404 0 2 1")],
     [("iis_webshell_probe", "low")] * 5),
    # commands in URLs
    ("command_plus", FE, IIS_HEAD,
     [iis("GET /aspnet_client/s.aspx c=whoami+/all 443 - %s %s - 200 0 0 55" % (ATT, MOZ))],
     [("iis_webshell_command_query", "high"), ("iis_unknown_page", "medium")]),
    ("command_double_encoded", FE, IIS_HEAD,
     [iis("GET /owa/auth/x.ashx c=%%2577hoami%%2B%%252Fgroups 443 - %s %s - 200 0 0 55" % (ATT, MOZ))],
     [("iis_webshell_command_query", "high"), ("iis_unknown_page", "medium")]),
    ("command_dsquery_iis_u", FE, IIS_HEAD,
     [iis("GET /aspnet_client/f.aspx q=%%u0064squery+computer+-limit+0 443 - %s %s - 200 0 0 55" % (ATT, MOZ))],
     [("iis_webshell_command_query", "high"), ("iis_unknown_page", "medium")]),
    ("command_param_cmd_and_word", FE, IIS_HEAD,
     [iis("GET /aspnet_client/c.ashx cmd=%%77hoami 443 - %s %s - 200 0 0 55" % (ATT, MOZ))],
     [("iis_webshell_command_query", "high"), ("iis_webshell_command_param", "high"), ("iis_unknown_page", "medium")]),
    ("command_chopper_echo", FE, IIS_HEAD,
     [iis("GET /aspnet_client/o.aspx z=cd+/d+%%22c:%%5Cinetpub%%22%%26ipconfig%%26echo+[S]%%26cd%%26echo+[E] 443 - %s %s - 200 0 0 55" % (ATT, MOZ))],
     [("iis_webshell_command_query", "high"), ("iis_unknown_page", "medium")]),
    ("command_exec_param", FE, IIS_HEAD,
     [iis("GET /aspnet_client/a.asp exec=dir+c:%%5Cinetpub 443 - %s %s - 200 0 0 55" % (ATT, MOZ))],
     [("iis_webshell_command_param", "high"), ("iis_unknown_page", "medium")]),
    ("command_cmd_exe_on_shipped_page", FE, IIS_HEAD,
     [iis("GET /owa/auth/logon.aspx x=cmd.exe+/c+net+group+%%22domain+admins%%22+/domain 443 - %s %s - 200 0 0 55" % (ATT, MOZ))],
     [("iis_webshell_command_query", "high")]),
    # archives and dumps fetched from web folders
    ("archive_7z", FE, IIS_HEAD, [iis("GET /aspnet_client/system_web/out.7z - 443 - %s %s - 200 0 0 900" % (ATT, MOZ))],
     [("iis_archive_download", "high")]),
    ("archive_dump_partial", FE, IIS_HEAD, [iis("GET /owa/auth/Current/lsass.dmp - 443 - %s %s - 206 0 0 900" % (ATT, MOZ))],
     [("iis_archive_download", "high")]),
    ("archive_root_encoded", FE, IIS_HEAD, [iis("GET /debug%%2Ezip - 443 - %s %s - 200 0 0 900" % (ATT, MOZ))],
     [("iis_archive_download", "high")]),
    # item 4: ProxyShell's SSRF to every back end, decoded
    ("proxyshell_autodiscover_xml", FE, IIS_HEAD,
     [iis("POST /autodiscover/autodiscover.json @evil.com/autodiscover/autodiscover.xml?&Email=autodiscover/autodiscover.json%%3F@evil.com 443 - %s python-requests/2.26.0 - 200 0 0 77" % ATT)],
     [("iis_proxyshell_success", "critical")]),
    ("proxyshell_rpc_encoded_at", FE, IIS_HEAD,
     [iis("GET /autodiscover/autodiscover.json a=%%40evil.com/rpc/rpcproxy.dll?&Email=autodiscover/autodiscover.json%%253F%%2540evil.com 443 - %s python-requests/2.26.0 - 401 0 0 12" % ATT)],
     [("iis_proxyshell_attempt", "medium")]),
    ("proxyshell_ecp_mixed_case", FE, IIS_HEAD,
     [iis("GET /AutoDiscover/AutoDiscover.JSON @evil.com/ECP/default.aspx?&Email=AutoDiscover/AutoDiscover.json%%3f@evil.com 443 - %s python-requests/2.26.0 - 302 0 0 12" % ATT)],
     [("iis_proxyshell_success", "critical")]),
    ("proxyshell_activesync", FE, IIS_HEAD,
     [iis("POST /autodiscover/autodiscover.json @evil.com/Microsoft-Server-ActiveSync?&Email=autodiscover/autodiscover.json%%3F@evil.com 443 - %s python-requests/2.26.0 - 200 0 0 12" % ATT)],
     [("iis_proxyshell_success", "critical")]),
    ("proxyshell_cat_encoded", FE, IIS_HEAD,
     [iis("POST /autodiscover/autodiscover.json @evil.com/%%70owershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCAAAAA&Email=autodiscover/autodiscover.json%%3F@evil.com 443 - %s python-requests/2.26.0 - 200 0 0 812" % ATT)],
     [("iis_proxyshell_success", "critical")]),
    ("proxynotshell_p50", FE, IIS_HEAD,
     [iis("POST /autodiscover/autodiscover.json @evil.com/%%50owershell/?&Email=autodiscover/autodiscover.json%%3F@evil.com 443 CONTOSO\\user7 %s python-requests/2.28.1 - 200 0 0 51" % ATT)],
     [("iis_proxynotshell", "high")]),
    ("proxynotshell_double_encoded", FE, IIS_HEAD,
     [iis("GET /autodiscover/autodiscover.json a=%%2540evil.com/%%2570owershell 443 CONTOSO\\user7 %s python-requests/2.28.1 - 200 0 0 51" % ATT)],
     [("iis_proxynotshell", "high")]),
    ("owassrf_double_encoded", FE, IIS_HEAD,
     [iis("POST /owa/mastermailbox%%2540outlook.com/%%50owershell clientId=D1D3AA3D&CorrelationID=<empty>; 443 - %s %s - 200 0 0 402" % (ATT, MOZ))],
     [("iis_owassrf", "critical")]),
    ("hafnium_long_js", FE, IIS_HEAD,
     [iis("POST /ecp/abcdefghij.js &CorrelationID=<empty>; 443 - %s %s - 200 0 0 97" % (ATT, MOZ))],
     [("iis_hafnium", "high")]),
    ("backend_powershell_python", BE, IIS_HEAD,
     [iis("POST /powershell clientApplication=ActiveMonitor;PSVersion=5.1.17763.1 444 CONTOSO\\user7 10.0.0.5 python-requests/2.28.1 - 200 0 0 2110")],
     [("iis_backend_powershell", "high")]),
    # the same SSRF in the front end's HttpProxy log (UrlStem-decoded, UrlQuery-decoded)
    ("httpproxy_proxyshell_encoded", HP, HP_HEAD,
     [hp("/autodiscover/autodiscover.json", "?%40evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%253F%2540evil.com",
         200, "python-requests/2.26.0", ATT)],
     [("httpproxy_proxyshell", "critical")]),
    ("httpproxy_proxyshell_cat", HP, HP_HEAD,
     [hp("/autodiscover/autodiscover.json", "?@evil.com/%50owershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCAAAAA&Email=autodiscover/autodiscover.json%3F@evil.com",
         200, "python-requests/2.26.0", ATT)],
     [("httpproxy_proxyshell", "critical")]),
    ("httpproxy_owassrf", EXV + "/Logging/HttpProxy/Owa/HttpProxy_2022122010-1.LOG", HP_HEAD,
     [hp("/owa/mastermailbox%40outlook.com/powershell", "?clientId=D1D3AA3D", 200, MOZ.replace("+", " "), ATT,
         "CONTOSO\\user7", "Owa")],
     [("httpproxy_owassrf", "critical")]),
    # Rps_Http: attacker agents in ClientInfo
    ("rps_python", RPS, RPS_HEAD, [rps("/powershell", "CONTOSO\\user7", ATT, 200, "python-requests/2.28.1", "Get-Mailbox")],
     [("rps_http_attacker_client", "high")]),
    ("rps_curl_refused", RPS, RPS_HEAD, [rps("/powershell", "", ATT, 401, "curl/7.68.0")],
     [("rps_http_attacker_client_attempt", "medium")]),
    # certificate request into a web folder, in the ECP Server log
    ("ecp_cert_request_aspx", ECP, ECP_HEAD,
     [ecp("New-ExchangeCertificate.GenerateRequest=True.BinaryEncoded=True.RequestFile='\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\r.aspx'.SubjectName='CN=<script language=\"JScript\" runat=\"server\">'")],
     [("exlog_cert_request_web_folder", "critical")]),
]

BENIGN = [
    ("benign_fe", FE, IIS_HEAD, [
        iis("GET /owa/auth/logon.aspx url=https%%3a%%2f%%2fmail.contoso.com%%2fowa%%2f&reason=0 443 - 10.1.2.3 %s - 200 0 0 20" % MOZ),
        iis("POST /owa/auth.owa &CorrelationID=<empty>; 443 user1@contoso.com 10.1.2.3 %s https://mail.contoso.com/owa/auth/logon.aspx 302 0 0 80" % MOZ),
        iis("GET /owa/ path=/mail&ae=Folder&t=IPF.Note 443 CONTOSO\\user1 10.1.2.3 %s - 200 0 0 90" % MOZ),
        iis("GET /owa/auth/errorFE.aspx httpCode=500 443 - 10.1.2.3 %s - 200 0 0 5" % MOZ),
        iis("GET /owa/auth/15.2.1118/themes/resources/favicon.ico - 443 - 10.1.2.3 %s - 200 0 0 1" % MOZ),
        iis("GET /owa/user1@contoso.com/default.aspx - 443 CONTOSO\\user1 10.1.2.3 %s - 200 0 0 40" % MOZ),
        iis("GET /owa/service.svc/s/GetFileAttachment id=AAMkAGI2TG93AAA%%3D&X-OWA-CANARY=Xk3-9aQZbUu1 443 CONTOSO\\user1 10.1.2.3 %s - 200 0 0 70" % MOZ),
        iis("GET /ecp/default.aspx - 443 CONTOSO\\admin 10.1.2.4 %s - 200 0 0 80" % MOZ),
        iis("GET /ecp/PersonalSettings/HomePage.aspx showhelp=false 443 CONTOSO\\user1 10.1.2.3 %s - 200 0 0 60" % MOZ),
        iis("GET /ecp/UsersGroups/EditContact.aspx id=1a2b%%2B3c 443 CONTOSO\\admin 10.1.2.4 %s - 200 0 0 60" % MOZ),
        iis("POST /ecp/DDI/DDIService.svc/GetList schema=MailboxService&msExchEcpCanary=Wk3aDn5vE0qZf8 443 CONTOSO\\admin 10.1.2.4 %s - 200 0 0 60" % MOZ),
        iis("POST /EWS/Exchange.asmx - 443 CONTOSO\\user1 10.1.2.3 Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13127;+Pro) - 200 0 0 30"),
        iis("POST /Microsoft-Server-ActiveSync/default.eas Cmd=Sync&User=user1&DeviceId=ABCD0001&DeviceType=iPhone 443 CONTOSO\\user1 10.1.2.3 Apple-iPhone12C1/1805.212 - 200 0 0 60000"),
        iis("POST /Microsoft-Server-ActiveSync/default.eas Cmd=Ping&User=user1&DeviceId=ABCD0001&DeviceType=iPhone 443 CONTOSO\\user1 10.1.2.3 Apple-iPhone12C1/1805.212 - 200 0 0 60000"),
        iis("GET /autodiscover/autodiscover.json/v1.0/user1@contoso.com Protocol=ActiveSync&RedirectCount=1 443 - 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 12"),
        iis("POST /autodiscover/autodiscover.xml - 443 user1@contoso.com 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 12"),
        iis("GET /oab/5f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/oab.xml - 443 CONTOSO\\user1 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 12"),
        iis("GET /oab/5f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/f2e1d0c9-b8a7-4655-9483-726150a4b3c2-data-1.lzx - 443 CONTOSO\\user1 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 12"),
        iis("POST /mapi/emsmdb/ mailboxId=0a1b2c3d@contoso.com 443 CONTOSO\\user1 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 12"),
        iis("RPC_IN_DATA /rpc/rpcproxy.dll 0a1b2c3d@contoso.com:6001 443 CONTOSO\\user1 10.1.2.3 MSRPC - 200 0 0 12"),
        iis("GET /owa/auth/logon.aspx url=https%%3a%%2f%%2fmail.contoso.com%%2fecp%%2fcommand%%3dx 443 - 10.1.2.3 %s - 200 0 0 20" % MOZ),
        iis("GET /aspnet_client/system_web/4_0_30319/ - 443 - 10.1.2.3 %s - 403 14 0 1" % MOZ),
        iis("GET /owa/auth/expiredpassword.aspx - 443 - 10.1.2.9 %s - 404 0 2 1" % MOZ),
        iis("GET /favicon.ico - 443 - 10.1.2.9 %s - 404 0 2 1" % MOZ),
        iis("GET /owa/auth/15.2.1118/scripts/premium/flogon.js - 443 - 10.1.2.9 %s - 404 0 2 1" % MOZ),
    ]),
    ("benign_be", BE, IIS_HEAD, [
        iis("POST /powershell clientApplication=EMC;PSVersion=5.1.17763.1 444 CONTOSO\\admin 10.0.0.5 Microsoft+WinRM+Client - 200 0 0 300"),
        iis("POST /powershell/ - 444 CONTOSO\\HealthMailbox0a1b 10.0.0.5 Exchange+BackEnd+Probes - 200 0 0 300"),
        iis("POST /powershell PSVersion=5.1.17763.1 444 CONTOSO\\admin 10.0.0.5 ClientInfo - 200 0 0 300"),
        iis("GET /ecp/default.aspx - 444 CONTOSO\\admin 10.0.0.5 %s - 200 0 0 80" % MOZ),
        iis("POST /EWS/Exchange.asmx - 444 CONTOSO\\user1 10.0.0.5 Microsoft+Office/16.0 - 200 0 0 30"),
    ]),
    ("benign_httpproxy", HP, HP_HEAD, [
        hp("/autodiscover/autodiscover.json/v1.0/user1@contoso.com", "?Protocol=ActiveSync&RedirectCount=1", 200,
           "Outlook-iOS/723.4027091.prod.iphone", "10.1.2.3"),
        hp("/autodiscover/autodiscover.xml", "", 200, "Microsoft Office/16.0", "10.1.2.3", "CONTOSO\\user1"),
        hp("/owa/user1@contoso.com/service.svc", "?action=GetItem", 200, "Mozilla/5.0", "10.1.2.3", "CONTOSO\\user1", "Owa"),
        hp("/powershell", "?serializationLevel=Full;ExchClientVer=15.1.2176.2", 200, "Microsoft WinRM Client", "10.0.0.5",
           "CONTOSO\\admin", "PowerShell"),
        hp("/autodiscover/autodiscover.json", "?Email=user1%40contoso.com&Protocol=EWS&RedirectCount=1", 200,
           "Microsoft Office/16.0", "10.1.2.3"),
        hp("/autodiscover/autodiscover.json", "?@evil.com/powershell/?&Email=autodiscover/autodiscover.json%3F@evil.com",
           200, "python-requests/2.28.1", ATT, "CONTOSO\\user7"),  # ProxyNotShell's shape: not ProxyShell's
    ]),
    ("benign_rps", RPS, RPS_HEAD, [
        rps("/powershell", "CONTOSO\\admin", "10.0.0.5", 200, "Microsoft WinRM Client", "Get-ExchangeServer"),
        rps("/powershell", "CONTOSO\\HealthMailbox0a1b", "10.0.0.5", 200, "Exchange BackEnd Probes"),
        rps("/powershell", "", "10.0.0.5", 401, "Microsoft WinRM Client"),
    ]),
    ("benign_ecp", ECP, ECP_HEAD, [
        ecp("New-ExchangeCertificate.GenerateRequest=True.RequestFile='\\\\fs01\\certs\\mail.req'.SubjectName='CN=mail.contoso.com'"),
        ecp("Get-ExchangeCertificate.Server='EXCH01'"),
    ]),
]


def write_case(root, rel, head, lines):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(head + "".join(l + "\r\n" for l in lines))


def scan(root):
    r = subprocess.run([EXHUNT, "scan", "--no-progress", "-f", "jsonl", root], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode not in (0, 1, 3):
        fail("exhunt scan exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace")[-400:]))
    got = []
    for line in r.stdout.decode("utf-8", errors="replace").splitlines():
        o = json.loads(line)
        if o.get("event", {}).get("kind") != "alert":
            continue
        got.append((ID2NAME.get(o["rule"]["id"], o["rule"]["id"]), o["exhunt"]["level"], o.get("message", "")))
    errs = [l for l in r.stderr.decode(errors="replace").splitlines() if "error" in l.lower()]
    return got, errs


def main():
    r = subprocess.run([EXHUNT, "rules", "check", "--no-builtin", os.path.join(SRC, "rules", "web"),
                        os.path.join(SRC, "rules", "exchange")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0 or not re.search(r"loaded (\d+) of \1 rules", out):
        fail("rules/web and rules/exchange do not load whole: " + out.strip()[-400:])
    shutil.rmtree(WORK, ignore_errors=True)
    for name, rel, head, lines, want in CASES:
        root = os.path.join(WORK, name)
        write_case(root, rel, head, lines)
        got, errs = scan(root)
        have = sorted((g[0], g[1]) for g in got)
        if have != sorted(want):
            fail("%s: got %s, want %s" % (name, have, sorted(want)))
        else:
            print("ok   %-34s %s" % (name, ", ".join("%s:%s" % w for w in want)))
        if errs:
            fail("%s: errors %s" % (name, errs))
    for name, rel, head, lines in BENIGN:
        root = os.path.join(WORK, name)
        write_case(root, rel, head, lines)
        got, errs = scan(root)
        if got:
            fail("%s: benign lines gave %s" % (name, [(g[0], g[1], g[2][:160]) for g in got]))
        else:
            print("ok   %-34s silent on %d lines" % (name, len(lines)))
    # every encoding of the same request is found: each character of the attack's words
    # escaped at random (%HH in either hex case, IIS's %uXXXX, two or three layers of %25,
    # either letter case), so the prefilter's groups for decoded fields are exercised on
    # escapes of every kind (a variant the prefilter dropped would be a missed finding)
    rnd = random.Random(13)

    def enc(text, keep=""):
        out = []
        for ch in text:
            if ch in keep or rnd.random() < 0.4:
                out.append(ch.upper() if rnd.random() < 0.5 else ch)
                continue
            h = "%02x" % ord(ch)
            h = h.upper() if rnd.random() < 0.5 else h
            form = rnd.choice(["%" + h, "%u00" + h, "%25" + h, "%2525" + h, "%" + "%02X" % ord("%") + h])
            out.append(form)
        return "".join(out)
    lines, n = [], 200
    for i in range(n):
        lines.append(iis("POST /autodiscover/autodiscover.json a=%s 443 CONTOSO\\u %s python-requests/2.28.1 - 200 0 0 5"
                         % (enc("@evil.com/powershell/"), ATT)))
        lines.append(iis("GET /owa/auth/logon.aspx x=%s 443 - %s %s - 200 0 0 5" % (enc("whoami"), ATT, MOZ)))
    root = os.path.join(WORK, "encodings")
    write_case(root, FE, IIS_HEAD, lines)
    got, _ = scan(root)
    c = collections.Counter(g[0] for g in got)
    if c["iis_proxynotshell"] != n or c["iis_webshell_command_query"] != n or len(got) != 2 * n:
        fail("random encodings: %d of %d ProxyNotShell, %d of %d commands, %d findings in all"
             % (c["iis_proxynotshell"], n, c["iis_webshell_command_query"], n, len(got)))
    else:
        print("ok   %-34s %d variants of each request found" % ("encodings", n))
    # the Rps_Http log is its own kind, recognised by its folder and by its header alone
    root = os.path.join(WORK, "rps_by_head")
    write_case(root, "collected/rps.log", RPS_HEAD, [rps("/powershell", "x", ATT, 200, "python-requests/2.28.1")])
    got, _ = scan(os.path.join(root, "collected", "rps.log"))
    if [(g[0], g[1]) for g in got] != [("rps_http_attacker_client", "high")]:
        fail("an Rps_Http log named on the command line: got %s" % got)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("all %d cases and %d benign files as expected" % (len(CASES), len(BENIGN)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
