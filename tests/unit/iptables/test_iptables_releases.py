"""istio-iptables releases besides 1.5, 1.8 and 1.24-1.30: the bash script (1.0-1.4), 1.6, 1.7, 1.9-1.23.

Expected rules come from reading each tag's tools/deb/istio-iptables.sh,
tools/packaging/common/istio-iptables.sh, tools/istio-iptables/pkg/cmd/run.go or pkg/capture/run.go.
"""

from __future__ import annotations

import pytest

from pyinject.errors import UsageError
from pyinject.iptables import generate
from pyinject.iptables.capture_sh import is_ipv6
from pyinject.iptables.explain import describe_capture
from pyinject.iptables.rules import Host

SEED = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*",
        "-d", "15090,15020"]

#: istio-iptables.sh of 1.4.10 run with the seed's flags on an IPv4 pod, as restore input.
SEED_1_4 = """\
# iptables-restore
*nat
-N ISTIO_REDIRECT
-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-port 15001
-N ISTIO_IN_REDIRECT
-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-port 15006
-N ISTIO_INBOUND
-A PREROUTING -p tcp -j ISTIO_INBOUND
-A ISTIO_INBOUND -p tcp --dport 22 -j RETURN
-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN
-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN
-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT
-N ISTIO_OUTPUT
-A OUTPUT -p tcp -j ISTIO_OUTPUT
-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN
-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -j ISTIO_IN_REDIRECT
-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN
-A ISTIO_OUTPUT -j ISTIO_REDIRECT
COMMIT
# ip6tables-restore
*filter
-F INPUT
-A INPUT -m state --state ESTABLISHED -j ACCEPT
-A INPUT -i lo -d ::1 -j ACCEPT
-A INPUT -j REJECT
COMMIT
"""


def rules(args: list[str], version: str, env: dict[str, str] | None = None, host: Host = Host(),
          family: str = "v4") -> list[str]:
    capture = generate(args, env or {}, host, version)
    return [r.text for r in getattr(capture.rules, family)]


def test_seed_command_1_4_is_the_scripts_commands_in_order() -> None:
    assert generate(SEED, {}, Host(), "1.4").restore_text == SEED_1_4


def test_seed_command_1_3_equals_1_4() -> None:
    # 1.4 only dropped the clean-up commands, which the output leaves out anyway.
    assert generate(SEED, {}, Host(), "1.3").restore_text == SEED_1_4


@pytest.mark.parametrize("version,lo_target,passthrough", [
    ("1.0", "ISTIO_REDIRECT", False), ("1.1", "ISTIO_REDIRECT", False), ("1.2", "ISTIO_REDIRECT", False),
    ("1.3", "ISTIO_IN_REDIRECT", True), ("1.4", "ISTIO_IN_REDIRECT", True)])
def test_loopback_rule_per_script_release(version: str, lo_target: str, passthrough: bool) -> None:
    got = rules(["-u", "1337"], version)
    assert f"-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -j {lo_target}" in got
    assert ("-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN" in got) is passthrough


@pytest.mark.parametrize("version,args,env,port", [
    ("1.2", ["-p", "15001", "-b", "*"], {}, "15001"),  # no -z: $INBOUND_CAPTURE_PORT, else the envoy port
    ("1.2", ["-p", "15001", "-b", "80"], {"INBOUND_CAPTURE_PORT": "15006"}, "15006"),
    ("1.0", ["-p", "16001", "-b", "80"], {}, "16001"),
    ("1.3", ["-z", "15006", "-b", "*"], {}, "15006"),
    ("1.3", ["-z", "15006", "-b", "80"], {}, "15001"),  # -z counts only with -b '*'
    ("1.4", ["-b", "*"], {"INBOUND_CAPTURE_PORT": "17006"}, "17006"),
])
def test_inbound_capture_port(version: str, args: list[str], env: dict[str, str], port: str) -> None:
    assert f"-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-port {port}" in rules(["-u", "1"] + args, version, env)


