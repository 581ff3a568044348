"""The istio-iptables emulation: flag parsing, the rule each flag adds, per release, and the CLI around it.

Expected rules come from reading Istio's tools/istio-iptables at 1.30.3 and
1.5.10 (run.go); the whole-output checks are the shared conformance corpus's job.
"""

from __future__ import annotations

import json

import pytest

from pyinject.errors import UsageError
from pyinject.iptables import generate
from pyinject.iptables.explain import describe_capture
from pyinject.iptables.flags import RELEASES, parse_args
from pyinject.iptables.rules import Host

BASE = ["-u", "1337"]


def v4(args: list[str], version: str = "1.30", env: dict[str, str] | None = None, host: Host = Host()) -> list[str]:
    return [r.text for r in generate(BASE + args, env or {}, host, version).rules.v4]


def v6(args: list[str], version: str = "1.30", host: Host = Host(ipv6=True)) -> list[str]:
    return [r.text for r in generate(BASE + args, {}, host, version).rules.v6]


# (id, release, flags, a rule they must add, a rule they must not add)
FLAG_RULES = [
    ("envoy-port", "1.30", ["-p", "16001"], "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 16001", None),
    ("capture-port", "1.30", ["-z", "16006"], "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 16006", None),
    ("tunnel-port", "1.30", ["-e", "16008"], "-A ISTIO_INBOUND -p tcp --dport 16008 -j RETURN", None),
    ("uid", "1.30", ["-u", "99"], "-A ISTIO_OUTPUT -m owner --uid-owner 99 -j RETURN", None),
    ("gid", "1.30", ["-g", "98"], "-A ISTIO_OUTPUT -m owner --gid-owner 98 -j RETURN",
     "-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN"),
    ("gid-defaults-to-uid", "1.30", ["--proxy-uid=7"], "-A ISTIO_OUTPUT -m owner --gid-owner 7 -j RETURN", None),
    ("inbound-ports", "1.30", ["-b", "80,443"], "-A ISTIO_INBOUND -p tcp --dport 443 -j ISTIO_IN_REDIRECT", None),
    ("inbound-wildcard", "1.30", ["-b", "*"], "-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT", None),
    ("inbound-exclude", "1.30", ["-b", "*", "-d", "15020"], "-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN", None),
    ("inbound-exclude-needs-wildcard", "1.30", ["-b", "80", "-d", "15020"], None,
     "-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN"),
    ("exclude-nic", "1.30", ["-c", "eth9"], "-A PREROUTING -i eth9 -j RETURN", None),
    ("service-cidr", "1.30", ["-i", "10.0.0.0/8"], "-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT", None),
    ("service-cidr-kept-unmasked", "1.30", ["-i", "10.1.2.3/8"], "-A ISTIO_OUTPUT -d 10.1.2.3/8 -j ISTIO_REDIRECT",
     None),
    ("service-wildcard", "1.30", ["-i", "*"], "-A ISTIO_OUTPUT -j ISTIO_REDIRECT", None),
    ("exclude-cidr", "1.30", ["-x", "1.1.0.0/16"], "-A ISTIO_OUTPUT -d 1.1.0.0/16 -j RETURN", None),
    ("outbound-ports", "1.30", ["-q", "3306"], "-A ISTIO_OUTPUT -p tcp --dport 3306 -j ISTIO_REDIRECT", None),
    ("outbound-exclude", "1.30", ["-o", "3306"], "-A ISTIO_OUTPUT -p udp --dport 3306 -j RETURN", None),
    ("virt-interfaces", "1.30", ["-k", "eth1"], "-I PREROUTING 1 -i eth1 -j RETURN", None),
    ("tproxy", "1.30", ["-m", "TPROXY", "-b", "*"],
     "-A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006", None),
    ("tproxy-mark", "1.30", ["-m", "TPROXY", "-b", "*", "-t", "7"], "-A ISTIO_DIVERT -j MARK --set-mark 7", None),
    ("drop-invalid", "1.30", ["--drop-invalid"], "-A ISTIO_DROP -j DROP", None),
    ("capture-all-dns", "1.30", ["--redirect-dns", "--capture-all-dns"],
     "-A ISTIO_OUTPUT_DNS -p udp --dport 53 -j REDIRECT --to-port 15053", None),
    ("redirect-dns-needs-servers", "1.30", ["--redirect-dns"], None, "-A ISTIO_OUTPUT -j ISTIO_OUTPUT_DNS"),
    ("short-flags-joined", "1.30", ["-nb80"], "-A ISTIO_INBOUND -p tcp --dport 80 -j ISTIO_IN_REDIRECT", None),
    ("short-flag-equals", "1.30", ["-p=16001"], "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 16001", None),
    ("log-flags-accepted", "1.30", ["--log_output_level=default:info"], "-A OUTPUT -j ISTIO_OUTPUT", None),
    ("1.5-ssh-exempt", "1.5", ["-b", "*"], "-A ISTIO_INBOUND -p tcp --dport 22 -j RETURN", None),
    ("1.5-capture-port-only-with-wildcard", "1.5", ["-b", "80", "-z", "16006"],
     "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15001", None),
    ("1.5-tcp-only-output", "1.5", [], "-A OUTPUT -p tcp -j ISTIO_OUTPUT", "-A OUTPUT -j ISTIO_OUTPUT"),
    ("1.5-cidr-masked-and-rest-returned", "1.5", ["-i", "10.1.2.3/8"], "-A ISTIO_OUTPUT -j RETURN",
     "-A ISTIO_OUTPUT -d 10.1.2.3/8 -j ISTIO_REDIRECT"),
    ("1.5-tproxy-to-envoy-port", "1.5", ["-m", "TPROXY", "-b", "*"],
     "-A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15001", None),
    ("1.5-no-tunnel-port", "1.5", [], None, "-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN"),
]


