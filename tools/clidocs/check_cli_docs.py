#!/usr/bin/env python3
"""ctest cli_docs: the man page and the completions cannot drift from the
options exhunt accepts.

usage: check_cli_docs.py SOURCEDIR WORKDIR EXHUNT

- every long option of main.c's getopt tables (literal entries and
  src/cli/options.def) and of `exhunt scan --help` is in docs/exhunt.1, in
  contrib/completions/exhunt.bash and in contrib/completions/_exhunt;
- the committed files are what scripts/gen-cli-docs.sh writes now;
- the man page is well-formed roff (its requests, fonts; groff -ww and
  man -l when installed); the bash completion completes; zsh -n passes
  when zsh is installed."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_cli_docs  # noqa: E402

SRC, WORK, EXHUNT = sys.argv[1:4]
fails = 0


def check(what, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail))
    if not ok:
        fails += 1


def read(rel):
    return open(os.path.join(SRC, rel), encoding="utf-8").read()


MAN, BASH, ZSH = "docs/exhunt.1", "contrib/completions/exhunt.bash", "contrib/completions/_exhunt"
man, bash, zsh = read(MAN), read(BASH), read(ZSH)

# ---- the options exhunt has ----------------------------------------------------
main_c = read("src/cli/main.c")
longs = set(re.findall(r'\{\s*"([a-z0-9][a-z0-9-]*)"\s*,\s*(?:no|required|optional)_argument', main_c))
items = gen_cli_docs.read_options(SRC)
shorts = set()
for kind, f in items:
    if kind == "opt":
        longs.add(f[1])
        if f[2]:
            shorts.add(f[2])
help_out = subprocess.run([EXHUNT, "scan", "--help"], capture_output=True, text=True).stdout
for line in help_out.splitlines():
    m = re.match(r"  (?:-(\w), )?\s*--([a-z0-9-]+)", line)
    if m:
        longs.add(m.group(2))
        if m.group(1):
            shorts.add(m.group(1))
check("options found (%d long, %d short)" % (len(longs), len(shorts)), len(longs) >= 20 and len(shorts) >= 5)

bash_words = set(re.findall(r'compgen -W "([^"]*)"', bash))
bash_words = set(w for ws in bash_words for w in ws.split())
for name in sorted(longs):
    check("man page: --" + name, ("\\fB\\-\\-%s\\fR" % name.replace("-", "\\-")) in man)
    check("bash: --" + name, "--" + name in bash_words)
    check("zsh: --" + name, re.search(r"[',]\*?--%s(=|\[|\})" % re.escape(name), zsh) is not None)
for s in sorted(shorts):
    check("man page: -" + s, "\\fB\\-%s\\fR, " % s in man)
    check("bash: -" + s, "-" + s in bash_words)
    check("zsh: -" + s, re.search(r"\{-%s\+?," % re.escape(s), zsh) is not None)

# ---- no drift from the one source ----------------------------------------------
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
subprocess.run([sys.executable, os.path.join(SRC, "tools/clidocs/gen_cli_docs.py"), SRC, WORK], check=True,
               stdout=subprocess.DEVNULL)
for rel in (MAN, BASH, ZSH):
    fresh = open(os.path.join(WORK, rel), encoding="utf-8").read()
    check(rel + " is what scripts/gen-cli-docs.sh writes (run it after changing an option)", fresh == read(rel))

# ---- the man page is roff --------------------------------------------------------
lines = man.splitlines()
check("man: .TH first", len(lines) > 1 and lines[0].startswith('.\\"') and lines[1].startswith(".TH EXHUNT 1 "))
sections = [l[4:] for l in lines if l.startswith(".SH ")]
for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"):
    check("man: section " + s, s in sections)
check("man: NAME is 'exhunt \\- ...'", lines[lines.index(".SH NAME") + 1].startswith("exhunt \\- "))
known = {"TH", "SH", "SS", "TP", "PP", "B", "I", "br"}
bad = [l for l in lines[1:] if l.startswith(".") and l[1:].split(" ")[0] not in known]
check("man: only the requests it uses (%s)" % " ".join(sorted(known)), not bad, repr(bad[:3]))
check("man: no line starts with '", not [l for l in lines if l.startswith("'")])
unbalanced = [l for l in lines if re.findall(r"\\f([BIRP])", l)[-1:] not in ([], ["R"], ["P"])]
check("man: every bold or italic run ends on its line", not unbalanced, repr(unbalanced[:3]))
check("man: ASCII only", all(ord(ch) < 128 for ch in man))
if shutil.which("groff"):
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", os.path.join(SRC, MAN)], capture_output=True, text=True)
    check("man: groff -ww: no warning", r.returncode == 0 and not r.stderr.strip(), r.stderr[:300])
else:
    print("skip groff check: groff is not installed")
if shutil.which("man"):
    r = subprocess.run(["man", "-l", os.path.join(SRC, MAN)], capture_output=True, text=True,
                       env=dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80"))
    check("man -l renders", r.returncode == 0 and "--max-content-size" in r.stdout.replace("\u2010", "-"),
          r.stderr[:300])
else:
    print("skip man -l: man-db is not installed")

# ---- the completions work --------------------------------------------------------
if shutil.which("bash"):
    r = subprocess.run(["bash", "-n", os.path.join(SRC, BASH)], capture_output=True, text=True)
    check("bash -n", r.returncode == 0, r.stderr)

    def complete(*words):
        script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _exhunt; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        r = subprocess.run(["bash", "-c", script, "x", os.path.join(SRC, BASH)] + list(words),
                           capture_output=True, text=True, cwd=WORK)
        return sorted(w for w in r.stdout.split("\n") if w)

    check("bash: commands", complete("exhunt", "") == sorted(gen_cli_docs.COMMANDS))
    check("bash: scan --col", complete("exhunt", "scan", "--col") == ["--color"])
    check("bash: scan --color ...", complete("exhunt", "scan", "--color", "") == ["always", "auto", "never"])
    check("bash: scan -f ...", complete("exhunt", "scan", "-f", "") == sorted("text jsonl csv timesketch html".split()))
    check("bash: scan -j ... (a number: nothing offered)", complete("exhunt", "scan", "-j", "") == [])
    check("bash: scan -o FILE", complete("exhunt", "scan", "-o", "doc") == ["docs"])
    check("bash: rules ...", complete("exhunt", "rules", "") == ["check", "list"])
    check("bash: dump --format ...", complete("exhunt", "dump", "--format", "") == ["jsonl", "none", "xml"])
else:
    print("skip bash completion checks: bash is not installed")
if shutil.which("zsh"):
    r = subprocess.run(["zsh", "-n", os.path.join(SRC, ZSH)], capture_output=True, text=True)
    check("zsh -n", r.returncode == 0, r.stderr)
else:
    print("skip zsh -n: zsh is not installed")
check("zsh: #compdef first", zsh.startswith("#compdef exhunt\n"))

print("cli_docs: %d failed" % fails)
sys.exit(1 if fails else 0)
