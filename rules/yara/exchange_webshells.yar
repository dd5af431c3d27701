/*
 * exhunt's own content rules for the web shells of the Exchange campaigns.
 *
 * Written from the shapes documented in ../shared/facts (proxylogon-facts.md
 * §4.2, detections-and-data.md §3) and from the families' published
 * descriptions (docs/files.md names the source of each rule); not copied
 * from any rule set. Meta:
 *   level         Sigma level of a match (exhunt maps it to severity)
 *   cve           CVE ids, comma separated
 *   mitre_attack  ATT&CK technique ids, comma separated
 * External variables (set per file by exhunt): filename, filepath (the whole
 * path), extension (lowercase, no dot), filetype, owner.
 *
 * The web shell rules are capability rules: an input an attacker controls
 * (a request value, the raw request body, a page control's text) reaching a
 * dangerous sink (a process, eval, Assembly.Load, the C# compiler, a
 * PowerShell runspace, a socket, a file write, a database connection),
 * rather than one string per sample. Each rule keeps its strings to literals
 * of 4+ distinctive bytes and bounded regular expressions.
 *
 * Rules are ordered most specific first; a generic rule steps aside when a
 * more specific one matched, so a file draws one finding for its shape. The
 * "suspicious page" rules at the end only speak when no capability rule did.
 *
 * Input shapes used below (kept identical in every rule that needs them):
 *   request value   Request[..] Request(..) Request.Form/QueryString/Item/
 *                   Params/Headers/Cookies/InputStream/BinaryRead, any case;
 *                   not XMLHttpRequest, not a variable named request
 *   page control    an <asp:TextBox>, or <input>/<textarea> runat=server,
 *                   read through .Text / .Value
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
        $s1 = /<script[^>]{0,80}runat\s*=\s*["']?server/ nocase
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
        $s1 = /<script[^>]{0,80}runat\s*=\s*["']?server/ nocase
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
        // server-side JScript: a directive, or a <script> tag with both
        // language=JScript and runat=server, in either order, any quoting
        $page = /<%@[^%>]{0,200}\bLanguage\s*=\s*["']?\s*J(ava)?Script/ nocase
        $js_tag1 = /<script\b[^>]{0,200}\blanguage\s*=\s*["']?\s*J(ava)?Script[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $js_tag2 = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server[^>]{0,200}\blanguage\s*=\s*["']?\s*J(ava)?Script/ nocase
        // eval whose argument holds a request value (possibly decoded first)
        $eval_req = /\beval\s*\(\s*[^;]{0,200}\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
        $eval = /\beval\s*\(/ nocase
        // the "unsafe" option, whole or split by concatenation
        $unsafe = /["']unsafe["']/ nocase
        $unsafe_split = /["'](u|un|uns|unsa|unsaf)["']\s*\+\s*["'](nsafe|safe|afe|fe|e)["']/ nocase
        // the JScript engine's eval called directly (C# / VB.NET Chopper)
        $jse = /JScriptEvaluate\s*\(/ nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
        $page_any = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application)\b/ nocase
    condition:
        filesize < 2MB and (
            (any of ($page, $js*)
             and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or for any of ($page, $js*) : ($ in (0..2048)))
             and ($eval_req or ($eval and ($unsafe or $unsafe_split))))
            or ($jse and $req and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or $page_any in (0..2048)))
        )
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
        $s1 = /<script[^>]{0,80}runat\s*=\s*["']?server/ nocase
        $s2 = /<%@\s*Page\s+Language/ nocase
    condition:
        uint16(0) == 0x8230 and any of them
}

rule exhunt_asp_eval_request
{
    meta:
        description = "Classic ASP page (VBScript or JScript) that evals or executes request data: the ASP China Chopper one-liner and its kin"
        level = "critical"
        mitre_attack = "T1505.003"
    strings:
        // eval / Execute / ExecuteGlobal (not a method such as conn.Execute)
        // of a request value, through up to three wrapping calls
        $e = /[^.\w](eval|execute|executeglobal)\b\s*\(?\s*([\w.]{1,40}\s*\(\s*){0,3}Request\s*(\(|\[|\.\s*(Item|Form|QueryString|Params|Cookies|BinaryRead)\b)/ nocase
    condition:
        filesize < 2MB and $e
        and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or $e in (0..2048))
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx
}

rule exhunt_aspx_session_assembly
{
    meta:
        description = "ASP.NET page that loads an assembly from bytes and keeps it in the session (Godzilla's payload-in-Session loader)"
        level = "critical"
        mitre_attack = "T1505.003,T1620"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $load1 = /Assembly\s*[\)\]]?\s*\.\s*Load\s*\(/ nocase
        $load2 = /GetMethod\s*\(\s*["'][Ll]["'+\s]{0,8}o["'+\s]{0,8}a["'+\s]{0,8}d["']/ nocase
        $load3 = /AppDomain\s*\.\s*CurrentDomain\s*\.\s*Load\s*\(/ nocase
        // an assembly stored in, or cast back from, Session
        $sess1 = /Session\s*\[[^\]\r\n]{1,60}\]\s*=\s*[^;\r\n]{0,160}(Assembly|\.Load\b|Invoke\s*\()/ nocase
        $sess2 = /\(\s*(System\s*\.\s*Reflection\s*\.\s*)?Assembly\s*\)\s*[\w.]{0,40}Session\s*[\[\(]/ nocase
        $sess3 = /Session\s*\(\s*["'][^"'\r\n]{1,60}["']\s*\)\s*=\s*[^\r\n]{0,160}(Assembly|\.Load\b|Invoke\s*\()/ nocase
        $sess4 = /CType\s*\(\s*[\w.]{0,40}Session\s*[\[\(][^\r\n]{1,80},\s*\[?(System\s*\.\s*Reflection\s*\.\s*)?Assembly\]?\s*\)/ nocase
        $sess5 = /Session\s*\.\s*Add\s*\([^;\r\n]{1,60},\s*[^;\r\n]{0,160}(Assembly|\.Load\b|Invoke\s*\()/ nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asax|svc|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and any of ($load*) and any of ($sess*) and $req
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
}

rule exhunt_aspx_assembly_loader
{
    meta:
        description = "ASP.NET page that decodes or decrypts bytes, loads them with Assembly.Load and runs them (Behinder, AntSword C#, SharPyShell, DLL-less reflection loaders)"
        level = "critical"
        mitre_attack = "T1505.003,T1620"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        // a load whose argument is not a literal assembly name
        $load1 = /Assembly\s*[\)\]]?\s*\.\s*Load\s*\(\s*[^"'\s)]/ nocase
        $load2 = /GetMethod\s*\(\s*["'][Ll]["'+\s]{0,8}o["'+\s]{0,8}a["'+\s]{0,8}d["']/ nocase
        $load3 = /AppDomain\s*\.\s*CurrentDomain\s*\.\s*Load\s*\(\s*[^"'\s)]/ nocase
        // where the bytes come from: the raw body, base64, AES/DES, XOR, an
        // embedded byte array
        $src1 = /Request\s*\.\s*(BinaryRead|InputStream)\b/ nocase
        $src2 = "FromBase64String" nocase
        $src3 = /CreateDecryptor|TransformFinalBlock/ nocase
        $src4 = /\^=\s*\(\s*byte\s*\)/ nocase
        $src5 = /\(\s*byte\s*\)\s*\(\s*[\w.]{1,30}\s*\[[^\]\r\n]{1,40}\]\s*\^/ nocase
        $src6 = /\)\s*Xor\s/ nocase
        $src7 = /byte\s*\[\s*\]\s*\w{1,30}\s*=\s*(new\s+byte\s*\[\s*\]\s*)?\{\s*(0x)?[0-9a-f]{1,3}\s*,\s*(0x)?[0-9a-f]{1,3}\s*,/ nocase
        // how the loaded code is run
        $run1 = /\.\s*CreateInstance\s*\(/ nocase
        $run2 = /\.\s*Invoke\s*\(/ nocase
        $run3 = /\.\s*EntryPoint\b/ nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asax|svc|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and any of ($load*) and any of ($src*) and any of ($run*) and $req
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly
}

rule exhunt_aspx_runtime_compile
{
    meta:
        description = "ASP.NET page that compiles source code at run time from request or form input (SharPyShell's runtime compiler and similar)"
        level = "critical"
        mitre_attack = "T1505.003,T1027.004"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $c1 = /CompileAssemblyFrom(Source|Dom|File)\s*\(/ nocase
        $c2 = /(CSharp|VB|VBScript|JScript)CodeProvider\b/ nocase
        $c3 = /CodeDomProvider\s*\.\s*CreateProvider\s*\(/ nocase
        $m1 = "GenerateInMemory" nocase
        $m2 = "CompiledAssembly" nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
        $ctl1 = /<asp:TextBox\b/ nocase
        $ctl2 = /<(input|textarea)\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asax|svc|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and ($c1 or (($c2 or $c3) and any of ($m*)))
        and ($req or any of ($ctl*))
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader
}

rule exhunt_aspx_powershell_runspace
{
    meta:
        description = "ASP.NET page that runs PowerShell script text taken from the request or a form control in a runspace (Antak and similar)"
        level = "high"
        mitre_attack = "T1505.003,T1059.001"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $p1 = /RunspaceFactory\s*\.\s*CreateRunspace/ nocase
        $p2 = /PowerShell\s*\.\s*Create\s*\(/ nocase
        $p3 = "System.Management.Automation" nocase
        // script text that is not a literal: a variable, a control, a request value
        $x1 = /(AddScript|CreatePipeline|InvokeScript)\s*\(\s*[^"'\s)]/ nocase
        $x2 = /(AddScript|CreatePipeline|InvokeScript)\s*\(\s*["'][^"'\r\n]{0,120}["']\s*[+&]/ nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
        $ctl1 = /<asp:TextBox\b/ nocase
        $ctl2 = /<(input|textarea)\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asax|svc|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and any of ($p*) and any of ($x*) and ($req or any of ($ctl*))
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
}

rule exhunt_aspx_socket_tunnel
{
    meta:
        description = "ASP.NET page that opens sockets for the client and relays the request body through them (reGeorg, Neo-reGeorg and similar HTTP tunnels)"
        level = "high"
        mitre_attack = "T1505.003,T1090,T1572"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $k1 = /new\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?(Socket|TcpClient)\s*\(/ nocase
        $k2 = /New\s+(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?(Socket|TcpClient)\b/ nocase
        $conn = /\.\s*(Begin)?Connect(Async)?\s*\(/ nocase
        // the tunnel's plumbing: raw body in, raw bytes out, a socket kept
        // across requests, the reGeorg verbs
        $r1 = /Request\s*\.\s*(InputStream|BinaryRead)\b/ nocase
        $r2 = /Response\s*\.\s*(BinaryWrite|OutputStream)\b/ nocase
        $keep1 = /\(\s*(System\s*\.\s*Net\s*\.\s*Sockets\s*\.\s*)?(Socket|TcpClient|NetworkStream)\s*\)\s*[\w.]{0,40}(Session|Application)\s*[\[\(]/ nocase
        $keep2 = /(Session|Application)\s*(\.\s*Add\s*\(|\[)[^;\r\n]{0,80}\b(sock|socket|tcp|client)\w{0,20}\s*\)?\s*;/ nocase
        $verb1 = "\"CONNECT\""
        $verb2 = "\"DISCONNECT\""
        $verb3 = "\"FORWARD\""
        $hdr = /Request\s*\.\s*Headers\s*(\.\s*Get\s*\(|\[)/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asax|svc|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and any of ($k*) and $conn
        and ($r1 or $hdr)
        and (any of ($keep*) or 2 of ($verb*) or ($r1 and $r2))
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace
}

rule exhunt_aspx_request_exec
{
    meta:
        description = "ASP.NET page that runs a process or loads code taken from the request (generic web shell)"
        level = "high"
        mitre_attack = "T1505.003"
    strings:
        $page1 = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application|Language)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
        $ctl1 = /<asp:TextBox\b/ nocase
        $ctl2 = /<(input|textarea)\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        // a process sink whose arguments hold a request value or a control's text
        $x_req = /(ProcessStartInfo|Process\s*\.\s*Start|StandardInput\s*\.\s*Write(Line)?|\bShell)\s*\(\s*[^;\r\n]{0,160}\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies)\b)/ nocase
        $x_ctl = /(ProcessStartInfo|Process\s*\.\s*Start|StandardInput\s*\.\s*Write(Line)?|\bShell)\s*\(\s*[^;\r\n]{0,160}\.\s*(Text|Value|InnerText)\b/ nocase
        // a command interpreter given a command built at run time
        $x_psi = /(ProcessStartInfo|Process\s*\.\s*Start)\s*\(\s*@?["']([^"'\r\n]{0,60}[\\\/])?(cmd|powershell|pwsh)(\.exe)?["']\s*,\s*([^"'\s]|@?["'][^"'\r\n]{0,80}["']\s*[+&])/ nocase
        $x_fn = /\.\s*FileName\s*=\s*@?["']([^"'\r\n]{0,60}[\\\/])?(cmd|powershell|pwsh)(\.exe)?["']/ nocase
        $x_fn_in = /\.\s*FileName\s*=\s*(\w{1,40}\s*\.\s*(Text|Value)\b|((Http)?Context\s*\.\s*(Current\s*\.\s*)?)?Request\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies)\b))/ nocase
        $x_args = /\.\s*Arguments\s*=\s*([^"'\s]|@?["'][^"'\r\n]{0,80}["']\s*[+&])/ nocase
        $x_comspec = /Environ\s*\(\s*["']COMSPEC["']\s*\)|%COMSPEC%|GetEnvironmentVariable\s*\(\s*["']COMSPEC["']|Environment\s*\(\s*["']PROCESS["']\s*\)\s*\(\s*["']COMSPEC["']/ nocase
        $x_proc = /ProcessStartInfo|Process\s*\.\s*Start|New\s+(System\s*\.\s*Diagnostics\s*\.\s*)?Process\s*\(|\bShell\s*\(|\.\s*(Exec|Run)\s*\(/ nocase
        // classic ASP: WScript.Shell / Shell.Application (by ProgID or CLSID)
        // running a request value or a command built by concatenation
        $a_obj = /CreateObject\s*\(\s*["'](WScript\.Shell|Shell\.Application)["']/ nocase
        $a_clsid1 = "72C24DD5-D70A-438B-8A42-98424B88AFB8" nocase
        $a_clsid2 = "13709620-C279-11CE-A49E-444553540000" nocase
        $a_run = /\.\s*(Exec|Run|ShellExecute)\b\s*\(?\s*[^\r\n]{0,160}(\bRequest\s*(\(|\[|\.\s*(Item|Form|QueryString|Cookies)\b)|["']\s*&)/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or for any of ($page1, $s) : ($ in (0..2048)))
        and (
            $x_req
            or ($x_ctl and any of ($ctl*))
            or (($req or any of ($ctl*)) and ($x_psi or ($x_fn and $x_args) or ($x_fn_in and $x_proc) or ($x_comspec and $x_proc)))
            or (($a_obj or $a_clsid1 or $a_clsid2) and $a_run and $req)
        )
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel
}

rule exhunt_aspx_sql_client
{
    meta:
        description = "Server-side page that connects to a database with a connection string taken from the request or a form control and runs the given query (the classic sql.aspx / spexec.aspx shells, ASPXSpy's SQL panel)"
        level = "high"
        mitre_attack = "T1505.003,T1213"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application|Language)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        // connection string built from input
        $cs1 = /ConnectionString\s*=\s*[^;\r\n]{0,200}(\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params)\b)|\.\s*Text\b|\.\s*Value\b)/ nocase
        $cs2 = /New\s+(Sql|OleDb|Odbc|MySql|Oracle)Connection\s*\(\s*[^;\r\n]{0,200}(\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params)\b)|\.\s*Text\b|\.\s*Value\b)/ nocase
        $cs3 = /\.\s*Open\s*\(?\s*[^\r\n]{0,80}\bRequest\s*(\(|\[|\.\s*(Item|Form|QueryString)\b)/ nocase
        $cs4 = /(Data\s*Source|Server|User\s*Id|Uid|Password|Pwd|Initial\s*Catalog|Provider)\s*=\s*["']\s*[+&]\s*(\w{1,40}\s*\.\s*(Text|Value)\b|Request\s*(\[|\(|\.\s*(Item|Form|QueryString|Params)\b))/ nocase
        $ado = /ADODB\s*\.\s*Connection/ nocase
        // query text from input, or a query run at all
        $q1 = /New\s+(Sql|OleDb|Odbc|MySql|Oracle)Command\s*\(\s*[^,;\r\n]{0,160}(\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params)\b)|\.\s*Text\b|\.\s*Value\b)/ nocase
        $q2 = /CommandText\s*=\s*[^;\r\n]{0,160}(\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params)\b)|\.\s*Text\b|\.\s*Value\b)/ nocase
        $q3 = /\.\s*Execute\s*\(?\s*[^\r\n]{0,80}\bRequest\s*(\(|\[|\.\s*(Item|Form|QueryString)\b)/ nocase
        $q4 = /Execute(Reader|NonQuery|Scalar)\s*\(|\.\s*Fill\s*\(/ nocase
        $q5 = "xp_cmdshell" nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and (any of ($cs1, $cs2, $cs4) or ($ado and $cs3))
        and any of ($q*)
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel and not exhunt_aspx_request_exec
}

rule exhunt_aspx_uploader
{
    meta:
        description = "ASP.NET page that writes request data to a path taken from the request (uploader)"
        level = "high"
        mitre_attack = "T1505.003,T1105"
    strings:
        $page1 = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application|Language)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        // a write whose target path (first argument) is a request value,
        // directly or through up to three wrapping calls (MapPath, ...)
        $w1 = /(SaveAs|WriteAllText|WriteAllBytes|WriteAllLines|AppendAllText|File\s*\.\s*Create|File\s*\.\s*Copy|File\s*\.\s*Move|CreateText|AppendText|StreamWriter|FileStream|SaveToFile)\s*\(?\s*([\w.]{1,40}\s*\(\s*){0,3}((Http)?Context\s*\.\s*(Current\s*\.\s*)?)?Request\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies)\b)/ nocase
        $w2 = /(SaveAs|WriteAllText|WriteAllBytes|WriteAllLines|AppendAllText|StreamWriter|FileStream|File\s*\.\s*Create)\s*\(\s*([\w.]{1,40}\s*\(\s*)?Path\s*\.\s*Combine\s*\([^;)\r\n]{0,120}\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies)\b)/ nocase
        // an upload saved under the client's file name (raw or GetFileName)
        $u_src = /Request\s*\.\s*Files\b|PostedFile\b|HttpPostedFile|<asp:FileUpload\b/ nocase
        $u_name = /(SaveAs|FileStream|WriteAllBytes|File\s*\.\s*Create)\s*\(\s*[^;\r\n]{0,160}\.\s*FileName\b/ nocase
        // what a server-chosen name or a type check looks like
        $g1 = /GetExtension\s*\(/ nocase
        $g2 = /Guid\s*\.\s*NewGuid/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or for any of ($page1, $s) : ($ in (0..2048)))
        and ($w1 or $w2 or ($u_src and $u_name and not any of ($g*)))
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel and not exhunt_aspx_request_exec
        and not exhunt_aspx_sql_client
}

rule exhunt_aspx_file_manager
{
    meta:
        description = "Server-side page that reads, lists, moves or deletes files at paths taken from the request or a form control, or browses the server's drives (filesystembrowser.aspx, the file panels of ASPXSpy and devilzShell)"
        level = "high"
        mitre_attack = "T1505.003,T1083,T1005"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application|Language)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
        $ctl1 = /<asp:TextBox\b/ nocase
        $ctl2 = /<(input|textarea)\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        // a file sink whose path is the request value itself
        $f_req = /(WriteFile|TransmitFile|ReadAllBytes|ReadAllText|ReadAllLines|OpenRead|OpenText|File\s*\.\s*Delete|Directory\s*\.\s*Delete|File\s*\.\s*Move|File\s*\.\s*Copy|Directory\s*\.\s*Move|GetFiles|GetDirectories|GetFileSystemEntries|DirectoryInfo|StreamReader|FileStream)\s*\(\s*((Http)?Context\s*\.\s*(Current\s*\.\s*)?)?Request\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies)\b)/ nocase
        $f_ctl = /(WriteFile|TransmitFile|ReadAllBytes|ReadAllText|ReadAllLines|OpenRead|OpenText|File\s*\.\s*Delete|Directory\s*\.\s*Delete|File\s*\.\s*Move|File\s*\.\s*Copy|Directory\s*\.\s*Move|GetFiles|GetDirectories|GetFileSystemEntries|DirectoryInfo|StreamReader|FileStream)\s*\(\s*\w{1,40}\s*\.\s*Text\b/ nocase
        // a drive browser: enumerates the server's drives, lists folders and
        // hands out or removes files
        $drives = /GetLogicalDrives|DriveInfo\s*\.\s*GetDrives/ nocase
        $list = /GetDirectories|GetFileSystemEntries|EnumerateDirectories/ nocase
        $act = /File\s*\.\s*Delete|Directory\s*\.\s*Delete|Response\s*\.\s*(WriteFile|TransmitFile|BinaryWrite)|File\s*\.\s*Move|File\s*\.\s*Copy/ nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and ($f_req or ($f_ctl and any of ($ctl*)) or ($drives and $list and $act and ($req or any of ($ctl*))))
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel and not exhunt_aspx_request_exec
        and not exhunt_aspx_sql_client and not exhunt_aspx_uploader
}

rule exhunt_page_embedded_pe
{
    meta:
        description = "Server-side page carrying a Windows executable (base64, hex or a byte array starting with the MZ header): a dropper such as devilzShell's bind and back-connect tools"
        level = "high"
        mitre_attack = "T1505.003,T1027"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application|Language)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $pe1 = "TVqQAAMAAAAEAAAA"
        $pe2 = "TVpQAAIAAAAEAA8A"
        $pe3 = "4D5A90000300000004000000" nocase
        $pe4 = /0x4d\s*,\s*0x5a\s*,\s*0x90\s*,\s*0x00\s*,\s*0x03\s*,/ nocase
        $pe5 = /[{(,]\s*77\s*,\s*90\s*,\s*144\s*,\s*0\s*,\s*3\s*,/
    condition:
        filesize < 16MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and any of ($pe*)
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel and not exhunt_aspx_request_exec
        and not exhunt_aspx_sql_client and not exhunt_aspx_uploader and not exhunt_aspx_file_manager
}

rule exhunt_webshell_tool_name
{
    meta:
        description = "Server-side page that names a public web shell kit (ASPXSpy, devilzShell, Antak, reGeorg, Neo-reGeorg, SharPyShell) but matched no capability rule: a modified or partial copy"
        level = "high"
        mitre_attack = "T1505.003"
    strings:
        $d = /<%@\s*(Page|WebHandler|WebService|Control|Master|Import|Assembly|Application|Language)\b/ nocase
        $s = /<script\b[^>]{0,200}\brunat\s*=\s*["']?\s*server/ nocase
        $n1 = "ASPXSpy" nocase
        $n2 = "devilzShell" nocase
        $n3 = "devilzc0der" nocase
        $n4 = "Antak Webshell" nocase
        $n5 = "Georg says, 'All seems fine'"
        $n6 = "SharPyShell"
        $n7 = "Neo-reGeorg" nocase
    condition:
        filesize < 2MB and (extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cshtml)$/ or for any of ($d, $s) : ($ in (0..2048)))
        and any of ($n*)
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel and not exhunt_aspx_request_exec
        and not exhunt_aspx_sql_client and not exhunt_aspx_uploader and not exhunt_aspx_file_manager
        and not exhunt_page_embedded_pe
}

/*
 * Suspicious pages: a server-side page in a folder where Exchange keeps its
 * own pages (FrontEnd/HttpProxy, ClientAccess) or where it keeps none
 * (inetpub/wwwroot itself, aspnet_client), that is not one of Exchange's
 * pages and matched no capability rule above. Exchange's pages name a
 * Microsoft.Exchange class in their directive; under FrontEnd/HttpProxy the
 * ten pages Exchange ships (CSS-Exchange baselines of 15.0.1497.12,
 * 15.1.2176.2/.9 and 15.2.792.10) are also known by name. The baseline check
 * (--baseline) is the exact test; these rules are the fallback without one.
 */