@pytest.mark.parametrize("version,args,present,absent", [c[1:] for c in FLAG_RULES], ids=[c[0] for c in FLAG_RULES])
def test_each_flag_adds_its_rule(version: str, args: list[str], present: str | None, absent: str | None) -> None:
    rules = v4(args, version)
    if present:
        assert present in rules
    if absent:
        assert absent not in rules


def test_1_5_masks_cidrs() -> None:
    assert "-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT" in v4(["-i", "10.1.2.3/8"], "1.5")


def test_1_5_default_uid_adds_root() -> None:
    parsed = parse_args(RELEASES["1.5"], [], {})
    assert parsed.values["ProxyUID"] == "1337,0"
    assert parse_args(RELEASES["1.30"], [], {}).values["ProxyUID"] == "1337"


def test_env_is_read_and_flags_win() -> None:
    rel = RELEASES["1.30"]
    assert parse_args(rel, [], {"ISTIO_INBOUND_PORTS": "81"}).values["InboundPortsInclude"] == "81"
    assert parse_args(rel, ["-b", "82"], {"ISTIO_INBOUND_PORTS": "81"}).values["InboundPortsInclude"] == "82"
    # The additional env name is read after the flag's own, so it wins.
    env = {"REDIRECT_DNS": "false", "ISTIO_META_DNS_CAPTURE": "true"}
    assert parse_args(rel, [], env).values["RedirectDNS"] == "true"
    # The envoy port has no env binding in 1.30; in 1.5 (viper) it has.
    assert parse_args(rel, [], {"ENVOY_PORT": "1"}).values["ProxyPort"] == "15001"
    assert parse_args(RELEASES["1.5"], [], {"ENVOY_PORT": "1"}).values["ProxyPort"] == "1"


def test_owner_group_env() -> None:
    assert "-A ISTIO_OUTPUT -m owner ! --gid-owner java -m owner ! --gid-owner 202 -j RETURN" in \
        v4([], env={"ISTIO_OUTBOUND_OWNER_GROUPS": "java,202"})


