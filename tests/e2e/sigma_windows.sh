#!/bin/sh
# Issue 13 item 2: SigmaHQ's Windows rules of the log sources exhunt used to
# reject (ntlm, firewall-as, openssh, dns-server, capi2, bits-client,
# printservice, ..., category antivirus, and product windows alone: keyword
# rules) load and fire on the public sample logs of ../shared, and the
# windefend rules read Defender's field names without their spaces ("New
# Value" is NewValue, "Threat Name" ThreatName), from EVTX and from JSON lines.
# usage: sigma_windows.sh EXHUNT SHARED_DIR WORKDIR
set -u
EXHUNT=$1 SHARED=$2 W=$3
S="$SHARED/data/sigma" E="$SHARED/data/evtx"
if [ ! -d "$S/rules" ] || [ ! -d "$E" ]; then echo "skip: ../shared is absent"; exit 0; fi
rm -rf "$W" && mkdir -p "$W"
M="$E/evtx-to-mitre-attack" A="$E/evtx-attack-samples"
fails=0
# rule id | rule title (for the message) | EVTX that holds its event
while IFS='|' read -r id title evtx; do
  [ -n "$id" ] || continue
  out="$W/$id.jsonl"
  "$EXHUNT" scan --no-builtin --no-progress -r "$S/rules" -r "$S/rules-emerging-threats" -f jsonl "$evtx" > "$out" 2> "$W/$id.err"
  if grep -q "\"id\": *\"$id\"" "$out"; then
    echo "ok   $title"
  else
    echo "FAIL $title: no finding on $evtx"
    fails=$((fails + 1))
  fi
done <<LIST
06d71506-7beb-4f22-8888-e2e5e2ca7fd8|Mimikatz Use (product windows, keywords)|$M/Antivirus/ID1116-1117-Defender threat detected.evtx
3ce8e9a4-bc61-4c9b-8e69-d7e2492a8781|OpenSSH Server Listening On Socket (openssh)|$M/TA0008-Lateral Movement/T1021.004-Remote Service SSH/ID4-OpenSSH server listening.evtx
cbe51394-cd93-4473-b555-edf0144952d9|DNS Server Error Failed Loading the ServerLevelPluginDLL (dns-server)|$M/TA0003-Persistence/T1574-Hijack Execution Flow/ID150-Failed DLL loaded by DNS server.evtx
6d444368-6da1-43fe-b2fc-44202430480e|Failed DNS Zone Transfer (dns-server)|$M/TA0007-Discovery/T1016-System Network Configuration Discovery/ID6004-DNS-server-failed zone transfer.evtx
e2b5163d-7deb-4566-9af3-40afea6858c3|Certificate Private Key Acquired (capi2)|$M/TA0006-Credential Access/T1552.004-Unsecured Credentials-Private Keys/ID70-CAPI-Private key accessed Mimikatz.evtx
00bb5bd5-1379-4fcf-a965-a5b6f7478064|Windows Firewall Settings Have Been Changed (firewall-as)|$M/TA0005-Defense Evasion/T1562.004-Impair Defenses-Disable or Modify System Firewall/ID2003-4950-Firewall disabled.evtx
1ff315dc-2a3a-4b71-8dde-873818d25d39|New BITS Job Created Via Bitsadmin (bits-client)|$M/TA0003-Persistence/T1197-BITS jobs/ID3-59-60-BITS job created.evtx
4e64668a-4da1-49f5-a8df-9e2d5b866718|Possible CVE-2021-1675 Print Spooler Exploitation (printservice)|$M/TA0004-Privilege Escalation/T1574-DLL side-loading/ID354-808-Mimispool printer installation (PrintNightmare).evtx
fa0c05b6-8ad3-468d-8231-c1cbccb64fba|Antivirus - Hacktool Signature (category antivirus: Threat Name as Signature)|$A/AutomatedTestingTools/WinDefender_Events_1117_1116_AtomicRedTeam.evtx
fdf135a2-9241-4f96-a114-bb404948f736|Antivirus - Web Shell Detection Signature (category antivirus)|$A/AutomatedTestingTools/WinDefender_Events_1117_1116_AtomicRedTeam.evtx
78cc2dd2-7d20-4d32-93ff-057084c38b93|Antivirus - Password Dumper Signature (category antivirus)|$M/Antivirus/ID1116-1117-Defender threat detected.evtx
1321dc4e-a1fe-481d-a016-52c45f0c8b4f|Windows Defender Exclusions Added (windefend: New Value as NewValue)|$M/TA0005-Defense Evasion/T1562.001-Impair Defenses-Disable or Modify tool/ID5007-Defender threat exclusion (native).evtx
LIST
# Defender's events as JSON lines (exhunt dump's shape): the same findings
for f in "$M/TA0005-Defense Evasion/T1562.001-Impair Defenses-Disable or Modify tool/ID5007-Defender threat exclusion (native).evtx" \
         "$A/AutomatedTestingTools/WinDefender_Events_1117_1116_AtomicRedTeam.evtx" \
         "$M/Antivirus/ID1116-1117-Defender threat detected.evtx"; do
  b=$(basename "$f" .evtx | tr -c 'A-Za-z0-9\n' _)
  "$EXHUNT" dump "$f" > "$W/$b.json" 2> /dev/null
  "$EXHUNT" scan --no-builtin --no-progress -r "$S/rules/windows/builtin/windefend" -r "$S/rules/category/antivirus" \
    -f csv "$f" 2>/dev/null | cut -d, -f5,17 | grep -v '^"exhunt\.\|^"rule_id"' | sort > "$W/$b.evtx.rules"
  "$EXHUNT" scan --no-builtin --no-progress -r "$S/rules/windows/builtin/windefend" -r "$S/rules/category/antivirus" \
    -f csv "$W/$b.json" 2>/dev/null | cut -d, -f5,17 | grep -v '^"exhunt\.\|^"rule_id"' | sort > "$W/$b.json.rules"
  n=$(grep -c . "$W/$b.evtx.rules")
  if [ "$n" -gt 0 ] && cmp -s "$W/$b.evtx.rules" "$W/$b.json.rules"; then
    echo "ok   $b: $n Defender findings from EVTX and JSON lines alike"
  else
    echo "FAIL $b: EVTX and JSON lines differ or nothing found ($n)"
    fails=$((fails + 1))
  fi
done
echo "sigma_windows: $fails failed"
[ "$fails" -eq 0 ]
