/*
 * exhunt's rules for what followed the Exchange intrusions: ransomware,
 * miners and the campaigns' tools (proxylogon-facts.md §4.3, §4.4). Written
 * from the published descriptions; see docs/files.md for what each keys on
 * and what it cannot see.
 */

rule exhunt_dearcry_encrypted_file
{
    meta:
        description = "File encrypted by DearCry (DoejoCrypt): DEARCRY! header"
        level = "critical"
        mitre_attack = "T1486"
    condition:
        uint32(0) == 0x52414544 and uint32(4) == 0x21595243
}

rule exhunt_dearcry_binary
{
    meta:
        description = "DearCry (DoejoCrypt) ransomware executable"
        level = "critical"
        mitre_attack = "T1486"
    strings:
        $m = "DEARCRY!" ascii
        $pdb = "EncryptFile.exe.pdb" ascii nocase
        $svc = "msupdate" ascii wide
        $note = "Your file has been encrypted" ascii wide nocase
    condition:
        uint16(0) == 0x5a4d and filesize < 10MB and $m and ($pdb or $svc or $note)
}

rule exhunt_dearcry_note
{
    meta:
        description = "DearCry ransom note"
        level = "critical"
        mitre_attack = "T1486"
    strings:
        $a = "Your file has been encrypted" ascii wide nocase
        $b = "DEARCRY" ascii wide
        $c = "dear!!!" ascii wide nocase
    condition:
        filesize < 64KB and $a and ($b or $c)
}

rule exhunt_black_kingdom_note
{
    meta:
        description = "Black Kingdom ransom note name (decrypt_file.TxT) with a ransom demand"
        level = "high"
        mitre_attack = "T1486"
    strings:
        $btc = /bitcoin|BTC/ nocase
        $d = "decrypt" nocase
    condition:
        filesize < 64KB and filename matches /^decrypt_file\.txt$/i and $btc and $d
}

rule exhunt_lemon_duck_script
{
    meta:
        description = "Lemon Duck PowerShell (the $Lemon_Duck variable that named the family)"
        level = "high"
        mitre_attack = "T1059.001,T1496"
    strings:
        $a = "Lemon_Duck" ascii wide nocase
    condition:
        filesize < 5MB and $a
}

rule exhunt_miner_config
{
    meta:
        description = "Crypto-miner configuration or command line (stratum pool and XMRig options)"
        level = "medium"
        mitre_attack = "T1496"
    strings:
        $pool = /stratum\+(tcp|ssl|tls):\/\// nocase
        $x1 = "donate-level" nocase
        $x2 = "xmrig" nocase
        $x3 = "randomx" nocase
        $x4 = "\"algo\"" nocase
    condition:
        filesize < 5MB and $pool and any of ($x*)
}

rule exhunt_powercat
{
    meta:
        description = "PowerCat (netcat in PowerShell), used by HAFNIUM for reverse shells"
        level = "high"
        mitre_attack = "T1059.001"
    strings:
        $f = "function powercat" nocase
        $c = "powercat -c" nocase
    condition:
        filesize < 2MB and any of them
}

rule exhunt_nishang_tcp_oneliner
{
    meta:
        description = "Nishang Invoke-PowerShellTcp reverse shell, used by HAFNIUM"
        level = "high"
        mitre_attack = "T1059.001"
    strings:
        $a = "Invoke-PowerShellTcp" nocase
        $b = "System.Net.Sockets.TCPClient" nocase
        $c = "GetStream()" nocase
    condition:
        filesize < 2MB and ($a or ($b and $c and filesize < 4KB))
}