def test_ipv6_family_and_dns_servers() -> None:
    host = Host(ipv6=True, nameservers=("10.96.0.10", "fd00::a"))
    rules6 = v6(["--redirect-dns"], host=host)
    assert "-A ISTIO_OUTPUT_DNS -p udp --dport 53 -d fd00::a/128 -j REDIRECT --to-port 15053" in rules6
    assert "-A ISTIO_OUTPUT -o lo -s ::6/128 -j RETURN" in rules6
    assert v6([], host=Host()) == []


def test_1_5_ipv6_block_comes_after_ipv4() -> None:
    rules6 = v6(["-b", "*", "-i", "*", "-k", "eth1"], "1.5")
    assert rules6[0] == "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001"
    # 1.5 RETURNs a virtual interface's IPv6 traffic where IPv4 sends it to the proxy.
    assert "-I PREROUTING 1 -i eth1 -j RETURN" in rules6


@pytest.mark.parametrize("args,message", [
    (["--no-such-flag"], "unknown istio-iptables 1.30 flag --no-such-flag"),
    (["-Z"], "unknown istio-iptables 1.30 shorthand flag -Z"),
    (["-p"], "-p needs a value"),
    (["-b", "http"], "-b/--istio-inbound-ports: 'http' is not a port"),
    (["-m", "tproxy"], "'tproxy' is not REDIRECT or TPROXY"),
    (["-i", "10.0.0.0"], "'10.0.0.0' is not a CIDR"),
    (["-x", "*"], "'*' is not allowed"),
    (["--dry-run=maybe"], "invalid boolean 'maybe'"),
    (["--probe-timeout", "5"], "invalid duration"),
    (["--restore-format"], "unknown istio-iptables 1.30 flag --restore-format"),
])
def test_bad_flags_are_usage_errors(args: list[str], message: str) -> None:
    with pytest.raises(UsageError) as err:
        generate(args, {}, Host())
    assert message in str(err.value)
    assert err.value.exit_code == 2


def test_explain_facts() -> None:
    capture = generate(["-u", "1337", "-b", "*", "-d", "15020", "-i", "*", "-x", "1.1.0.0/16", "-o", "25"], {},
                       Host())
    facts = describe_capture(capture).as_json()
    assert facts["inbound"] == {"captured_ports": "all", "to_port": 15006, "excluded_ports": [15020],
                                "always_exempt_ports": [15008]}
    assert facts["outbound"]["captured_cidrs"] == "all"
    assert facts["outbound"]["excluded_cidrs"] == ["1.1.0.0/16"]
    assert facts["outbound"]["excluded_ports"] == [25]
    assert facts["exempt"]["uids"] == ["1337"]
    assert facts["dns"]["captured"] is False
    assert facts["tproxy"] is None