def test_script_takes_short_flags_only_and_stops_at_a_word() -> None:
    with pytest.raises(UsageError, match="single-letter flags only"):
        generate(["--envoy-port", "1"], {}, Host(), "1.4")
    with pytest.raises(UsageError, match="unknown istio-iptables 1.0 shorthand flag -k"):
        generate(["-k", "eth1"], {}, Host(), "1.0")
    with pytest.raises(UsageError, match="shorthand flag -z"):
        generate(["-z", "15006"], {}, Host(), "1.2")
    # getopts stops at the first word that is not a flag: -b after it is not read.
    assert not any("ISTIO_INBOUND" in r for r in rules(["-u", "1", "word", "-b", "*"], "1.4"))


def test_default_uid_adds_root_and_gid_follows() -> None:
    got = rules([], "1.4")
    assert got[-5:-1] == ["-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN",
                          "-A ISTIO_OUTPUT -m owner --uid-owner 0 -j RETURN",
                          "-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN",
                          "-A ISTIO_OUTPUT -m owner --gid-owner 0 -j RETURN"]


def test_disable_loopback_redirection_env() -> None:
    env = {"DISABLE_REDIRECTION_ON_LOCAL_LOOPBACK": "1"}
    assert not any("-o lo ! -d" in r for r in rules(["-u", "1"], "1.1", env))
    assert any("-o lo ! -d" in r for r in rules(["-u", "1"], "1.0", env))  # 1.0 has no switch


def test_cidrs_per_family_from_1_2_and_as_given_before() -> None:
    args = ["-u", "1", "-i", "10.0.0.0/8,fd00::/8,::/0,bogus/1", "-x", "10.1.0.0/16"]
    got = rules(args, "1.2", host=Host(ipv6=True))
    assert "-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT" in got
    assert not any("fd00" in r or "bogus" in r for r in got)
    six = rules(args, "1.2", host=Host(ipv6=True), family="v6")
    assert "-A ISTIO_OUTPUT -d fd00::/8 -j ISTIO_REDIRECT" in six
    assert not any("::/0" in r for r in six)  # the script's IPv6 check rejects a leading "::"
    old = rules(args, "1.1")
    assert "-A ISTIO_OUTPUT -d fd00::/8 -j ISTIO_REDIRECT" in old and "-A ISTIO_OUTPUT -d bogus/1 -j ISTIO_REDIRECT" in old


def test_script_ipv6_check() -> None:
    # Checked against the script's own function run by bash.
    for text in ("fd00::", "fd00::1", "2001:db8:0:0:0:0:0:1", "a:b:", "1:2:3:4:5:6:7:"):
        assert is_ipv6(text), text
    for text in ("::1", "", "fd00::1::2", "a:b:c:d:e:f:1:2:3", "10.0.0.1"):
        assert not is_ipv6(text), text


def test_ipv6_pods_per_script_release() -> None:
    args = ["-u", "1", "-b", "*", "-i", "*", "-k", "eth9"]
    # 1.1: the wildcard only, with -k RETURNed; with -b '*' there is no final ISTIO_IN_REDIRECT jump (as the script).
    six = rules(args, "1.1", host=Host(ipv6=True), family="v6")
    assert six[-2:] == ["-A ISTIO_OUTPUT -j ISTIO_REDIRECT", "-I PREROUTING 1 -i eth9 -j RETURN"]
    assert "-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT" not in six
    assert "-A ISTIO_OUTPUT -o lo -s ::6/128 -j RETURN" in rules(args, "1.3", host=Host(ipv6=True), family="v6")
    assert generate(args, {}, Host(ipv6=True), "1.3").rules.side_effects == ["ip -6 addr add ::6/128 dev lo"]
    # 1.0 programs no ip6tables for an IPv6 pod, and locks IPv6 input down unless $ENABLE_INBOUND_IPV6 is set.
    assert rules(["-u", "1"], "1.0", {"ENABLE_INBOUND_IPV6": "fd00::1"}, family="v6") == []
    assert rules(["-u", "1"], "1.0", family="v6") == ["-F INPUT", "-A INPUT -m state --state ESTABLISHED -j ACCEPT",
                                                      "-A INPUT -j REJECT"]


