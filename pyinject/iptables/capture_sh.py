"""The rules of the bash istio-iptables.sh that istio-init ran in Istio 1.0 to 1.4, in its order.

Those releases ran one ``iptables``/``ip6tables`` command per rule rather than
``iptables-restore``.  Here each command becomes one line of restore input, in
the script's order and spelling, ``-N`` chain creations included where the
script runs them (so the output is the script's commands expressed as restore
input, and loads with ``iptables-restore --noflush`` to the same state).  Left
out: the clean-up commands 1.0 to 1.3 run first (``-D``/``-F``/``-X`` of Istio
chains, which fail harmlessly on a fresh pod) and the ``ip`` commands (kept as
side effects).  What changed from release to release is data (:data:`VARIANTS`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pyinject.iptables.flags import Release
from pyinject.iptables.rules import Host, NetworkRange, Rule, RuleSet, split
from pyinject.records import dataclass

SSH_PORT = "22"


@dataclass(frozen=True)
class Variant:
    """What one script release does (the defaults are 1.4's)."""

    #: CIDRs are sorted by family with the script's own address checks, and odd ones dropped (1.2 on);
    #: before that every -i/-x item is used, as written, for IPv4.
    cidr_by_family: bool = True
    #: IPv6 pods get ip6tables rules: "full" (1.2 on), "wildcard" (1.1: only -i '*' is captured), "none" (1.0).
    ipv6_rules: str = "full"
    #: ISTIO_IN_REDIRECT goes to -z only with -b '*', else to the envoy port (1.3 on); before, always to
    #: $INBOUND_CAPTURE_PORT, which defaults to the envoy port.
    capture_port_wildcard_only: bool = True
    #: An app's calls over lo to a non-loopback address go to the inbound chain, and 127.0.0.6 is
    #: passed through (1.3 on); before, those calls go to ISTIO_REDIRECT (outbound).
    inbound_passthrough: bool = True
    #: $DISABLE_REDIRECTION_ON_LOCAL_LOOPBACK can turn the IPv4 lo rule off (1.1 on).
    loopback_switch: bool = True
    #: The IPv6 INPUT lock-down of an IPv4 pod lets ::1 on lo in (1.1 on).
    ipv6_lock_allows_lo: bool = True
    #: -k exists (1.1 on).
    virt_interfaces: bool = True


VARIANTS: dict[str, Variant] = {
    "1.0": Variant(cidr_by_family=False, ipv6_rules="none", capture_port_wildcard_only=False,
                   inbound_passthrough=False, loopback_switch=False, ipv6_lock_allows_lo=False,
                   virt_interfaces=False),
    "1.1": Variant(cidr_by_family=False, ipv6_rules="wildcard", capture_port_wildcard_only=False,
                   inbound_passthrough=False),
    "1.2": Variant(capture_port_wildcard_only=False, inbound_passthrough=False),
    "1.3": Variant(),
    "1.4": Variant(),
}


class _Family:
    """Adds one family's commands (``iptables`` or ``ip6tables``) in the script's order."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    def new(self, table: str, chain: str) -> None:
        self.rules.append(Rule(table, chain, ("-N", chain)))

    def add(self, table: str, chain: str, *params: str) -> None:
        self.rules.append(Rule(table, chain, ("-A", chain) + params))

    def insert(self, table: str, chain: str, *params: str) -> None:
        self.rules.append(Rule(table, chain, ("-I", chain, "1") + params))

    def flush(self, table: str, chain: str) -> None:
        self.rules.append(Rule(table, chain, ("-F", chain)))


def is_ipv4(text: str) -> bool:
    """The script's IPv4 check: four dot-separated groups of 1-3 digits."""
    return re.fullmatch(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", text) is not None


def is_ipv6(text: str) -> bool:
    """The script's IPv6 check: up to 8 ':'-parts of 1-4 hex digits, one of them (not the first) empty.

    So ``::1`` or ``::/0`` do not count as IPv6 (their first part is empty).  The
    parts are split as bash's ``read -a`` does: a trailing ':' adds no empty part.
    """
    parts = text.split(":")
    if parts[-1] == "":
        parts.pop()
    if not parts:
        return False
    skipped = 0
    for index, part in enumerate(parts):
        if index >= 8:
            return False
        if re.fullmatch(r"[0-9a-fA-F]{1,4}", part):
            continue
        if index == 0 or part or skipped:
            return False
        skipped += 1
    return True


def _by_family(value: str, var: Variant) -> tuple[list[str], list[str], bool]:
    """(IPv4 items, IPv6 items, wildcard) of a -i/-x value, as the release sorts them."""
    if value == "*":
        return [], [], True
    items = split(value)
    if not var.cidr_by_family:
        return items, [], False
    v4: list[str] = []
    v6: list[str] = []
    for item in items:
        address = item.rsplit("/", 1)[0] if "/" in item else item
        if is_ipv4(address):
            v4.append(item)
        elif is_ipv6(address):
            v6.append(item)
    return v4, v6, False


def network_ranges(value: str, version: str) -> tuple[NetworkRange, NetworkRange]:
    """A -i/-x value as release ``version`` of the script reads it, per family."""
    v4, v6, wildcard = _by_family(value, VARIANTS[version])
    if wildcard:
        return NetworkRange(wildcard=True), NetworkRange(wildcard=True)
    return NetworkRange(cidrs=tuple(v4)), NetworkRange(cidrs=tuple(v6))


def program(v: Mapping[str, str], host: Host, rel: Release) -> RuleSet:
    """The rules for the settings ``v`` (config field -> value) on a pod described by ``host``."""
    var = VARIANTS[rel.version]
    ipv6 = host.ipv6 if var.ipv6_rules != "none" else v.get("EnableInboundIPv6", "") != ""
    rs = RuleSet(ipv6=ipv6)
    if var.ipv6_rules == "none" and host.ipv6:
        rs.notes.append("istio-iptables.sh of 1.0 does not look at the pod's address: IPv6 is governed by "
                        "$ENABLE_INBOUND_IPV6 alone")
    ip4, ip6 = _Family(rs.v4), _Family(rs.v6)
    proxy, include, mode = v["ProxyPort"], v["InboundPortsInclude"], v["InboundInterceptionMode"]
    if var.capture_port_wildcard_only:
        inbound_port = v["InboundCapturePort"] if include == "*" else proxy
    else:
        inbound_port = v["InboundCapturePort"] or proxy
    inc4, inc6, inc_all = _by_family(v["OutboundIPRangesInclude"], var)
    exc4, exc6, _ = _by_family(v["OutboundIPRangesExclude"], var)
    virt = split(v.get("RerouteVirtualInterfaces", "")) if var.virt_interfaces else []
    if ipv6 and var.inbound_passthrough:
        rs.side_effects.append("ip -6 addr add ::6/128 dev lo")

    ip4.new("nat", "ISTIO_REDIRECT")
    ip4.add("nat", "ISTIO_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-port", proxy)
    ip4.new("nat", "ISTIO_IN_REDIRECT")
    ip4.add("nat", "ISTIO_IN_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-port", inbound_port)
    if include:
        _inbound_v4(ip4, rs, v, include, mode == "TPROXY")
    ip4.new("nat", "ISTIO_OUTPUT")
    ip4.add("nat", "OUTPUT", "-p", "tcp", "-j", "ISTIO_OUTPUT")
    for port in split(v.get("OutboundPortsExclude", "")):
        ip4.add("nat", "ISTIO_OUTPUT", "-p", "tcp", "--dport", port, "-j", "RETURN")
    if var.inbound_passthrough:
        ip4.add("nat", "ISTIO_OUTPUT", "-o", "lo", "-s", "127.0.0.6/32", "-j", "RETURN")
    if not (var.loopback_switch and v.get("DisableLoopbackRedirect", "")):
        ip4.add("nat", "ISTIO_OUTPUT", "-o", "lo", "!", "-d", "127.0.0.1/32", "-j", _lo_target(var))
    _owners(ip4, v)
    ip4.add("nat", "ISTIO_OUTPUT", "-d", "127.0.0.1/32", "-j", "RETURN")
    for cidr in exc4:
        ip4.add("nat", "ISTIO_OUTPUT", "-d", cidr, "-j", "RETURN")
    for nic in virt:
        ip4.insert("nat", "PREROUTING", "-i", nic, "-j", "RETURN")
    _outbound_include(ip4, inc4, inc_all, virt, "ISTIO_REDIRECT")
    if ipv6 and var.ipv6_rules != "none":
        _ipv6(ip6, v, var, include, inbound_port, inc6, exc6, inc_all, virt)
    elif not ipv6:
        # An IPv4 pod has its IPv6 input locked down (filter table, failures ignored).
        ip6.flush("filter", "INPUT")
        ip6.add("filter", "INPUT", "-m", "state", "--state", "ESTABLISHED", "-j", "ACCEPT")
        if var.ipv6_lock_allows_lo:
            ip6.add("filter", "INPUT", "-i", "lo", "-d", "::1", "-j", "ACCEPT")
        ip6.add("filter", "INPUT", "-j", "REJECT")
    return rs


def _lo_target(var: Variant) -> str:
    return "ISTIO_IN_REDIRECT" if var.inbound_passthrough else "ISTIO_REDIRECT"


def _owners(fam: _Family, v: Mapping[str, str]) -> None:
    for uid in split(v["ProxyUID"]):
        fam.add("nat", "ISTIO_OUTPUT", "-m", "owner", "--uid-owner", uid, "-j", "RETURN")
    for gid in split(v["ProxyGID"]):
        fam.add("nat", "ISTIO_OUTPUT", "-m", "owner", "--gid-owner", gid, "-j", "RETURN")


def _inbound_v4(ip4: _Family, rs: RuleSet, v: Mapping[str, str], include: str, tproxy: bool) -> None:
    table = "nat"
    if tproxy:
        mark, route_table = v["InboundTProxyMark"], v["InboundTProxyRouteTable"]
        ip4.new("mangle", "ISTIO_DIVERT")
        ip4.add("mangle", "ISTIO_DIVERT", "-j", "MARK", "--set-mark", mark)
        ip4.add("mangle", "ISTIO_DIVERT", "-j", "ACCEPT")
        rs.side_effects += [f"ip -f inet rule add fwmark {mark} lookup {route_table}",
                            f"ip -f inet route add local default dev lo table {route_table}"]
        ip4.new("mangle", "ISTIO_TPROXY")
        ip4.add("mangle", "ISTIO_TPROXY", "!", "-d", "127.0.0.1/32", "-p", "tcp", "-j", "TPROXY",
                "--tproxy-mark", mark + "/0xffffffff", "--on-port", v["ProxyPort"])
        table = "mangle"
    ip4.new(table, "ISTIO_INBOUND")
    ip4.add(table, "PREROUTING", "-p", "tcp", "-j", "ISTIO_INBOUND")
    if include == "*":
        # SSH is always left alone when every port is captured.
        for port in (SSH_PORT, *split(v["InboundPortsExclude"])):
            ip4.add(table, "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "RETURN")
        if tproxy:
            ip4.add("mangle", "ISTIO_INBOUND", "-p", "tcp", "-m", "socket", "-j", "ISTIO_DIVERT")
            ip4.add("mangle", "ISTIO_INBOUND", "-p", "tcp", "-j", "ISTIO_TPROXY")
        else:
            ip4.add("nat", "ISTIO_INBOUND", "-p", "tcp", "-j", "ISTIO_IN_REDIRECT")
        return
    for port in split(include):
        if tproxy:
            # The script adds the socket-match rule twice.
            for _ in range(2):
                ip4.add("mangle", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-m", "socket", "-j", "ISTIO_DIVERT")
            ip4.add("mangle", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "ISTIO_TPROXY")
        else:
            ip4.add("nat", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "ISTIO_IN_REDIRECT")


def _outbound_include(fam: _Family, cidrs: list[str], wildcard: bool, virt: list[str], virt_wildcard: str) -> None:
    if wildcard:
        fam.add("nat", "ISTIO_OUTPUT", "-j", "ISTIO_REDIRECT")
        for nic in virt:
            fam.insert("nat", "PREROUTING", "-i", nic, "-j", virt_wildcard)
        return
    for cidr in cidrs:
        for nic in virt:
            fam.insert("nat", "PREROUTING", "-i", nic, "-d", cidr, "-j", "ISTIO_REDIRECT")
        fam.add("nat", "ISTIO_OUTPUT", "-d", cidr, "-j", "ISTIO_REDIRECT")
    if cidrs:
        fam.add("nat", "ISTIO_OUTPUT", "-j", "RETURN")


def _ipv6(ip6: _Family, v: Mapping[str, str], var: Variant, include: str, inbound_port: str, inc6: list[str],
          exc6: list[str], inc_all: bool, virt: list[str]) -> None:
    """The ip6tables block: REDIRECT mode only, and with -b '*' no final jump to ISTIO_IN_REDIRECT."""
    ip6.new("nat", "ISTIO_REDIRECT")
    ip6.add("nat", "ISTIO_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-port", v["ProxyPort"])
    ip6.new("nat", "ISTIO_IN_REDIRECT")
    ip6.add("nat", "ISTIO_IN_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-port", inbound_port)
    if include:
        ip6.new("nat", "ISTIO_INBOUND")
        ip6.add("nat", "PREROUTING", "-p", "tcp", "-j", "ISTIO_INBOUND")
        if include == "*":
            for port in (SSH_PORT, *split(v["InboundPortsExclude"])):
                ip6.add("nat", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "RETURN")
        else:
            for port in split(include):
                ip6.add("nat", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "ISTIO_IN_REDIRECT")
    ip6.new("nat", "ISTIO_OUTPUT")
    ip6.add("nat", "OUTPUT", "-p", "tcp", "-j", "ISTIO_OUTPUT")
    if var.ipv6_rules == "full":
        for port in split(v.get("OutboundPortsExclude", "")):
            ip6.add("nat", "ISTIO_OUTPUT", "-p", "tcp", "--dport", port, "-j", "RETURN")
    if var.inbound_passthrough:
        ip6.add("nat", "ISTIO_OUTPUT", "-o", "lo", "-s", "::6/128", "-j", "RETURN")
    ip6.add("nat", "ISTIO_OUTPUT", "-o", "lo", "!", "-d", "::1/128", "-j", _lo_target(var))
    _owners(ip6, v)
    ip6.add("nat", "ISTIO_OUTPUT", "-d", "::1/128", "-j", "RETURN")
    if var.ipv6_rules == "wildcard":
        if inc_all:
            ip6.add("nat", "ISTIO_OUTPUT", "-j", "ISTIO_REDIRECT")
        for nic in virt:
            ip6.insert("nat", "PREROUTING", "-i", nic, "-j", "RETURN")
        return
    for cidr in exc6:
        ip6.add("nat", "ISTIO_OUTPUT", "-d", cidr, "-j", "RETURN")
    # A virtual interface's IPv6 traffic is RETURNed where IPv4's goes to the proxy.
    _outbound_include(ip6, inc6, inc_all, virt, "RETURN")