def test_cli_seed_command(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(*["iptables", "--", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*",
                      "-x", "", "-b", "*", "-d", "15090,15020"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# iptables-restore\n*nat\n-N ISTIO_INBOUND\n")
    assert result.stdout.endswith("-A ISTIO_OUTPUT -j ISTIO_REDIRECT\nCOMMIT\n")
    assert "# ip6tables-restore" not in result.stdout


def test_cli_bad_flag_one_line_exit_2(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("iptables", "--", "-b", "http")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "-b/--istio-inbound-ports" in result.stderr


def test_cli_json(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("iptables", "-o", "json", "--ipv6", "--", "-u", "1337", "-b", "*")
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert item["families"] == ["IPv4", "IPv6"]
    assert "# ip6tables-restore" in item["rules"]


CNI_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: cni
  annotations:
    traffic.sidecar.istio.io/excludeInboundPorts: "9999"
    traffic.sidecar.istio.io/includeOutboundIPRanges: 10.96.0.0/12
spec:
  initContainers:
  - name: istio-validation
    image: proxyv2
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: proxyv2
    securityContext: {runAsUser: 1337, runAsGroup: 1337}
    env:
    - {name: ISTIO_META_DNS_CAPTURE, value: "true"}
---
apiVersion: v1
kind: Pod
metadata:
  name: host
spec:
  hostNetwork: true
  containers:
  - name: app
    image: app
"""


def test_manifest_cni_pod_and_skipped_workload(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("iptables", "-f", "-", input=CNI_POD)
    assert result.exit_code == 0, result.stderr
    assert "# <stdin>: document 1: Pod cni: the Istio CNI plugin applies these rules (istio-validation only " \
        "checks them), computed from the pod's annotations\n" in result.stdout
    # The plugin adds the agent's and Envoy's ports to the annotation's exclusions, and captures all DNS.
    assert "-A ISTIO_INBOUND -p tcp --dport 9999 -j RETURN\n-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN" in \
        result.stdout
    assert "-A ISTIO_OUTPUT -d 10.96.0.0/12 -j ISTIO_REDIRECT" in result.stdout
    assert "-A ISTIO_OUTPUT_DNS -p udp --dport 53 -j REDIRECT --to-port 15053" in result.stdout
    assert "-A ISTIO_OUTPUT -p udp --dport 15020 -j RETURN" in result.stdout
    assert "no capture: <stdin>: document 2: Pod host: kube-inject would not inject it" in result.stderr


def test_manifest_injects_in_memory_and_explains(run_cli) -> None:  # type: ignore[no-untyped-def]
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: web}]\n"
    result = run_cli("iptables", "-f", "-", "--explain", input=pod)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<stdin>: document 1: Pod web (istio-init (as kube-inject would add it))\n")
    assert "  Inbound captured: all TCP ports go to the proxy on 15006 (REDIRECT)\n" in result.stdout
    assert "  Inbound excluded ports: 15090, 15021, 15020, 15008\n" in result.stdout


def test_manifest_and_flags_exclude_each_other(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("iptables", "-f", "-", "--", "-b", "*", input="")
    assert result.exit_code == 2
    assert "either -f MANIFEST" in result.stderr


@pytest.mark.parametrize("version,flag,known", [
    ("1.30", "--force-iptables-binary=nft", True),
    ("1.28", "--force-iptables-binary=nft", True),
    ("1.27", "--force-iptables-binary=nft", False),
    ("1.27", "--native-nftables=false", True),
    ("1.26", "--native-nftables=false", False),
    ("1.25", "--iptables-trace-logging", True),
    ("1.26", "--iptables-trace-logging", False),
])
def test_flags_per_release(version: str, flag: str, known: bool) -> None:
    if known:
        assert "-A OUTPUT -j ISTIO_OUTPUT" in v4([flag], version)
    else:
        with pytest.raises(UsageError, match=f"unknown istio-iptables {version} flag"):
            v4([flag], version)


def test_releases_up_to_1_26_skip_a_bad_cidr() -> None:
    capture = generate(BASE + ["-i", "10.0.0.0/8,bogus"], {}, Host(), "1.26")
    assert "-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT" in [r.text for r in capture.rules.v4]
    assert any("'bogus' is not a CIDR" in note and "skips it" in note for note in capture.rules.notes)
    with pytest.raises(UsageError, match="'bogus' is not a CIDR"):
        generate(BASE + ["-i", "10.0.0.0/8,bogus"], {}, Host(), "1.27")


def test_release_names() -> None:
    assert generate(BASE, {}, Host(), "1.28.10").release.version == "1.28"
    with pytest.raises(UsageError, match="have 1.5, 1.24, 1.25, 1.26, 1.27, 1.28, 1.29, 1.30"):
        generate(BASE, {}, Host(), "1.23")


@pytest.mark.parametrize("version,rerouted", [("1.30", True), ("1.25", False), ("1.24", True)])
def test_cni_deprecated_kubevirt_annotation(run_cli, version: str, rerouted: bool) -> None:  # type: ignore[no-untyped-def]
    pod = CNI_POD.split("---")[0].replace(
        "    traffic.sidecar.istio.io/excludeInboundPorts", "    traffic.sidecar.istio.io/kubevirtInterfaces: eth7\n"
        "    traffic.sidecar.istio.io/excludeInboundPorts")
    result = run_cli("iptables", "--istio-version", version, "-f", "-", input=pod)
    assert result.exit_code == 0, result.stderr
    assert ("-I PREROUTING 1 -i eth7 -j RETURN" in result.stdout) is rerouted


def test_manifest_bad_istio_init_argument_is_input_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n"
           "  - {name: istio-init, image: proxyv2, args: [istio-iptables, -b, http]}\n"
           "  containers: [{name: app, image: app}]\n")
    result = run_cli("iptables", "-f", "-", input=pod)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("pyinject: error: <stdin>: document 1 (line 1, Pod p): istio-iptables flag "
                             "-b/--istio-inbound-ports: 'http' is not a port\n")


def test_1_24_dns_inline_and_tcp_only_output() -> None:
    host = Host(nameservers=("10.96.0.10",))
    rules = v4(["--redirect-dns", "-o", "25"], "1.24", host=host)
    assert "-A OUTPUT -p tcp -j ISTIO_OUTPUT" in rules
    assert "-A ISTIO_OUTPUT -p udp --dport 25 -j RETURN" not in rules
    assert "-A ISTIO_OUTPUT -p tcp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-ports 15053" in rules
    assert "-A ISTIO_OUTPUT -p udp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-port 15053" in rules
    assert "-A OUTPUT -p udp -j ISTIO_OUTPUT" in rules
    assert "-A PREROUTING -p udp --sport 53 -s 10.96.0.10/32 -j CT --zone 1" in rules
    assert not any("ISTIO_OUTPUT_DNS" in rule for rule in rules)
    # Without a nameserver 1.24 keeps the UDP jumps; 1.25 on turns DNS capture off.
    assert "-A OUTPUT -p udp -j ISTIO_OUTPUT" in v4(["--redirect-dns"], "1.24")
    assert not any("53" in rule for rule in v4(["--redirect-dns"], "1.25"))


@pytest.mark.parametrize("context,uid", [("{runAsUser: 1000670000, runAsGroup: 1000670001}", "1000670000"),
                                         ("{runAsUser: 0}", "1337"), ("{}", "1337")])
def test_cni_proxy_uid_from_security_context(run_cli, context: str, uid: str) -> None:  # type: ignore[no-untyped-def]
    pod = CNI_POD.split("---")[0].replace("{runAsUser: 1337, runAsGroup: 1337}", context)
    result = run_cli("iptables", "-f", "-", input=pod)
    assert result.exit_code == 0, result.stderr
    assert f"-A ISTIO_OUTPUT -m owner --uid-owner {uid} -j RETURN" in result.stdout


def test_cli_istio_flag_without_double_dash_points_at_it(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("iptables", "-p", "15001")
    assert result.exit_code == 2
    assert "istio-iptables flags go after --" in result.stderr


def test_1_5_whole_run_with_uid_and_gid_lists() -> None:
    # Istio 1.5.10's run_test.go (TestHandleInboundIpv4RulesWithUidGid) expects these, in this order.
    assert v4(["-u", "3,4", "-g", "1,2"], "1.5") == [
        "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
        "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
        "-A OUTPUT -p tcp -j ISTIO_OUTPUT",
        "-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN",
        *[rule for owner, ident in (("uid", "3"), ("uid", "4"), ("gid", "1"), ("gid", "2")) for rule in (
            f"-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --{owner}-owner {ident} -j ISTIO_IN_REDIRECT",
            f"-A ISTIO_OUTPUT -o lo -m owner ! --{owner}-owner {ident} -j RETURN",
            f"-A ISTIO_OUTPUT -m owner --{owner}-owner {ident} -j RETURN")],
        "-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN",
    ]