def test_script_tproxy_uses_socket_match_and_envoy_port() -> None:
    got = rules(["-u", "1", "-m", "TPROXY", "-b", "80"], "1.4")
    assert got.count("-A ISTIO_INBOUND -p tcp --dport 80 -m socket -j ISTIO_DIVERT") == 2  # the script adds it twice
    assert "-A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15001" in got


def test_script_explain() -> None:
    facts = describe_capture(generate(["-u", "1", "-p", "15001", "-z", "15006", "-b", "80"], {}, Host(), "1.3"))
    assert facts.inbound["to_port"] == 15001
    assert "every call over lo" in facts.outbound["loopback"]
    old = describe_capture(generate(["-u", "1"], {}, Host(), "1.1"))
    assert old.exempt["sources"] == []


def test_1_6_dns_capture_to_envoy_by_gid() -> None:
    got = rules(["-g", "1337,0"], "1.6", {"DNS_CAPTURE": "yes"})
    assert got[-2:] == ["-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN",
                        "-A OUTPUT -p udp --dport 53 -j REDIRECT --to-ports 15013"]
    assert "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006" in rules(["-b", "80"], "1.6")


@pytest.mark.parametrize("env,port", [({"ISTIO_META_DNS_CAPTURE": "x"}, "15013"),
                                      ({"ISTIO_META_DNS_CAPTURE": "x", "DNS_AGENT": "y"}, "15053"), ({}, None)])
def test_1_7_dns_capture_target(env: dict[str, str], port: str | None) -> None:
    got = rules(["-u", "1337", "-k", "eth1"], "1.7", env)
    dnat = [r for r in got if "DNAT" in r]
    assert dnat == ([f"-A OUTPUT -p udp --dport 53 -j DNAT --to-destination 127.0.0.1:{port}"] if port else [])
    assert not any("--dport 53 -j REDIRECT" in r for r in got)  # TCP DNS came in 1.8
    assert got.index("-I PREROUTING 1 -i eth1 -j RETURN") > got.index("-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN")


def test_1_23_drops_invalid_packets_without_a_chain() -> None:
    got = generate(["-u", "1337", "--drop-invalid"], {}, Host(), "1.23").rules.v4
    assert [r.text for r in got if r.table == "mangle"] == ["-A PREROUTING -m conntrack --ctstate INVALID -j DROP"]
    assert "-N ISTIO_DROP" not in generate(["-u", "1", "--drop-invalid"], {}, Host(), "1.23").restore_text
    assert "-N ISTIO_DROP" in generate(["-u", "1", "--drop-invalid"], {}, Host(), "1.24").restore_text


def test_1_23_flags() -> None:
    generate(["-u", "1", "-f", "--iptables-trace-logging"], {}, Host(), "1.23")
    with pytest.raises(UsageError, match="--reconcile"):
        generate(["-u", "1", "--reconcile"], {}, Host(), "1.23")


def test_1_20_to_1_22_udp_dns_in_output_and_cidr_list_return() -> None:
    args = ["-u", "1337", "--redirect-dns", "-i", "10.0.0.0/8"]
    for version in ("1.20", "1.21", "1.22"):
        got = generate(args, {}, Host(nameservers=("10.96.0.10",)), version).rules.v4
        texts = [(r.table, r.text) for r in got]
        assert ("nat", "-A OUTPUT -p udp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-port 15053") in texts
        assert ("raw", "-A OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j CT --zone 1") in texts
        assert not any(text.endswith("-p udp -j ISTIO_OUTPUT") for _, text in texts)
        assert ("nat", "-A ISTIO_OUTPUT -j RETURN") in texts  # the end of the -i list
    later = [r.text for r in generate(args, {}, Host(nameservers=("10.96.0.10",)), "1.23").rules.v4]
    assert "-A OUTPUT -p udp -j ISTIO_OUTPUT" in later and "-A ISTIO_OUTPUT -j RETURN" not in later


