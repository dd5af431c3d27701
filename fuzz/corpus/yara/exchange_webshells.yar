/*
 * Rules are ordered most specific first; a generic rule steps aside when a
 * specific one matched, so a file draws one finding for its shape.
 *
 * exhunt's own content rules for the web shells of the Exchange campaigns.
 * Written from the shapes documented in ../shared/facts (proxylogon-facts.md
 * §4.2, detections-and-data.md §3), not copied from any rule set. Meta:
 *   level         Sigma level of a match (exhunt maps it to severity)
 *   cve           CVE ids, comma separated
 *   mitre_attack  ATT&CK technique ids, comma separated
 * External variables (set per file by exhunt): filename, filepath,
 * extension (lowercase, no dot), filetype, owner.
 */

rule exhunt_oab_config_webshell
{
    meta:
        description = "OAB virtual directory settings dumped to a page with a server-side script in ExternalUrl (CVE-2021-27065 output)"
        level = "critical"
        cve = "CVE-2021-27065"
        mitre_attack = "T1505.003,T1190"
    strings:
        $url = "ExternalUrl" nocase
        $oab1 = "OfflineAddressBooks" nocase
        $oab2 = "InternalAuthenticationMethods" nocase
        $oab3 = "ExtendedProtectionTokenChecking" nocase
        $s1 = /<script[^>]{0,80}runat\s*=\s*"?server/ nocase
        $s2 = /<%@\s*Page\s+Language/ nocase
        $s3 = "Page_Load" nocase
    condition:
        filesize < 200KB and $url and 2 of ($oab*) and any of ($s*)
}

rule exhunt_pst_wrapped_aspx
{
    meta:
        description = "Mailbox export (PST, !BDN header) carrying a server-side script: ProxyShell web shell drop"
        level = "critical"
        cve = "CVE-2021-34473,CVE-2021-34523,CVE-2021-31207"
        mitre_attack = "T1505.003,T1190"
    strings:
        $s1 = /<script[^>]{0,80}runat\s*=\s*"?server/ nocase
        $s2 = /<%@\s*Page\s+Language/ nocase
        $s3 = /eval\s*\(\s*Request/ nocase
    condition:
        uint32(0) == 0x4e444221 and any of them
}

rule exhunt_chopper_jscript_oneliner
{
    meta:
        description = "China Chopper one-liner: JScript page that evals a request value with the unsafe option"
        level = "critical"
        mitre_attack = "T1505.003"
    strings:
        $page = /<%@\s*Page\s+Language\s*=\s*"?J(ava)?Script/ nocase
        $script = /<script\s+language\s*=\s*"?J(ava)?Script"?\s+runat\s*=\s*"?server/ nocase
        $eval = /eval\s*\(\s*Request\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(]/ nocase
        $unsafe = "unsafe" nocase
    condition:
        filesize < 64KB and ($page or $script) and $eval and $unsafe
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx
}

rule exhunt_pst_in_web_folder
{
    meta:
        description = "A PST file (!BDN header) named as a web page: mailbox export written into a web folder"
        level = "high"
        cve = "CVE-2021-31207"
        mitre_attack = "T1505.003"
    condition:
        uint32(0) == 0x4e444221 and (extension == "aspx" or extension == "ashx" or extension == "asmx" or extension == "asp")
        and not exhunt_pst_wrapped_aspx
}

rule exhunt_der_wrapped_aspx
{
    meta:
        description = "Certificate request (DER) carrying a server-side script: New-ExchangeCertificate -RequestFile web shell drop"
        level = "critical"
        cve = "CVE-2021-31207"
        mitre_attack = "T1505.003"
    strings:
        $s1 = /<script[^>]{0,80}runat\s*=\s*"?server/ nocase
        $s2 = /<%@\s*Page\s+Language/ nocase
    condition:
        uint16(0) == 0x8230 and any of them
}

rule exhunt_aspx_request_exec
{
    meta:
        description = "ASP.NET page that runs a process or loads code taken from the request (generic web shell)"
        level = "high"
        mitre_attack = "T1505.003"
    strings:
        $page1 = /<%@\s*(Page|WebHandler)/ nocase
        $page2 = /runat\s*=\s*"?server/ nocase
        $req = /Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies|Files)\s*)?[\[\(]/ nocase
        $x1 = "ProcessStartInfo" nocase
        $x2 = "Process.Start" nocase
        $x3 = "Assembly.Load" nocase
        $x4 = "cmd.exe" nocase
        $x5 = /eval\s*\(\s*Request/ nocase
        $x6 = /Execute\s*\(?\s*Request/ nocase
    condition:
        filesize < 512KB and any of ($page*) and $req and any of ($x*)
        and not exhunt_chopper_jscript_oneliner and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx
}

rule exhunt_aspx_uploader
{
    meta:
        description = "ASP.NET page that writes request data to a path taken from the request (uploader)"
        level = "high"
        mitre_attack = "T1505.003,T1105"
    strings:
        $page1 = /<%@\s*(Page|WebHandler)/ nocase
        $page2 = /runat\s*=\s*"?server/ nocase
        $w1 = "SaveAs(" nocase
        $w2 = "WriteAllBytes" nocase
        $w3 = "WriteAllText" nocase
        $w4 = "StreamWriter" nocase
        $w5 = "FileStream" nocase
        $r1 = /Request\s*\.\s*Files/ nocase
        $r2 = /Request\s*(\.\s*(Form|QueryString|Item|Params))?\s*\[\s*"[^"]{1,32}"\s*\]/ nocase
    condition:
        filesize < 512KB and any of ($page*) and any of ($w*) and (#r2 >= 2 or $r1)
}