rule exhunt_suspicious_page_code
{
    meta:
        description = "Unknown server-side page in an Exchange web folder that reads the request and uses two or more risky API families (process, reflection, compiler or PowerShell, decryption, sockets or HTTP, file writes, registry, obfuscated strings) without matching a web shell rule"
        level = "medium"
        mitre_attack = "T1505.003"
    strings:
        $exch = /<%@[^%>]{0,400}Microsoft\.Exchange\./ nocase
        $req = /\bRequest\s*(\[|\(|\.\s*(Item|Form|QueryString|Params|Headers|Cookies|InputStream|BinaryRead)\b)/ nocase
        $f_proc = /System\s*\.\s*Diagnostics|ProcessStartInfo|Process\s*\.\s*Start|WScript\.Shell|Shell\.Application/ nocase
        $f_refl = /System\s*\.\s*Reflection|Assembly\s*\.\s*Load|Activator\s*\.\s*CreateInstance|InvokeMember|GetMethod\s*\(/ nocase
        $f_comp = /CodeDomProvider|CodeProvider\b|CompileAssembly|System\s*\.\s*Management\s*\.\s*Automation/ nocase
        $f_crypt = /CreateDecryptor|RijndaelManaged|AesManaged|TransformFinalBlock|DESCryptoServiceProvider/ nocase
        $f_net = /System\s*\.\s*Net\s*\.\s*Sockets|TcpClient|HttpWebRequest|WebClient\b|MSXML2\.ServerXMLHTTP/ nocase
        $f_fsw = /WriteAllBytes|WriteAllText|SaveAs\s*\(|StreamWriter|File\s*\.\s*Delete|File\s*\.\s*Move|Scripting\.FileSystemObject/ nocase
        $f_reg = /Microsoft\s*\.\s*Win32|Registry\s*\.\s*LocalMachine|RegistryKey\b/ nocase
        $f_obf = /["'][A-Za-z]{1,6}["']\s*\+\s*["'][A-Za-z]{1,6}["']\s*\+\s*["'][A-Za-z]{1,6}["']|StrReverse\s*\(|String\s*\.\s*fromCharCode|\b_0x[0-9a-f]{4}/ nocase
    condition:
        filesize < 2MB
        and extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cdx|cshtml|vbhtml|svc)$/
        and (
            (filepath matches /(^|[\/\\!])FrontEnd[\/\\]HttpProxy[\/\\]/i
             and not filepath matches /(^|[\/\\!])FrontEnd[\/\\]HttpProxy[\/\\]owa[\/\\]auth[\/\\](logon|logoff|errorFE|expiredpassword|frowny|OutlookCN|RedirSuiteServiceProxy|signout|svmfeedback)\.aspx$/i
             and not filepath matches /(^|[\/\\!])FrontEnd[\/\\]HttpProxy[\/\\]ecp[\/\\]auth[\/\\]TimeoutLogout\.aspx$/i)
            or filepath matches /(^|[\/\\!])ClientAccess[\/\\]/i
            or filepath matches /(^|[\/\\!])inetpub[\/\\]wwwroot[\/\\](aspnet_client[\/\\].*|[^\/\\]+)$/i
        )
        and not $exch and $req and 2 of ($f_*)
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel and not exhunt_aspx_request_exec
        and not exhunt_aspx_sql_client and not exhunt_aspx_uploader and not exhunt_aspx_file_manager
        and not exhunt_page_embedded_pe and not exhunt_webshell_tool_name
}

rule exhunt_suspicious_page
{
    meta:
        description = "Unknown server-side page in an Exchange web folder (not one of Exchange's pages, no web shell capability found): check it against the build's baseline and the web logs"
        level = "low"
        mitre_attack = "T1505.003"
    strings:
        $exch = /<%@[^%>]{0,400}Microsoft\.Exchange\./ nocase
    condition:
        filesize < 2MB
        and extension matches /^(aspx|ashx|asmx|ascx|master|asp|asa|cer|cdx|cshtml|vbhtml|svc)$/
        and (
            (filepath matches /(^|[\/\\!])FrontEnd[\/\\]HttpProxy[\/\\]/i
             and not filepath matches /(^|[\/\\!])FrontEnd[\/\\]HttpProxy[\/\\]owa[\/\\]auth[\/\\](logon|logoff|errorFE|expiredpassword|frowny|OutlookCN|RedirSuiteServiceProxy|signout|svmfeedback)\.aspx$/i
             and not filepath matches /(^|[\/\\!])FrontEnd[\/\\]HttpProxy[\/\\]ecp[\/\\]auth[\/\\]TimeoutLogout\.aspx$/i)
            or filepath matches /(^|[\/\\!])ClientAccess[\/\\]/i
            or filepath matches /(^|[\/\\!])inetpub[\/\\]wwwroot[\/\\](aspnet_client[\/\\].*|[^\/\\]+)$/i
        )
        and not $exch
        and not exhunt_oab_config_webshell and not exhunt_pst_wrapped_aspx and not exhunt_chopper_jscript_oneliner
        and not exhunt_pst_in_web_folder and not exhunt_der_wrapped_aspx and not exhunt_asp_eval_request
        and not exhunt_aspx_session_assembly and not exhunt_aspx_assembly_loader and not exhunt_aspx_runtime_compile
        and not exhunt_aspx_powershell_runspace and not exhunt_aspx_socket_tunnel and not exhunt_aspx_request_exec
        and not exhunt_aspx_sql_client and not exhunt_aspx_uploader and not exhunt_aspx_file_manager
        and not exhunt_page_embedded_pe and not exhunt_webshell_tool_name and not exhunt_suspicious_page_code
}