def test_1_20_and_1_21_flags_and_env() -> None:
    generate(["-u", "1", "--iptables-version", "nft"], {}, Host(), "1.21")
    with pytest.raises(UsageError, match="--iptables-version"):
        generate(["-u", "1", "--iptables-version", "nft"], {}, Host(), "1.22")
    env = {"ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR": "127.0.0.0/8"}
    assert "127.0.0.0/8" not in generate(["-u", "1"], env, Host(), "1.20").restore_text  # 1.20 does not read it
    assert "127.0.0.0/8" in generate(["-u", "1"], env, Host(), "1.21").restore_text


def test_1_19_dns_reply_rule_names_the_server_as_destination() -> None:
    args = ["-u", "1337", "--redirect-dns"]
    host = Host(nameservers=("10.96.0.10",))
    reply = "-A PREROUTING -p udp --sport 53 {} 10.96.0.10/32 -j CT --zone 1"
    assert reply.format("-d") in [r.text for r in generate(args, {}, host, "1.19").rules.v4]
    assert reply.format("-s") in [r.text for r in generate(args, {}, host, "1.20").rules.v4]


def test_1_18_reads_every_flag_from_the_environment() -> None:
    env = {"ENVOY_PORT": "16001", "REDIRECT_DNS": "false", "ISTIO_META_DNS_CAPTURE": "true"}
    text = generate(["-u", "1"], env, Host(nameservers=("10.96.0.10",)), "1.18").restore_text
    assert "--to-ports 16001" in text
    assert "15053" not in text  # REDIRECT_DNS wins over ISTIO_META_DNS_CAPTURE, which only sets the default
    assert "16001" not in generate(["-u", "1"], env, Host(), "1.19").restore_text  # 1.19: -p has no variable


def test_1_12_to_1_17_lo_redirect_leaves_no_port_alone() -> None:
    args = ["-u", "1337", "-g", "1337", "--redirect-dns"]
    host = Host(nameservers=("10.96.0.10",))
    uid = "-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 {}-m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT"
    gid = "-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT"
    for version in ("1.12", "1.13", "1.14", "1.15", "1.16", "1.17"):
        got = rules(args, version, host=host)
        assert uid.format("-p tcp ! --dport 53 ") in got and gid in got, version
        assert uid.format("") in rules(["-u", "1337"], version)
    later = rules(args, "1.18", host=host)
    assert uid.format("-p tcp -m multiport ! --dports 53,15008 ") in later and gid not in later


def test_1_12_keeps_inbound_ssh_out_and_1_13_does_not() -> None:
    args = ["-u", "1337", "-b", "*", "-d", "15090"]
    ssh = "-A ISTIO_INBOUND -p tcp --dport 22 -j RETURN"
    assert rules(args, "1.12")[rules(args, "1.12").index(ssh) + 1] == "-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN"
    assert ssh in rules(args, "1.12", host=Host(ipv6=True), family="v6")
    tproxy = generate(args + ["-m", "TPROXY"], {}, Host(), "1.12").rules.v4
    assert ssh in [r.text for r in tproxy if r.table == "mangle"]
    assert ssh not in rules(args, "1.13")


def test_1_12_to_1_17_flags_and_env() -> None:
    env = {"ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE": "7"}
    assert "--gid-owner 7" not in generate(["-u", "1"], env, Host(), "1.13").restore_text  # no owner groups yet
    assert "--gid-owner 7 -j RETURN" in generate(["-u", "1"], env, Host(), "1.14").restore_text
    generate(["-u", "1", "--output-paths", "/tmp/x", "--istio-exclude-interfaces", "eth9"], {}, Host(), "1.14")
    with pytest.raises(UsageError, match="-c"):
        generate(["-u", "1", "-c", "eth9"], {}, Host(), "1.14")  # -c came in 1.15
    assert "-o eth9" in generate(["-u", "1", "-c", "eth9", "--host-nsenter-exec"], {}, Host(), "1.15").restore_text
    with pytest.raises(UsageError, match="--output-paths"):
        generate(["-u", "1", "--output-paths", "/tmp/x"], {}, Host(), "1.17")
    for flag in ("--dual-stack", "--iptables-version=nft"):
        with pytest.raises(UsageError, match=flag.split("=")[0]):
            generate(["-u", "1", flag], {}, Host(), "1.17")
    assert "16001" in generate(["-u", "1"], {"ENVOY_PORT": "16001"}, Host(), "1.12").restore_text  # viper


