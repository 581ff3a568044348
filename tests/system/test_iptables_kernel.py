"""Proof on a real kernel: the rules `pyinject iptables` prints capture real connections as Istio documents.

Each case loads the generated IPv4 restore input with iptables-restore (the nft
and the legacy backend of Debian's iptables package) in a fresh network
namespace made with `unshare -n`, then makes real TCP connections
(tests/system/netns_probe.py says how the namespaces are wired; no packet
leaves them).  Needs root, unshare and iptables: skipped without them, except
under CI=true, where their absence is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("netns_probe.py")
BOOKINFO = REPO / "examples" / "bookinfo"
SEED = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*",
        "-d", "15090,15020"]
BACKENDS = ("nft", "legacy")


def _missing() -> str:
    if os.name != "posix" or os.geteuid() != 0:
        return "needs root"
    for tool in ("unshare", "nsenter", "ip", "iptables-nft-restore", "iptables-legacy-restore",
                 "ip6tables-nft-restore", "ip6tables-legacy-restore"):
        if shutil.which(tool) is None:
            return f"needs {tool} (Debian packages util-linux, iproute2, iptables)"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        return "cannot create a network namespace (unshare -n)"
    return ""


MISSING = _missing()
IN_CI = os.environ.get("CI") == "true"
# Outside CI a machine without root or the tools skips; in CI these tests are part of the gate.
needs_kernel = pytest.mark.skipif(bool(MISSING) and not IN_CI, reason=MISSING or "ok")


def test_kernel_prerequisites() -> None:
    if MISSING and not IN_CI:
        pytest.skip(MISSING)
    assert not MISSING, f"real-kernel iptables tests cannot run: {MISSING}"


def pyinject(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "pyinject", "iptables", *args], capture_output=True, text=True,
                         cwd=REPO)
    assert out.returncode == 0, out.stderr
    return out.stdout


def first_ipv4_block(text: str, workload: str) -> str:
    """The `# iptables-restore` section of the block whose heading names ``workload``."""
    rest = text[text.index(workload):]
    rest = rest[rest.index("# iptables-restore"):]
    end = rest.find("\n# ", 1)
    return rest if end < 0 else rest[:end + 1]


def probe(tmp_path: Path, backend: str, rules: str, mode: str = "REDIRECT", family: str = "4") -> \
        dict[str, dict[str, str]]:
    rules_file = tmp_path / "rules.txt"
    rules_file.write_text(rules)
    restore = f"ip6tables-{backend}-restore" if family == "6" else f"iptables-{backend}-restore"
    out = subprocess.run(["unshare", "-n", sys.executable, str(PROBE), restore, str(rules_file), mode],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "PROBE_FAMILY": family})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# What answers each probe connection, by the documented capture:
CAPTURED = "proxy outbound 15001"
INBOUND = "proxy inbound 15006"
SEED_EXPECTED = {
    "app to service": CAPTURED,                       # -i '*': outbound TCP goes to 15001
    "proxy uid 1337 to service": "service 10.96.0.10:80",  # -u 1337: the proxy's own traffic is not redirected
    "app to excluded port 8443": CAPTURED,            # no -o: every port is captured
    "app to excluded cidr": CAPTURED,                 # -x "": no CIDR is excluded
    "app to loopback": "app 9080",                    # -d 127.0.0.1/32 RETURN
    "app to own pod ip": "app 9080",                  # the app calling itself over lo is left alone
    "proxy uid 1337 to own pod ip": INBOUND,          # the proxy calling the pod IP goes through inbound
    "proxy uid 1337 from passthrough address to pod ip": "app 9080",  # the inbound passthrough source 127.0.0.6
    "client to app port": INBOUND,                    # -b '*': inbound TCP goes to 15006
    "client to excluded port 15020": "app 15020",     # -d 15090,15020: excluded inbound ports bypass
}
EXCLUDING_EXPECTED = dict(SEED_EXPECTED, **{
    "app to excluded port 8443": "service 10.96.0.10:8443",  # -o 8443
    "app to excluded cidr": "service 10.96.5.5:80",          # -x 10.96.5.0/24
})


def check(results: dict[str, dict[str, str]], expected: dict[str, str]) -> None:
    got = {name: result.get("listener") or result.get("error", "") for name, result in results.items()}
    assert got == expected
    # SO_ORIGINAL_DST (or, under TPROXY, the socket's own address) gives the proxy the real destination.
    assert results["app to service"]["original_dst"] == "10.96.0.10:80"
    assert results["client to app port"]["original_dst"] == "10.0.0.2:9080"
    assert results["proxy uid 1337 from passthrough address to pod ip"]["peer"] == "127.0.0.6"


@needs_kernel
@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_command(tmp_path: Path, backend: str) -> None:
    check(probe(tmp_path, backend, pyinject("--", *SEED)), SEED_EXPECTED)


@needs_kernel
@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_command_as_istio_1_5(tmp_path: Path, backend: str) -> None:
    check(probe(tmp_path, backend, pyinject("--istio-version", "1.5", "--", *SEED)), SEED_EXPECTED)


@needs_kernel
@pytest.mark.parametrize("backend", BACKENDS)
def test_outbound_port_and_cidr_exclusions(tmp_path: Path, backend: str) -> None:
    args = [a if a != "" else "10.96.5.0/24" for a in SEED] + ["-o", "8443"]
    check(probe(tmp_path, backend, pyinject("--", *args)), EXCLUDING_EXPECTED)


@needs_kernel
@pytest.mark.parametrize("manifest", ["bookinfo.injected.yaml", "bookinfo.yaml"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_bookinfo_productpage(tmp_path: Path, backend: str, manifest: str) -> None:
    # bookinfo.yaml is injected in memory first; bookinfo.injected.yaml carries its istio-init.
    rules = first_ipv4_block(pyinject("-f", str(BOOKINFO / manifest)), "Deployment productpage-v1")
    check(probe(tmp_path, backend, rules), SEED_EXPECTED)


@needs_kernel
@pytest.mark.parametrize("backend", BACKENDS)
def test_tproxy_inbound(tmp_path: Path, backend: str) -> None:
    args = ["TPROXY" if a == "REDIRECT" else a for a in SEED]
    results = probe(tmp_path, backend, pyinject("--", *args), mode="TPROXY")
    check(results, SEED_EXPECTED)
    # TPROXY does not rewrite addresses: the proxy sees the client's own address.
    assert results["client to app port"]["peer"] == "10.0.0.1"


def ipv6_section(text: str) -> str:
    return text[text.index("# ip6tables-restore"):]


@needs_kernel
@pytest.mark.parametrize("backend", BACKENDS)
def test_ipv6_pod(tmp_path: Path, backend: str) -> None:
    args = [a if a != "" else "fd00:96:5::/48" for a in SEED] + ["-o", "8443"]
    rules = ipv6_section(pyinject("--ipv6", "--", *args))
    results = probe(tmp_path, backend, rules, family="6")
    got = {name: result.get("listener") or result.get("error", "") for name, result in results.items()}
    assert got == {
        **EXCLUDING_EXPECTED,
        "proxy uid 1337 to service": "service [fd00:96::10]:80",
        "app to excluded port 8443": "service [fd00:96::10]:8443",
        "app to excluded cidr": "service [fd00:96:5::5]:80",
    }
    # IP6T_SO_ORIGINAL_DST gives the proxy the real destination; ::6 is the IPv6 passthrough source.
    assert results["app to service"]["original_dst"] == "[fd00:96::10]:80"
    assert results["client to app port"]["original_dst"] == "[fd00::2]:9080"
    assert results["proxy uid 1337 from passthrough address to pod ip"]["peer"] == "::6"
