#!/usr/bin/env python3
"""Large generated logs for the split tests and benchmarks (issue 15): one
IIS W3C log (W3SVC1/u_ex210301.log) and one Exchange HttpProxy CSV log, built
from the data lines of the bundled sample server, with what a split must get
right: headers repeated mid-file (an IIS restart, the same #Fields:) and
changed mid-file (a field added, a field removed; Exchange: a column moved),
CRLF and LF line ends mixed, lines far longer than a part, #Date: lines, an
out-of-order time, a last line without its line end.
usage: mklogs.py SAMPLES OUT MiB [ATTACK_EVERY]
ATTACK_EVERY: one attack line (a sample line with a probe in it) in that many
(default 50; the benchmark uses 2000 so no finding cap is reached)."""
import csv
import io
import os
import random
import sys

samples, out, mib = sys.argv[1], sys.argv[2], float(sys.argv[3])
every = int(sys.argv[4]) if len(sys.argv) > 4 else 50
want = int(mib * 1024 * 1024)
rnd = random.Random(15)
MARKS = ('x.js', 'ServerInfo~', 'autodiscover.json', 'DDIService', 'zgrab', 'Nmap', 'python', 'powershell',
         'PowerShell', '.aspx', 'localhost', 'curl', 'go-http', 'Go-http', 'ecp/', 'rpc/', 'oab/', 'ExchangeBackend',
         'X-Anon', '@', 'msExchLogonMailbox', 'cmd', 'whoami', 'nslookup', 'xml', 'RedirectCount', 'china',
         'DefaultAppPool', 'eval', 'Set-', 'New-', 'Add-', 'Get-')


def data_lines(folder, pick):
    lines = []
    for root, _, files in sorted(os.walk(folder)):
        for f in sorted(files):
            if not pick(root, f):
                continue
            for l in open(os.path.join(root, f), encoding='utf-8', errors='replace').read().splitlines():
                if l and not l.startswith('#') and not l.startswith('DateTime,'):
                    lines.append(l)
    return lines


ATTACKS = ('ServerInfo~', 'x.js', 'DDIService', 'zgrab', 'Nmap', '@evil')


def pools(lines):
    attack = [l for l in lines if any(m in l for m in ATTACKS)]
    benign = [l for l in lines if not any(m in l for m in MARKS)]
    return benign, attack


def body(benign, attack, n_bytes, render):
    """Lines up to about n_bytes: (text, is_attack)."""
    got, i = 0, 0
    while got < n_bytes:
        i += 1
        l = rnd.choice(attack) if attack and i % every == 0 else rnd.choice(benign)
        l = render(l)
        got += len(l) + 2
        yield l


def write(path, parts):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        n = 0
        for kind, l in parts:
            n += 1
            if kind == 'last':
                f.write(l)  # no line end
            else:
                f.write(l + ('\n' if n % 7 == 0 else '\r\n'))


# ---- IIS ------------------------------------------------------------------
iis_dir = os.path.join(samples, 'C/inetpub/logs/LogFiles/W3SVC1')
F1 = ('date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) '
      'sc-status sc-substatus sc-win32-status time-taken')
benign, attack = pools(data_lines(iis_dir, lambda r, f: f.endswith('.log')))


def iis_head(fields, date):
    return [('h', '#Software: Microsoft Internet Information Services 10.0'), ('h', '#Version: 1.0'),
            ('h', '#Date: %s' % date), ('h', '#Fields: %s' % fields)]


def add_host(l):  # F2: cs-host after the last field
    return l + ' mail.contoso.com'


def drop_sip(l):  # F3: no s-ip
    t = l.split(' ')
    return ' '.join(t[:2] + t[3:])


def long_line(l, n):  # a query of n bytes
    t = l.split(' ')
    t[5] = 'q=' + ('A' * n)
    return ' '.join(t)


def iis_parts():
    seg = want // 10
    yield from iis_head(F1, '2021-03-01 00:00:00')
    yield from (('d', l) for l in body(benign, attack, 2 * seg, lambda l: l))
    yield ('d', long_line(benign[0], 150 * 1024))          # longer than a test part
    yield ('d', long_line(attack[0], 90 * 1024) if attack else benign[1])
    yield from (('d', l) for l in body(benign, attack, 2 * seg, lambda l: l))
    yield from iis_head(F1, '2021-03-01 09:00:00')          # a restart: the same fields
    yield from (('d', l) for l in body(benign, attack, 2 * seg, lambda l: l))
    yield ('h', '#Date: 2021-03-01 12:00:00')
    yield ('h', '#Fields: %s cs-host' % F1)                  # a field added
    yield from (('d', add_host(l)) for l in body(benign, attack, 2 * seg, lambda l: l))
    yield ('d', '2021-02-27 00:00:01' + add_host(benign[2])[19:])  # out of order
    yield from iis_head(F1.replace(' s-ip', ''), '2021-03-01 18:00:00')  # a field removed
    yield from (('d', drop_sip(l)) for l in body(benign, attack, 2 * seg, lambda l: l))
    yield ('last', drop_sip(benign[3]))


write(os.path.join(out, 'C/inetpub/logs/LogFiles/W3SVC1/u_ex210301.log'), iis_parts())

# ---- Exchange HttpProxy -----------------------------------------------------
hp_dir = os.path.join(samples, 'C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy')
hp_files = [os.path.join(r, f) for r, _, fs in sorted(os.walk(hp_dir)) for f in sorted(fs)]
cols = None
for p in hp_files:
    for l in open(p, encoding='utf-8', errors='replace').read().splitlines():
        if l.startswith('#Fields: '):
            cols = l[9:].split(',')
            break
    if cols:
        break
benign, attack = pools(data_lines(hp_dir, lambda r, f: f.upper().endswith('.LOG')))
ci = cols.index('ClientIpAddress')
moved = cols[:ci] + cols[ci + 1:] + ['ClientIpAddress']


def csv_row(vals):
    b = io.StringIO()
    csv.writer(b, lineterminator='').writerow(vals)
    return b.getvalue()


def move_ip(l):
    v = next(csv.reader([l]))
    if len(v) != len(cols):
        return l
    return csv_row(v[:ci] + v[ci + 1:] + [v[ci]])


def hp_head(c):
    return [('h', '#Software: Microsoft Exchange Server'), ('h', '#Version: 15.01.2176.002'),
            ('h', '#Log-type: HttpProxy Logs'), ('h', '#Date: 2021-03-01T00:00:00.000Z'),
            ('h', '#Fields: ' + ','.join(c))]


def hp_parts():
    seg = want // 10
    yield ('h', ','.join(cols))                            # the bare header line
    yield from hp_head(cols)
    yield from (('d', l) for l in body(benign, attack, 3 * seg, lambda l: l))
    v = next(csv.reader([benign[0]]))
    v[cols.index('UrlQuery')] = '?q=' + 'B' * (130 * 1024)
    yield ('d', csv_row(v))                                # longer than a test part
    yield from (('d', l) for l in body(benign, attack, 3 * seg, lambda l: l))
    yield ('h', '#Fields: ' + ','.join(cols))              # repeated
    yield from (('d', l) for l in body(benign, attack, 2 * seg, lambda l: l))
    yield ('h', '#Fields: ' + ','.join(moved))             # a column moved
    yield from (('d', move_ip(l)) for l in body(benign, attack, 2 * seg, lambda l: l))


write(os.path.join(hp_dir.replace(samples, out, 1), 'Owa/HttpProxy_2021030101-1.LOG'), hp_parts())