def test_1_9_to_1_11_redirect_dns_to_the_resolv_conf_servers() -> None:
    args = ["-u", "1337", "-g", "1337", "-i", "*", "--redirect-dns"]
    host = Host(nameservers=("10.96.0.10", "fd00::10"))
    for version in ("1.9", "1.10", "1.11"):
        got = rules(args, version, host=host)
        assert "-A ISTIO_OUTPUT -p tcp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-ports 15053" in got, version
        assert "-A OUTPUT -p udp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-port 15053" in got
        assert "-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN" in got
        assert ("-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 53 -m owner --uid-owner 1337 "
                "-j ISTIO_IN_REDIRECT") in got
        assert not any("fd00::10" in r or "DNAT" in r for r in got)  # IPv4 servers only; no DNAT as in 1.8
        assert not any("15053" in r for r in rules(args[:-1], version, host=host))
    env = {"ISTIO_META_DNS_CAPTURE": "true"}  # sets --redirect-dns's default
    assert "15053" in generate(["-u", "1"], env, host, "1.9").restore_text
    with pytest.raises(UsageError, match="--redirect-dns"):
        generate(["-u", "1", "--redirect-dns"], {}, host, "1.8")


def test_1_10_conntrack_zones_by_env_and_1_11_always() -> None:
    args = ["-u", "1337", "--redirect-dns"]
    host = Host(nameservers=("10.96.0.10",))
    zone = "-A PREROUTING -p udp --sport 53 -d 10.96.0.10/32 -j CT --zone 1"
    assert zone not in rules(args, "1.9", {"ISTIO_META_DNS_CONNTRACK_ZONE": "true"}, host)
    assert zone not in rules(args, "1.10", host=host)
    assert zone in rules(args, "1.10", {"ISTIO_META_DNS_CONNTRACK_ZONE": "true"}, host)
    assert zone in rules(args, "1.11", host=host)
    everything = rules(args + ["--capture-all-dns"], "1.11", host=host)
    assert "-A OUTPUT -p udp --dport 53 -j REDIRECT --to-port 15053" in everything
    assert "-A PREROUTING -p udp --sport 53 -j CT --zone 1" in everything


def test_1_9_to_1_11_tproxy_goes_to_the_capture_port_and_marks_connections() -> None:
    args = ["-u", "1337", "-m", "TPROXY", "-b", "*"]
    for version, on_port in (("1.8", "15001"), ("1.9", "15006"), ("1.11", "15006")):
        mangle = [r.text for r in generate(args, {}, Host(), version).rules.v4 if r.table == "mangle"]
        assert any(r.endswith("--on-port " + on_port) for r in mangle), version
        assert ("-A PREROUTING -p tcp -m mark --mark 1337 -j CONNMARK --save-mark" in mangle) == (version != "1.8")
        assert any("--set-mark 1338" in r for r in mangle) == (version == "1.11")


def test_1_11_flags() -> None:
    text = generate(["-u", "1", "--istio-exclude-interfaces", "eth9", "--output-paths", "/x"], {}, Host(), "1.11")
    assert "-A PREROUTING -i eth9 -j RETURN" in text.restore_text
    with pytest.raises(UsageError, match="--istio-exclude-interfaces"):
        generate(["-u", "1", "--istio-exclude-interfaces", "eth9"], {}, Host(), "1.10")
    with pytest.raises(UsageError, match="--capture-all-dns"):
        generate(["-u", "1", "--capture-all-dns"], {}, Host(), "1.10")
    v6 = rules(["-u", "1", "-q", "8080"], "1.9", host=Host(ipv6=True), family="v6")
    assert "-A ISTIO_OUTPUT -p tcp --dport 8080 -j ISTIO_REDIRECT" in v6  # 1.9 on: -q for IPv6 too
    assert "-A ISTIO_OUTPUT -p tcp --dport 8080 -j ISTIO_REDIRECT" not in rules(
        ["-u", "1", "-q", "8080"], "1.8", host=Host(ipv6=True), family="v6")


