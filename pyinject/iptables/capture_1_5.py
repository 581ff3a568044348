"""The rules Istio 1.5's istio-iptables adds (tools/istio-iptables/pkg/cmd/run.go at 1.5.10), in its order.

What sets 1.5 apart from later releases: inbound SSH (port 22) is always
exempt when every port is captured; ``-z`` is used only with ``-b '*'``
(otherwise inbound goes to the envoy port); TPROXY sends inbound to the envoy
port and is IPv4 only; IPv6 gets its own REDIRECT-only block after all the
IPv4 rules; OUTPUT jumps to ISTIO_OUTPUT for TCP only; a CIDR list in ``-i``
ends with a RETURN for everything else; there is no tunnel port, DNS capture
or owner-group filter; CIDRs are printed as their network address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyinject.errors import UsageError
from pyinject.iptables.flags import Release
from pyinject.iptables.rules import Host, NetworkRange, RuleSet, add_inbound_port_rules, add_outbound_include_rules, \
    separate_v4_v6, split

SSH_PORT = "22"


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
    include = v["InboundPortsInclude"]
    # -z only counts when every inbound port is captured; otherwise inbound goes to the envoy port.
    inbound_port = v["InboundCapturePort"] if include == "*" else v["ProxyPort"]

    rs.append_v4("ISTIO_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", v["ProxyPort"])
    rs.append_v4("ISTIO_IN_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", inbound_port)
    _inbound_v4(rs, v)
    rs.append_v4("OUTPUT", "nat", "-p", "tcp", "-j", "ISTIO_OUTPUT")
    for port in split(v["OutboundPortsExclude"]):
        rs.append_v4("ISTIO_OUTPUT", "nat", "-p", "tcp", "--dport", port, "-j", "RETURN")
    rs.append_v4("ISTIO_OUTPUT", "nat", "-o", "lo", "-s", "127.0.0.6/32", "-j", "RETURN")
    _owner_rules(rs.append_v4, v, "127.0.0.1/32")
    rs.append_v4("ISTIO_OUTPUT", "nat", "-d", "127.0.0.1/32", "-j", "RETURN")
    for cidr in excl4.cidrs:
        rs.append_v4("ISTIO_OUTPUT", "nat", "-d", cidr, "-j", "RETURN")
    for nic in split(v["RerouteVirtualInterfaces"]):
        rs.insert_v4("PREROUTING", "nat", 1, "-i", nic, "-j", "RETURN")
    add_outbound_include_rules(rs, inc4, v["RerouteVirtualInterfaces"], 4, return_rest=True)
    if host.ipv6:
        _ipv6(rs, v, excl6, inc6)
    return rs


def _owner_rules(add: Callable[..., None], v: Mapping[str, str], loopback: str) -> None:
    for owner, ids in (("--uid-owner", v["ProxyUID"]), ("--gid-owner", v["ProxyGID"])):
        for ident in split(ids):
            add("ISTIO_OUTPUT", "nat", "-o", "lo", "!", "-d", loopback, "-m", "owner", owner, ident,
                "-j", "ISTIO_IN_REDIRECT")
            add("ISTIO_OUTPUT", "nat", "-o", "lo", "-m", "owner", "!", owner, ident, "-j", "RETURN")
            add("ISTIO_OUTPUT", "nat", "-m", "owner", owner, ident, "-j", "RETURN")


def _inbound_v4(rs: RuleSet, v: Mapping[str, str]) -> None:
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
                     "--tproxy-mark", mark + "/0xffffffff", "--on-port", v["ProxyPort"])
        table = "mangle"
    rs.append_v4("PREROUTING", table, "-p", "tcp", "-j", "ISTIO_INBOUND")
    # 1.5 always keeps inbound SSH out of the proxy when every port is captured.
    add_inbound_port_rules(rs.append_v4, table, include, v["InboundPortsExclude"], tproxy, (SSH_PORT,))


def _ipv6(rs: RuleSet, v: Mapping[str, str], excl6: NetworkRange, inc6: NetworkRange) -> None:
    include = v["InboundPortsInclude"]
    rs.append_v6("ISTIO_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports", v["ProxyPort"])
    rs.append_v6("ISTIO_IN_REDIRECT", "nat", "-p", "tcp", "-j", "REDIRECT", "--to-ports",
                 v["InboundCapturePort"] if include == "*" else v["ProxyPort"])
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
    # 1.5 RETURNs a virtual interface's IPv6 traffic where it sends IPv4 to the proxy.
    add_outbound_include_rules(rs, inc6, v["RerouteVirtualInterfaces"], 6, virt_wildcard_target="RETURN",
                               return_rest=True)
