"""The rules Istio 1.30's istio-iptables adds (tools/istio-iptables/pkg/capture/run.go), in its order.

Same order as Istio's ``Run()``: interface short-circuits, invalid-packet drop,
the tunnel-port exemption, the two REDIRECT chains, inbound capture, the
OUTPUT jump, outbound port exclusions, the 127.0.0.6 passthrough, the proxy
uid/gid rules, owner-group filters, DNS capture, the loopback skip, outbound
CIDR exclusions and inclusions, and TPROXY's mark handling last.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyinject.iptables.rules import FAMILY_ADDRESS as ADDR, Host, RuleSet, add_inbound_port_rules, \
    add_outbound_include_rules, separate_v4_v6, split, split_nameservers
from pyinject.errors import UsageError
from pyinject.iptables.flags import Release

DNS_PORT = "15053"
OUTBOUND_MARK = "1338"
SSH_PORT = "22"


def program(v: Mapping[str, str], host: Host, rel: Release) -> RuleSet:
    """The rules for the settings ``v`` (config field -> value) on a pod described by ``host``."""
    rs = RuleSet(ipv6=host.ipv6, trace=rel.trace_logging if v.get("TraceLogging") == "true" else "")
    skipped = rs.notes if rel.bad_cidr == "skip" else None
    if v["SkipRuleApply"] == "true" or v.get("CleanupOnly") == "true":
        rs.notes.append("no rules are applied (--skip-rule-apply / --cleanup-only)")
        return rs
    if v.get("NativeNftables") == "true":
        rs.notes.append("--native-nftables programs nftables, not iptables: there is no iptables-restore input")
        return rs
    excl4, excl6 = separate_v4_v6(v["OutboundIPRangesExclude"], "-x/--istio-service-exclude-cidr", masked=False,
                                  skipped=skipped)
    if excl4.wildcard:
        raise UsageError("istio-iptables flag -x/--istio-service-exclude-cidr: '*' is not allowed "
                         "(istio-iptables fails with: invalid value for OUTBOUND_IP_RANGES_EXCLUDE)")
    inc4, inc6 = separate_v4_v6(v["OutboundIPRangesInclude"], "-i/--istio-service-cidr", masked=False, skipped=skipped)
    loop = v.get("HostIPv4LoopbackCidr", "127.0.0.1/32")
    mode_tproxy = v["InboundInterceptionMode"] == "TPROXY"
    capture_all_dns = v["CaptureAllDNS"] == "true"
    dns4, dns6 = ([], []) if capture_all_dns or v["RedirectDNS"] != "true" else split_nameservers(host.nameservers)
    redirect_dns = v["RedirectDNS"] == "true"
    if rel.dns_chain and redirect_dns and not capture_all_dns and not dns4 and not dns6:
        rs.notes.append("REDIRECT_DNS is set, but CAPTURE_ALL_DNS is false, and no DNS servers provided "
                        "(give --nameserver): DNS capture disabled")
        redirect_dns = False
    tunnel = v["InboundTunnelPort"]

    for nic in split(v["ExcludeInterfaces"]):
        rs.append("PREROUTING", "nat", "-i", nic, "-j", "RETURN", log="ExcludeInterfaceCommand")
        rs.append("OUTPUT", "nat", "-o", nic, "-j", "RETURN", log="ExcludeInterfaceCommand")
    if mode_tproxy:
        for nic in split(v["ExcludeInterfaces"]):
            rs.append("PREROUTING", "mangle", "-i", nic, "-j", "RETURN", log="ExcludeInterfaceCommand")
            rs.append("OUTPUT", "mangle", "-o", nic, "-j", "RETURN", log="ExcludeInterfaceCommand")
    for nic in split(v["RerouteVirtualInterfaces"]):
        rs.insert("PREROUTING", "nat", 1, "-i", nic, "-j", "RETURN", log="KubevirtCommand")
    if v["DropInvalid"] == "true" and rel.drop_chain:
        rs.append("PREROUTING", "mangle", "-m", "conntrack", "--ctstate", "INVALID", "-j", "ISTIO_DROP")
        rs.append("ISTIO_DROP", "mangle", "-j", "DROP")
    elif v["DropInvalid"] == "true":
        rs.append("PREROUTING", "mangle", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")

    rs.append("ISTIO_INBOUND", "nat", "-p", "tcp", "--dport", tunnel, "-j", "RETURN")
    rs.append("ISTIO_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", v["ProxyPort"])
    rs.append("ISTIO_IN_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", v["InboundCapturePort"],
              log="InboundCapture")
    _inbound(rs, v, mode_tproxy, rel.ssh_exempt)
    rs.append("OUTPUT", "nat", *(() if rel.dns_chain else ("-p", "tcp")), "-j", "ISTIO_OUTPUT", log="JumpOutbound")
    for port in split(v["OutboundPortsExclude"]):
        rs.append("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", port, "-j", "RETURN")
        if rel.dns_chain:
            rs.append("ISTIO_OUTPUT", "nat", "-p", "udp", "--dport", port, "-j", "RETURN")
    rs.append_versioned("127.0.0.6/32", "::6/128", "ISTIO_OUTPUT", "nat", "-o", "lo", "-s", ADDR, "-j", "RETURN")

    loopback_included = inc4.has_loopback or inc6.has_loopback
    for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"])):
        for ident in split(ids):
            # The app calling itself through a service VIP goes app -> Envoy out -> Envoy in -> app.
            if not rel.lo_redirect_exempts_tunnel:
                dns_port = ("-p", "tcp", "!", "--dport", "53") if redirect_dns and owner == "--uid-owner" else ()
                rs.append_versioned(loop, "::1/128", "ISTIO_OUTPUT", "nat", "-o", "lo", "!", "-d", ADDR, *dns_port,
                                    "-m", "owner", owner, ident, "-j", "ISTIO_IN_REDIRECT")
            elif redirect_dns and owner == "--uid-owner":
                rs.append_versioned(loop, "::1/128", "ISTIO_OUTPUT", "nat", "-o", "lo", "!", "-d", ADDR, "-p", "tcp",
                                    "-m", "multiport", "!", "--dports", "53," + tunnel,
                                    "-m", "owner", owner, ident, "-j", "ISTIO_IN_REDIRECT")
            else:
                rs.append_versioned(loop, "::1/128", "ISTIO_OUTPUT", "nat", "-o", "lo", "!", "-d", ADDR, "-p", "tcp",
                                    "!", "--dport", tunnel, "-m", "owner", owner, ident, "-j", "ISTIO_IN_REDIRECT")
            # The app calling itself by its own address on lo is left alone, unless -i names loopback.
            if not loopback_included:
                if redirect_dns:
                    rs.append("ISTIO_OUTPUT", "nat", "-o", "lo", "-p", "tcp", "!", "--dport", "53",
                              "-m", "owner", "!", owner, ident, "-j", "RETURN")
                else:
                    rs.append("ISTIO_OUTPUT", "nat", "-o", "lo", "-m", "owner", "!", owner, ident, "-j", "RETURN")
            # The proxy's own traffic is never captured again (no loops).
            rs.append("ISTIO_OUTPUT", "nat", "-m", "owner", owner, ident, "-j", "RETURN")

    _owner_groups(rs, v.get("OwnerGroupsInclude", "*"), v.get("OwnerGroupsExclude", ""))
    if redirect_dns and rel.dns_chain:
        _dns(rs, v["ProxyUID"], v["ProxyGID"], dns4, dns6, capture_all_dns)
    elif redirect_dns:
        _dns_inline_tcp(rs, dns4, dns6, capture_all_dns)
    rs.append_versioned(loop, "::1/128", "ISTIO_OUTPUT", "nat", "-d", ADDR, "-j", "RETURN")
    for cidr in excl4.cidrs:
        rs.append_v4("ISTIO_OUTPUT", "nat", "-d", cidr, "-j", "RETURN")
    for cidr in excl6.cidrs:
        rs.append_v6("ISTIO_OUTPUT", "nat", "-d", cidr, "-j", "RETURN")
    for port in split(v["OutboundPortsInclude"]):
        rs.append("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", port, "-j", "ISTIO_REDIRECT")
    add_outbound_include_rules(rs, inc4, v["RerouteVirtualInterfaces"], 4, return_rest=rel.include_return_rest)
    add_outbound_include_rules(rs, inc6, v["RerouteVirtualInterfaces"], 6, return_rest=rel.include_return_rest)
    if redirect_dns and not rel.dns_chain:
        _dns_inline_udp(rs, v, dns4, dns6, capture_all_dns, rel.udp_dns_chain, rel.dns_reply_match)
    if mode_tproxy:
        _tproxy_marks(rs, v, loop)
    # Netlink calls after the restore (ConfigureRoutes), written as the equivalent `ip` commands.
    if host.ipv6:
        rs.side_effects.append("ip -6 addr add ::6/128 dev lo")
    if mode_tproxy and v["InboundPortsInclude"]:
        table, mark = v["InboundTProxyRouteTable"], v["InboundTProxyMark"]
        families = ("-4", "-6") if host.ipv6 else ("-4",)
        rs.side_effects += [f"ip {f} rule add fwmark {mark} lookup {table}" for f in families]
        rs.side_effects += [f"ip {f} route add local {'0.0.0.0/0' if f == '-4' else '::/0'} dev lo table {table}"
                            for f in families]
    return rs


def _inbound(rs: RuleSet, v: Mapping[str, str], tproxy: bool, ssh_exempt: bool) -> None:
    include = v["InboundPortsInclude"]
    if not include:
        return
    table = "nat"
    if tproxy:
        # Marked packets are routed to lo (policy route), where TPROXY hands them to the proxy.
        rs.append("ISTIO_DIVERT", "mangle", "-j", "MARK", "--set-mark", v["InboundTProxyMark"])
        rs.append("ISTIO_DIVERT", "mangle", "-j", "ACCEPT")
        rs.append_versioned(v.get("HostIPv4LoopbackCidr", "127.0.0.1/32"), "::1/128", "ISTIO_TPROXY", "mangle", "!", "-d", ADDR,
                            "-p", "tcp", "-j", "TPROXY", "--tproxy-mark", v["InboundTProxyMark"] + "/0xffffffff",
                            "--on-port", v["InboundCapturePort"])
        table = "mangle"
    rs.append("PREROUTING", table, "-p", "tcp", "-j", "ISTIO_INBOUND", log="JumpInbound")
    always_return = (SSH_PORT,) if ssh_exempt else ()
    add_inbound_port_rules(rs.append, table, include, v["InboundPortsExclude"], tproxy, always_return)


def _owner_groups(rs: RuleSet, include: str, exclude: str) -> None:
    if include == "*":
        for group in split(exclude):
            rs.append("ISTIO_OUTPUT", "nat", "-m", "owner", "--gid-owner", group, "-j", "RETURN")
        return
    matchers: list[str] = []
    for group in split(include):
        matchers += ["-m", "owner", "!", "--gid-owner", group]
    rs.append("ISTIO_OUTPUT", "nat", *matchers, "-j", "RETURN")


def _dns(rs: RuleSet, uids: str, gids: str, dns4: list[str], dns6: list[str], capture_all: bool) -> None:
    rs.append("OUTPUT", "raw", "-j", "ISTIO_OUTPUT_DNS")
    if capture_all or dns4:
        rs.append_v4("ISTIO_OUTPUT", "nat", "-j", "ISTIO_OUTPUT_DNS")
    if capture_all or dns6:
        rs.append_v6("ISTIO_OUTPUT", "nat", "-j", "ISTIO_OUTPUT_DNS")
    _per_dns_server(rs, "ISTIO_OUTPUT_DNS", "nat", capture_all, dns4, dns6, "tcp", ("-j", "REDIRECT", "--to-ports",
                                                                                  DNS_PORT))
    # Istio spells the UDP redirect --to-port (singular); iptables takes both.
    _per_dns_server(rs, "ISTIO_OUTPUT_DNS", "nat", capture_all, dns4, dns6, "udp", ("-j", "REDIRECT", "--to-port",
                                                                                  DNS_PORT))
    # Conntrack zones keep proxy<->upstream (zone 1) apart from app<->proxy (zone 2) DNS flows.
    for owner, ids in (("--uid-owner", uids), ("--gid-owner", gids)):
        for ident in split(ids):
            rs.append("ISTIO_OUTPUT_DNS", "raw", "-p", "udp", "--dport", "53", "-m", "owner", owner, ident,
                      "-j", "CT", "--zone", "1")
            rs.append("ISTIO_OUTPUT_DNS", "raw", "-p", "udp", "--sport", DNS_PORT, "-m", "owner", owner, ident,
                      "-j", "CT", "--zone", "2")
    if capture_all:
        rs.append("PREROUTING", "raw", "-j", "ISTIO_INBOUND")
        rs.append("ISTIO_OUTPUT_DNS", "raw", "-p", "udp", "--dport", "53", "-j", "CT", "--zone", "2")
        rs.append("ISTIO_INBOUND", "raw", "-p", "udp", "--sport", "53", "-j", "CT", "--zone", "1")
        return
    if dns4:
        rs.append_v4("PREROUTING", "raw", "-j", "ISTIO_INBOUND")
    for server in dns4:
        rs.append_v4("ISTIO_OUTPUT_DNS", "raw", "-p", "udp", "--dport", "53", "-d", server + "/32",
                     "-j", "CT", "--zone", "2")
        rs.append_v4("ISTIO_INBOUND", "raw", "-p", "udp", "--sport", "53", "-s", server + "/32",
                     "-j", "CT", "--zone", "1")
    if dns6:
        rs.append_v6("PREROUTING", "raw", "-j", "ISTIO_INBOUND")
    for server in dns6:
        rs.append_v6("ISTIO_OUTPUT_DNS", "raw", "-p", "udp", "--dport", "53", "-d", server + "/128",
                     "-j", "CT", "--zone", "2")
        rs.append_v6("ISTIO_INBOUND", "raw", "-p", "udp", "--sport", "53", "-s", server + "/128",
                     "-j", "CT", "--zone", "1")


def _per_dns_server(rs: RuleSet, chain: str, table: str, capture_all: bool, dns4: list[str], dns6: list[str],
                    proto: str, target: tuple[str, ...]) -> None:
    """One rule for DNS (``proto`` port 53) to each nameserver, or a single one for all with --capture-all-dns."""
    if capture_all:
        rs.append(chain, table, "-p", proto, "--dport", "53", *target)
        return
    for servers, bits, add in ((dns4, "/32", rs.append_v4), (dns6, "/128", rs.append_v6)):
        for server in servers:
            add(chain, table, "-p", proto, "--dport", "53", "-d", server + bits, *target)


def _dns_inline_tcp(rs: RuleSet, dns4: list[str], dns6: list[str], capture_all: bool) -> None:
    """1.24: TCP DNS to the agent straight from ISTIO_OUTPUT."""
    _per_dns_server(rs, "ISTIO_OUTPUT", "nat", capture_all, dns4, dns6, "tcp", ("-j", "REDIRECT", "--to-ports", DNS_PORT))


def _dns_inline_udp(rs: RuleSet, v: Mapping[str, str], dns4: list[str], dns6: list[str], capture_all: bool,
                    chain: str, reply_match: str) -> None:
    """1.22-1.24: in ``chain`` (nat and raw) the proxy's own DNS returns and the rest goes to the agent.

    1.23 and 1.24 jump from OUTPUT to ISTIO_OUTPUT for UDP first; 1.22 writes the rules in OUTPUT.
    """
    if chain != "OUTPUT":
        rs.append("OUTPUT", "nat", "-p", "udp", "-j", chain, log="JumpOutbound")
        rs.append("OUTPUT", "raw", "-p", "udp", "-j", chain, log="JumpOutbound")
    owners = [(owner, ident) for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"]))
              for ident in split(ids)]
    for owner, ident in owners:
        rs.append(chain, "nat", "-p", "udp", "--dport", "53", "-m", "owner", owner, ident, "-j", "RETURN")
    if v.get("OwnerGroupsInclude", "*") == "*":
        for group in split(v.get("OwnerGroupsExclude", "")):
            rs.append(chain, "nat", "-p", "udp", "--dport", "53", "-m", "owner", "--gid-owner", group,
                      "-j", "RETURN")
    else:
        matchers = [m for group in split(v["OwnerGroupsInclude"]) for m in ("-m", "owner", "!", "--gid-owner", group)]
        rs.append(chain, "nat", "-p", "udp", "--dport", "53", *matchers, "-j", "RETURN")
    _udp_dns_pairs(rs, chain, "nat", capture_all, dns4, dns6, ("-j", "REDIRECT", "--to-port", DNS_PORT), None)
    for owner, ident in owners:
        rs.append(chain, "raw", "-p", "udp", "--dport", "53", "-m", "owner", owner, ident,
                  "-j", "CT", "--zone", "1")
        rs.append(chain, "raw", "-p", "udp", "--sport", DNS_PORT, "-m", "owner", owner, ident,
                  "-j", "CT", "--zone", "2")
    _udp_dns_pairs(rs, chain, "raw", capture_all, dns4, dns6, ("-j", "CT", "--zone", "2"), ("-j", "CT", "--zone", "1"),
                   reply_match)


def _udp_dns_pairs(rs: RuleSet, chain: str, table: str, capture_all: bool, dns4: list[str], dns6: list[str],
                   outbound: tuple[str, ...], reply: tuple[str, ...] | None, reply_match: str = "-s") -> None:
    """Per nameserver (or for all with --capture-all-dns): the rule for queries, and for replies when given.

    ``reply_match``: how a reply names the server, ``-s`` (1.20 on) or ``-d`` (1.19, which so misses replies).
    """
    if capture_all:
        rs.append(chain, table, "-p", "udp", "--dport", "53", *outbound)
        if reply:
            rs.append("PREROUTING", table, "-p", "udp", "--sport", "53", *reply)
        return
    for servers, bits, add in ((dns4, "/32", rs.append_v4), (dns6, "/128", rs.append_v6)):
        for server in servers:
            add(chain, table, "-p", "udp", "--dport", "53", "-d", server + bits, *outbound)
            if reply:
                add("PREROUTING", table, "-p", "udp", "--sport", "53", reply_match, server + bits, *reply)


def _tproxy_marks(rs: RuleSet, v: Mapping[str, str], loop: str) -> None:
    mark = v["InboundTProxyMark"]
    # The mark the proxy's original_src listener sets becomes the connection's mark...
    rs.append("PREROUTING", "mangle", "-p", "tcp", "-m", "mark", "--mark", mark, "-j", "CONNMARK", "--save-mark")
    rs.append("OUTPUT", "mangle", "-p", "tcp", "-o", "lo", "-m", "mark", "--mark", mark, "-j", "RETURN")
    # ...and the proxy's own calls to the app by pod IP carry 1338, so inbound capture leaves them alone.
    for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"])):
        for ident in split(ids):
            rs.append_versioned(loop, "::1/128", "OUTPUT", "mangle", "!", "-d", ADDR, "-p", "tcp", "-o", "lo",
                                "-m", "owner", owner, ident, "-j", "MARK", "--set-mark", OUTBOUND_MARK)
    rs.append("OUTPUT", "mangle", "-p", "tcp", "-m", "connmark", "--mark", mark, "-j", "CONNMARK", "--restore-mark")
    rs.insert("ISTIO_INBOUND", "mangle", 1, "-p", "tcp", "-m", "mark", "--mark", mark, "-j", "RETURN")
    rs.insert_v4("ISTIO_INBOUND", "mangle", 2, "-p", "tcp", "-s", "127.0.0.6/32", "-i", "lo", "-j", "RETURN")
    rs.insert_v6("ISTIO_INBOUND", "mangle", 2, "-p", "tcp", "-s", "::6/128", "-i", "lo", "-j", "RETURN")
    rs.insert("ISTIO_INBOUND", "mangle", 3, "-p", "tcp", "-i", "lo", "-m", "mark", "!", "--mark", OUTBOUND_MARK,
              "-j", "RETURN")