def test_1_9_to_1_11_explain_names_ipv4_servers_only() -> None:
    host = Host(ipv6=True, nameservers=("10.96.0.10", "fd00::10"))
    args = ["-u", "1337", "--redirect-dns"]
    assert describe_capture(generate(args, {}, host, "1.11")).dns["servers"] == ["10.96.0.10"]
    assert describe_capture(generate(args, {}, host, "1.12")).dns["servers"] == ["10.96.0.10", "fd00::10"]


NFLOG = "-j NFLOG --nflog-prefix {} --nflog-group 1337 --nflog-size 20"


def test_trace_logging_logs_before_appended_and_after_inserted_rules() -> None:
    args = ["-u", "1337", "-b", "8080", "-i", "*", "-k", "eth9", "-c", "eth8", "--iptables-trace-logging"]
    got = [r.text for r in generate(args, {}, Host(), "1.20").rules.v4]
    quoted = NFLOG.format('"JumpOutbound"')
    at = got.index("-A OUTPUT -p tcp -j ISTIO_OUTPUT")
    assert got[at - 1] == "-A OUTPUT -p tcp " + quoted
    # An inserted rule is followed by its log rule: inserting at the same place puts the log first.
    at = got.index("-I PREROUTING 1 -i eth9 -j ISTIO_REDIRECT")
    assert got[at + 1] == "-I PREROUTING 1 -i eth9 " + NFLOG.format('"KubevirtCommand"')
    assert "-A ISTIO_INBOUND -p tcp --dport 8080 " + NFLOG.format('"IncludeInboundPort"') in got
    assert "-A PREROUTING -i eth8 " + NFLOG.format('"ExcludeInterfaceCommand"') in got
    # Untagged rules get no log rule.
    at = got.index("-I PREROUTING 1 -i eth9 -j RETURN")
    assert got[at + 1] == "-I PREROUTING 1 -i eth9 " + NFLOG.format('"KubevirtCommand"')
    assert sum("NFLOG" in text for text in got) == 8


@pytest.mark.parametrize("version,prefix", [("1.12", '"InboundCapture"'), ("1.23", '"InboundCapture"'),
                                            ("1.24", "InboundCapture"), ("1.25", None)])
def test_trace_logging_per_release(version: str, prefix: str | None) -> None:
    capture = generate(["-u", "1337", "--iptables-trace-logging"], {}, Host(), version)
    texts = [r.text for r in capture.rules.v4]
    if prefix is None:
        assert not any("NFLOG" in text for text in texts)
        assert describe_capture(capture).trace_logging == ()
    else:
        assert "-A ISTIO_IN_REDIRECT -p tcp " + NFLOG.format(prefix) in texts
        assert describe_capture(capture).trace_logging == ("InboundCapture", "JumpOutbound")
    off = generate(["-u", "1337"], {}, Host(), version).rules.v4
    assert not any("NFLOG" in r.text for r in off)


def test_trace_logging_flag_is_gone_after_1_25() -> None:
    with pytest.raises(UsageError, match="unknown istio-iptables 1.26 flag --iptables-trace-logging"):
        generate(["-u", "1337", "--iptables-trace-logging"], {}, Host(), "1.26")


def test_trace_logging_in_explain(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("iptables", "--istio-version", "1.22", "--explain", "--", "-u", "1337", "-b", "*",
                     "--iptables-trace-logging")
    assert result.exit_code == 0, result.stderr
    assert ("Trace logging: packets that hit these rules are logged to NFLOG group 1337 (first 20 bytes): "
            "InboundCapture, JumpInbound, JumpOutbound") in result.stdout
