"""The rules of the early Go istio-iptables (tools/istio-iptables/pkg/cmd/run.go): Istio 1.5 to 1.11, in its order.

What sets these apart from later releases: inbound SSH (port 22) is always
exempt when every port is captured; TPROXY sends inbound to the envoy port
and is IPv4 only; IPv6 gets its own REDIRECT-only block after all the IPv4
rules; OUTPUT jumps to ISTIO_OUTPUT for TCP only; a CIDR list in ``-i`` ends
with a RETURN for everything else; there is no owner-group filter; CIDRs are
printed as their network address.  What 1.6 to 1.11 changed is data
(:data:`VARIANTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyinject.errors import UsageError
from pyinject.iptables.flags import Release
from pyinject.iptables.rules import Host, NetworkRange, RuleSet, add_inbound_port_rules, add_outbound_include_rules, \
    separate_v4_v6, split, split_nameservers
from pyinject.records import dataclass

SSH_PORT = "22"
DNS_PORT = "15053"
OUTBOUND_MARK = "1338"


@dataclass(frozen=True)
class Variant:
    """What one early release does differently (the defaults are 1.5's)."""

    #: ISTIO_INBOUND RETURNs the tunnel port (-e) first.
    tunnel_port: bool = False
    #: ISTIO_IN_REDIRECT always goes to -z (1.5: only with -b '*', else to the envoy port).
    capture_port_always: bool = False
    #: -k interfaces are RETURNed first, for both families (1.5: IPv4 only, after the exclusions).
    virt_interfaces_first: bool = False
    #: An app's own calls over lo are left alone only when -i names no loopback range (1.5: always).
    loopback_include_captures_lo: bool = False
    #: TPROXY also marks the proxy's calls from 127.0.0.1 to the pod, for the policy route.
    tproxy_marks_local: bool = False
    #: UDP DNS capture: "" (none), "gid-redirect" (1.6: $DNS_CAPTURE, the proxy's gids other than 0 exempt,
    #: REDIRECT to Envoy's 15013), "dnat" (1.7 on: uid and gid exempt, DNAT to 127.0.0.1 and SNAT back).
    dns: str = ""
    #: With DNS capture, TCP DNS also goes to the agent from ISTIO_REDIRECT (1.8).
    tcp_dns: bool = False
    #: --redirect-dns (1.9 on): TCP and UDP DNS to the pod's IPv4 nameservers go to the agent by REDIRECT, and
    #: the proxy's calls over lo leave TCP port 53 alone; TPROXY hands inbound to -z and marks connections.
    agent_dns: bool = False
    #: Conntrack zones keep the agent's DNS flows apart (raw table): "" (none), "env" (1.10, when
    #: $ISTIO_META_DNS_CONNTRACK_ZONE is true), "always" (1.11).
    dns_conntrack: str = ""
    #: 1.11: --istio-exclude-interfaces and --capture-all-dns; TPROXY marks the proxy's calls to the pod (1338).
    release_1_11: bool = False


#: Release -> its variant (each checked against that tag's run.go).
VARIANTS: dict[str, Variant] = {
    "1.5": Variant(),
    "1.6": Variant(capture_port_always=True, tproxy_marks_local=True, dns="gid-redirect"),
    "1.7": Variant(tunnel_port=True, capture_port_always=True, loopback_include_captures_lo=True,
                   tproxy_marks_local=True, dns="dnat"),
    "1.8": Variant(tunnel_port=True, capture_port_always=True, virt_interfaces_first=True,
                   loopback_include_captures_lo=True, tproxy_marks_local=True, dns="dnat", tcp_dns=True),
    "1.9": Variant(tunnel_port=True, capture_port_always=True, virt_interfaces_first=True,
                   loopback_include_captures_lo=True, agent_dns=True),
    "1.10": Variant(tunnel_port=True, capture_port_always=True, virt_interfaces_first=True,
                    loopback_include_captures_lo=True, agent_dns=True, dns_conntrack="env"),
    "1.11": Variant(tunnel_port=True, capture_port_always=True, virt_interfaces_first=True,
                    loopback_include_captures_lo=True, agent_dns=True, dns_conntrack="always", release_1_11=True),
}

ENVOY_DNS_PORT = "15013"


def dns_target(v: Mapping[str, str], var: Variant) -> str:
    """The port UDP DNS is captured to, or "" when DNS capture is off.

    1.6 reads $DNS_CAPTURE and 1.7 $ISTIO_META_DNS_CAPTURE (any value: Envoy's
    15013) or $DNS_AGENT (any value: the agent's 15053, which wins); 1.8 reads
    $ISTIO_META_DNS_CAPTURE as a boolean (the agent).
    """
    if not var.dns:
        return ""
    if var.tcp_dns:
        return DNS_PORT if _go_bool(v.get("DNSCapture", "false")) else ""
    if v.get("DNSCaptureAgent"):
        return DNS_PORT
    return ENVOY_DNS_PORT if v.get("DNSCaptureEnvoy") else ""


def program(v: Mapping[str, str], host: Host, rel: Release) -> RuleSet:
    """The rules for the settings ``v`` (config field -> value) on a pod described by ``host``."""
    rs = RuleSet(ipv6=host.ipv6)
    if v["SkipRuleApply"] == "true":
        rs.notes.append("no rules are applied (--skip-rule-apply)")
        return rs
    excl4, excl6 = separate_v4_v6(v["OutboundIPRangesExclude"], "-x/--istio-service-exclude-cidr", masked=True)
    if excl4.wildcard:
        raise UsageError("istio-iptables flag -x/--istio-service-exclude-cidr: '*' is not allowed "
                         "(istio-iptables 1.5 panics: Invalid value for OUTBOUND_IP_RANGES_EXCLUDE)")
    inc4, inc6 = separate_v4_v6(v["OutboundIPRangesInclude"], "-i/--istio-service-cidr", masked=True)
    if host.ipv6:
        rs.side_effects.append("ip -6 addr add ::6/128 dev lo")
    var = VARIANTS[rel.version]
    include = v["InboundPortsInclude"]
    # 1.5 uses -z only when every inbound port is captured; otherwise inbound goes to the envoy port.
    inbound_port = v["InboundCapturePort"] if include == "*" or var.capture_port_always else v["ProxyPort"]
    dns = dns_target(v, var)
    agent_dns = var.agent_dns and v.get("RedirectDNS") == "true"
    capture_all_dns = v.get("CaptureAllDNS") == "true"
    servers = [] if capture_all_dns else split_nameservers(host.nameservers)[0]
    keep_lo = not (var.loopback_include_captures_lo and (inc4.has_loopback or inc6.has_loopback))

    if var.release_1_11:
        _exclude_interfaces(rs, v, host.ipv6)

    if var.virt_interfaces_first:
        for nic in split(v["RerouteVirtualInterfaces"]):
            rs.insert_v4("PREROUTING", "nat", 1, "-i", nic, "-j", "RETURN")
            rs.insert_v6("PREROUTING", "nat", 1, "-i", nic, "-j", "RETURN")
    if var.tunnel_port:
        rs.append_v4("ISTIO_INBOUND", "nat", "-p", "tcp", "--dport", v["InboundTunnelPort"], "-j", "RETURN")
    if dns and var.tcp_dns:
        # TCP DNS goes to the agent; the rest of ISTIO_OUTPUT keeps it from looping.
        rs.append_v4("ISTIO_REDIRECT", "nat", "-p", "tcp", "--dport", "53", "-j", "REDIRECT", "--to-ports", DNS_PORT)
    rs.append_v4("ISTIO_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", v["ProxyPort"])
    rs.append_v4("ISTIO_IN_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", inbound_port)
    _inbound_v4(rs, v, v["InboundCapturePort"] if var.agent_dns else v["ProxyPort"])
    rs.append_v4("OUTPUT", "nat", "-p", "tcp", "-j", "ISTIO_OUTPUT")
    for port in split(v["OutboundPortsExclude"]):
        rs.append_v4("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", port, "-j", "RETURN")
    rs.append_v4("ISTIO_OUTPUT", "nat", "-o", "lo", "-s", "127.0.0.6/32", "-j", "RETURN")
    _owner_rules(rs.append_v4, v, "127.0.0.1/32", keep_lo, agent_dns)
    if agent_dns:
        for match in ([()] if capture_all_dns else [("-d", server + "/32") for server in servers]):
            rs.append_v4("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", "53", *match, "-j", "REDIRECT",
                         "--to-ports", DNS_PORT)
    rs.append_v4("ISTIO_OUTPUT", "nat", "-d", "127.0.0.1/32", "-j", "RETURN")
    for cidr in excl4.cidrs:
        rs.append_v4("ISTIO_OUTPUT", "nat", "-d", cidr, "-j", "RETURN")
    if not var.virt_interfaces_first:
        for nic in split(v["RerouteVirtualInterfaces"]):
            rs.insert_v4("PREROUTING", "nat", 1, "-i", nic, "-j", "RETURN")
    for port in split(v.get("OutboundPortsInclude", "")):
        rs.append_v4("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", port, "-j", "ISTIO_REDIRECT")
    add_outbound_include_rules(rs, inc4, v["RerouteVirtualInterfaces"], 4, return_rest=True)
    if host.ipv6:
        _ipv6(rs, v, excl6, inc6, var)
    if dns:
        _dns(rs, v, var, dns)
    if agent_dns:
        conntrack = var.dns_conntrack == "always" or (
            var.dns_conntrack == "env" and _go_bool(v.get("DNSConntrackZone", "false")))
        _agent_dns_udp(rs, v, servers, capture_all_dns, conntrack)
    if var.agent_dns and v["InboundInterceptionMode"] == "TPROXY":
        _tproxy_connmark(rs, v, var.release_1_11)
    if var.tproxy_marks_local and v["InboundInterceptionMode"] == "TPROXY":
        rs.append_v4("OUTPUT", "mangle", "-p", "tcp", "-s", "127.0.0.1/32", "!", "-d", "127.0.0.1/32",
                     "-j", "MARK", "--set-mark", v["InboundTProxyMark"])
    return rs


def _go_bool(text: str) -> bool:
    return text in ("1", "t", "T", "true", "TRUE", "True")


def _dns(rs: RuleSet, v: Mapping[str, str], var: Variant, port: str) -> None:
    """DNS capture (IPv4 only): UDP DNS goes to ``port``, except the proxy's own."""
    if var.dns == "gid-redirect":
        for gid in split(v["ProxyGID"]):
            if gid != "0":
                rs.append_v4("OUTPUT", "nat", "-p", "udp", "--dport", "53", "-m", "owner", "--gid-owner", gid,
                             "-j", "RETURN")
        rs.append_v4("OUTPUT", "nat", "-p", "udp", "--dport", "53", "-j", "REDIRECT", "--to-ports", port)
        return
    for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"])):
        for ident in split(ids):
            rs.append_v4("OUTPUT", "nat", "-p", "udp", "--dport", "53", "-m", "owner", owner, ident, "-j", "RETURN")
    rs.append_v4("OUTPUT", "nat", "-p", "udp", "--dport", "53", "-j", "DNAT", "--to-destination",
                 "127.0.0.1:" + port)
    # The listener answers from 127.0.0.1, so the query must come from there too.
    rs.append_v4("POSTROUTING", "nat", "-p", "udp", "--dport", port, "-j", "SNAT", "--to-source", "127.0.0.1")


def _owner_rules(add: Callable[..., None], v: Mapping[str, str], loopback: str, keep_lo: bool = True,
                 agent_dns: bool = False) -> None:
    """With --redirect-dns (1.9 on), TCP DNS over lo is neither sent back in (uid) nor left alone."""
    not_dns = ("-p", "tcp", "!", "--dport", "53") if agent_dns else ()
    for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"])):
        for ident in split(ids):
            add("ISTIO_OUTPUT", "nat", "-o", "lo", "!", "-d", loopback, *(not_dns if owner == "--uid-owner" else ()),
                "-m", "owner", owner, ident, "-j", "ISTIO_IN_REDIRECT")
            if keep_lo:
                add("ISTIO_OUTPUT", "nat", "-o", "lo", *not_dns, "-m", "owner", "!", owner, ident, "-j", "RETURN")
            add("ISTIO_OUTPUT", "nat", "-m", "owner", owner, ident, "-j", "RETURN")


def _inbound_v4(rs: RuleSet, v: Mapping[str, str], tproxy_port: str) -> None:
    include = v["InboundPortsInclude"]
    if not include:
        return
    tproxy = v["InboundInterceptionMode"] == "TPROXY"
    table = "nat"
    if tproxy:
        mark, route_table = v["InboundTProxyMark"], v["InboundTProxyRouteTable"]
        rs.append_v4("ISTIO_DIVERT", "mangle", "-j", "MARK", "--set-mark", mark)
        rs.append_v4("ISTIO_DIVERT", "mangle", "-j", "ACCEPT")
        rs.side_effects += [f"ip -f inet rule add fwmark {mark} lookup {route_table}",
                            f"ip -f inet route add local default dev lo table {route_table}"]
        rs.append_v4("ISTIO_TPROXY", "mangle", "!", "-d", "127.0.0.1/32", "-p", "tcp", "-j", "TPROXY",
                     "--tproxy-mark", mark + "/0xffffffff", "--on-port", tproxy_port)
        table = "mangle"
    rs.append_v4("PREROUTING", table, "-p", "tcp", "-j", "ISTIO_INBOUND")
    # 1.5 always keeps inbound SSH out of the proxy when every port is captured.
    add_inbound_port_rules(rs.append_v4, table, include, v["InboundPortsExclude"], tproxy, (SSH_PORT,))


def _ipv6(rs: RuleSet, v: Mapping[str, str], excl6: NetworkRange, inc6: NetworkRange, var: Variant) -> None:
    include = v["InboundPortsInclude"]
    if var.tunnel_port:
        rs.append_v6("ISTIO_INBOUND", "nat", "-p", "tcp", "--dport", v["InboundTunnelPort"], "-j", "RETURN")
    rs.append_v6("ISTIO_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", v["ProxyPort"])
    rs.append_v6("ISTIO_IN_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports",
                 v["InboundCapturePort"] if include == "*" or var.capture_port_always else v["ProxyPort"])
    if include:
        rs.append_v6("PREROUTING", "nat", "-p", "tcp", "-j", "ISTIO_INBOUND")
        add_inbound_port_rules(rs.append_v6, "nat", include, v["InboundPortsExclude"], False, (SSH_PORT,))
    rs.append_v6("OUTPUT", "nat", "-p", "tcp", "-j", "ISTIO_OUTPUT")
    for port in split(v["OutboundPortsExclude"]):
        rs.append_v6("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", port, "-j", "RETURN")
    rs.append_v6("ISTIO_OUTPUT", "nat", "-o", "lo", "-s", "::6/128", "-j", "RETURN")
    _owner_rules(rs.append_v6, v, "::1/128")
    rs.append_v6("ISTIO_OUTPUT", "nat", "-d", "::1/128", "-j", "RETURN")
    for cidr in excl6.cidrs:
        rs.append_v6("ISTIO_OUTPUT", "nat", "-d", cidr, "-j", "RETURN")
    if var.agent_dns:  # 1.9 on: -q for IPv6 too
        for port in split(v.get("OutboundPortsInclude", "")):
            rs.append_v6("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", port, "-j", "ISTIO_REDIRECT")
    # 1.5 RETURNs a virtual interface's IPv6 traffic where it sends IPv4 to the proxy.
    add_outbound_include_rules(rs, inc6, v["RerouteVirtualInterfaces"], 6, virt_wildcard_target="RETURN",
                               return_rest=True)


def _exclude_interfaces(rs: RuleSet, v: Mapping[str, str], ipv6: bool) -> None:
    """1.11: traffic through the -c interfaces is never captured (nat, and mangle under TPROXY)."""
    tables = ("nat", "mangle") if v["InboundInterceptionMode"] == "TPROXY" else ("nat",)
    adds = (rs.append_v4, rs.append_v6) if ipv6 else (rs.append_v4,)
    for table in tables:
        for nic in split(v.get("ExcludeInterfaces", "")):
            for add in adds:
                add("PREROUTING", table, "-i", nic, "-j", "RETURN")
                add("OUTPUT", table, "-o", nic, "-j", "RETURN")


def _agent_dns_udp(rs: RuleSet, v: Mapping[str, str], servers: list[str], capture_all: bool, zones: bool) -> None:
    """1.9-1.11: UDP DNS to the IPv4 nameservers (or all, 1.11's --capture-all-dns) goes to the agent."""
    owners = [(owner, ident) for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"]))
              for ident in split(ids)]
    for owner, ident in owners:
        rs.append_v4("OUTPUT", "nat", "-p", "udp", "--dport", "53", "-m", "owner", owner, ident, "-j", "RETURN")
    matches = [()] if capture_all else [("-d", server + "/32") for server in servers]
    for match in matches:
        rs.append_v4("OUTPUT", "nat", "-p", "udp", "--dport", "53", *match, "-j", "REDIRECT", "--to-port", DNS_PORT)
    if not zones:
        return
    # Zone 1: the agent and its upstream; zone 2: the app and the agent.
    for owner, ident in owners:
        rs.append_v4("OUTPUT", "raw", "-p", "udp", "--dport", "53", "-m", "owner", owner, ident,
                     "-j", "CT", "--zone", "1")
        rs.append_v4("OUTPUT", "raw", "-p", "udp", "--sport", DNS_PORT, "-m", "owner", owner, ident,
                     "-j", "CT", "--zone", "2")
    for match in matches:
        rs.append_v4("OUTPUT", "raw", "-p", "udp", "--dport", "53", *match, "-j", "CT", "--zone", "2")
        # The reply matches the server as destination, as Istio wrote it (so it never matches).
        rs.append_v4("PREROUTING", "raw", "-p", "udp", "--sport", "53", *match, "-j", "CT", "--zone", "1")


def _tproxy_connmark(rs: RuleSet, v: Mapping[str, str], outbound_mark: bool) -> None:
    """1.9-1.11 TPROXY (IPv4): the proxy's original-source mark follows the connection; 1.11 also marks the
    proxy's calls to the pod over lo (1338) so that inbound capture leaves them alone."""
    mark = v["InboundTProxyMark"]
    rs.append_v4("PREROUTING", "mangle", "-p", "tcp", "-m", "mark", "--mark", mark, "-j", "CONNMARK", "--save-mark")
    if outbound_mark:
        rs.append_v4("OUTPUT", "mangle", "-p", "tcp", "-o", "lo", "-m", "mark", "--mark", mark, "-j", "RETURN")
        for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"])):
            for ident in split(ids):
                rs.append_v4("OUTPUT", "mangle", "!", "-d", "127.0.0.1/32", "-p", "tcp", "-o", "lo", "-m", "owner",
                             owner, ident, "-j", "MARK", "--set-mark", OUTBOUND_MARK)
    rs.append_v4("OUTPUT", "mangle", "-p", "tcp", "-m", "connmark", "--mark", mark, "-j", "CONNMARK", "--restore-mark")
    rs.insert_v4("ISTIO_INBOUND", "mangle", 1, "-p", "tcp", "-m", "mark", "--mark", mark, "-j", "RETURN")
    if outbound_mark:
        rs.insert_v4("ISTIO_INBOUND", "mangle", 2, "-p", "tcp", "-s", "127.0.0.6/32", "-i", "lo", "-j", "RETURN")
        rs.insert_v4("ISTIO_INBOUND", "mangle", 3, "-p", "tcp", "-i", "lo", "-m", "mark", "!", "--mark", OUTBOUND_MARK,
                     "-j", "RETURN")
