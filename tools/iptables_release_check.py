#!/usr/bin/env python3
"""Replay an Istio tag's own istio-iptables golden tests through pyinject and count the matches.

Usage:
    python tools/iptables_release_check.py ISTIO_GIT_DIR [--tag 1.24.6 ...] [--model 1.24] [--diff NAME]

ISTIO_GIT_DIR is a clone (bare or not) of github.com/istio/istio.  For each tag,
the test cases of tools/istio-iptables/pkg/capture/run_test.go (the
``{"name", func(cfg *config.Config) {...}}`` entries whose
``testdata/<name>.golden`` exists) are read: each closure's ``cfg.Field = value``
lines are applied over constructTestConfig()'s values and the release's
defaults, EnableIPv6 / DNSServersV4 / DNSServersV6 become the pod facts, and
pyinject's rule program for ``--model`` (default: the tag's minor release)
builds the rules.  They are compared per IP family and table, line by line,
with the golden: the iptables-restore input the golden records (restore-era
goldens) or its ``iptables -t TABLE ...`` commands (per-command goldens).

Not a unit test: it needs the Istio history, which the repository does not
carry.  Prints one line per case and ``TAG model M: N of K goldens match``.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyinject.iptables import PROGRAMS  # noqa: E402
from pyinject.iptables.flags import parse_args, release  # noqa: E402
from pyinject.iptables.restore import table_lines  # noqa: E402
from pyinject.iptables.rules import Host  # noqa: E402

CAPTURE = "tools/istio-iptables/pkg/capture"
#: Config fields whose name changed, to pyinject's name; None: no effect on the rules.
ALIASES: dict[str, str | None] = {"KubeVirtInterfaces": "RerouteVirtualInterfaces", "DryRun": None,
                                  "Reconcile": None, "ForceApply": None}
CASE = re.compile(r'\{\s*"([^"]+)",\s*func\(cfg \*config\.Config\) \{((?:[^{}]|\{[^{}]*\})*)\}')
ASSIGN = re.compile(r"cfg\.(\w+)\s*=\s*(.+)")
Tables = dict[str, dict[str, list[str]]]


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=True).stdout


def go_value(text: str) -> str | list[str]:
    text = text.strip().rstrip(",")
    if text.startswith("[]string{"):
        return re.findall(r'"([^"]*)"', text)
    if text.startswith('"'):
        return text[1:-1]
    return {"constants.TPROXY": "TPROXY", "constants.DefaultProxyUID": "1337"}.get(text, text)


def cases(repo: str, tag: str) -> list[tuple[str, dict[str, str | list[str]]]]:
    source = git(repo, "show", f"{tag}:{CAPTURE}/run_test.go")
    found = []
    for name, body in CASE.findall(source):
        settings = {}
        for line in body.splitlines():
            match = ASSIGN.search(line.split("//")[0])
            if match:
                settings[match.group(1)] = go_value(match.group(2))
        found.append((name, settings))
    return found


def parse_golden(text: str) -> Tables:
    """Family -> table -> lines, from restore input (tables sorted per family) or per-rule commands."""
    out: Tables = {"iptables": {}, "ip6tables": {}}
    family, table, previous = "iptables", "", ""
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line.startswith("*"):
            table = line[1:].strip()
            if previous and table <= previous:
                family = "ip6tables"
            previous = table
            out[family].setdefault(table, [])
        elif line == "COMMIT":
            table = ""
        elif table:
            out[family][table].append(line)
        elif re.match(r"ip6?tables -t \w+ ", line):
            words = line.split()
            out[words[0]].setdefault(words[2], []).append(" ".join(words[3:]))
    return {fam: tables for fam, tables in out.items() if any(tables.values())}


def ours(model: str, settings: dict[str, str | list[str]]) -> Tables:
    rel = release(model)
    values = dict(parse_args(rel, ["-u", "1337", "-g", "1337"], {}).values)
    ipv6 = False
    servers: list[str] = []
    for name, value in settings.items():
        if name in ("EnableIPv6", "EnableInboundIPv6"):
            ipv6 = value == "true"
        elif name in ("DNSServersV4", "DNSServersV6"):
            servers += list(value)
        elif ALIASES.get(name, name) is not None:
            values[ALIASES.get(name) or name] = value if isinstance(value, str) else ",".join(value)
    program, style = PROGRAMS[rel.program]
    rules = program(values, Host(ipv6=ipv6, nameservers=tuple(servers)), rel)
    found = {fam: table_lines(rules.family(fam), style) for fam in ("iptables", "ip6tables")}
    return {fam: tables for fam, tables in found.items() if tables}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo")
    parser.add_argument("--tag", action="append", required=True)
    parser.add_argument("--model", help="pyinject release to run (default: the tag's minor release)")
    parser.add_argument("--diff", action="append", default=[], help="print the diff of this case")
    opts = parser.parse_args()
    failed = 0
    for tag in opts.tag:
        model = opts.model or ".".join(tag.split(".")[:2])
        matched = total = 0
        for name, settings in cases(opts.repo, tag):
            try:
                golden = git(opts.repo, "show", f"{tag}:{CAPTURE}/testdata/{name}.golden")
            except subprocess.CalledProcessError:
                continue
            total += 1
            want = parse_golden(golden)
            try:
                got = ours(model, settings)
            except Exception as err:  # a setting the model rejects is a mismatch, reported as such
                print(f"FAIL {tag} {name}: {err}")
                continue
            if got == want:
                matched += 1
                print(f"PASS {tag} {name}")
                continue
            print(f"FAIL {tag} {name}")
            if name in opts.diff:
                flat = [[f"{f} {t}: {line}" for f, ts in side.items() for t, ls in sorted(ts.items()) for line in ls]
                        for side in (want, got)]
                sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(flat[0], flat[1], "golden", "ours",
                                                                                  lineterm=""))
        print(f"{tag} model {model}: {matched} of {total} goldens match")
        failed += total - matched
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
