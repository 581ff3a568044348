"""The rule builder: rules per IP family in the order istio-iptables adds them, and the checked settings they come from."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping

from pyinject.errors import UsageError
from pyinject.records import dataclass, field

#: Stands for the family's own address in a rule added to both families.
FAMILY_ADDRESS = "<family-address>"


@dataclass(frozen=True)
class Host:
    """What istio-iptables reads from the pod rather than from flags."""

    #: The pod's address is IPv6 (istio-iptables then also programs ip6tables).
    ipv6: bool = False
    #: The nameserver lines of the pod's /etc/resolv.conf, as written.
    nameservers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One line of restore input: ``-A CHAIN ...`` or ``-I CHAIN N ...`` in a table."""

    table: str
    chain: str
    params: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.params)

    @property
    def jump(self) -> str | None:
        """The target when the rule ends in ``-j TARGET`` (a chain or a built-in target)."""
        if len(self.params) >= 2 and self.params[-2] == "-j":
            return self.params[-1]
        return None


@dataclass
class RuleSet:
    """Rules per family, kept in the order they were added (that is the restore order)."""

    ipv6: bool
    v4: list[Rule] = field(default_factory=list)
    v6: list[Rule] = field(default_factory=list)
    #: Things istio-iptables does besides the restore input (routes, addresses), as `ip` commands.
    side_effects: list[str] = field(default_factory=list)
    #: Remarks for stderr (what istio-iptables logs as a warning).
    notes: list[str] = field(default_factory=list)

    #: ``--iptables-trace-logging`` (1.12-1.24): each rule tagged with a ``log`` name gets an NFLOG twin
    #: whose prefix is the tag, "quoted" or "plain" (see flags.Release.trace_logging); "" is off.
    trace: str = ""

    def append_v4(self, chain: str, table: str, *params: str, log: str = "") -> None:
        self._add(self.v4, chain, table, ("-A", chain), params, log)

    def append_v6(self, chain: str, table: str, *params: str, log: str = "") -> None:
        if self.ipv6:
            self._add(self.v6, chain, table, ("-A", chain), params, log)

    def append(self, chain: str, table: str, *params: str, log: str = "") -> None:
        self.append_v4(chain, table, *params, log=log)
        self.append_v6(chain, table, *params, log=log)

    def insert_v4(self, chain: str, table: str, position: int, *params: str, log: str = "") -> None:
        self._add(self.v4, chain, table, ("-I", chain, str(position)), params, log)

    def insert_v6(self, chain: str, table: str, position: int, *params: str, log: str = "") -> None:
        if self.ipv6:
            self._add(self.v6, chain, table, ("-I", chain, str(position)), params, log)

    def insert(self, chain: str, table: str, position: int, *params: str, log: str = "") -> None:
        self.insert_v4(chain, table, position, *params, log=log)
        self.insert_v6(chain, table, position, *params, log=log)

    def _add(self, rules: list[Rule], chain: str, table: str, verb: tuple[str, ...], params: tuple[str, ...],
             log: str) -> None:
        """Add the rule; under trace logging a tagged rule's matches also log to NFLOG group 1337.

        The log rule must see the packet first: it goes before an appended rule
        and after an inserted one (inserting at the same position puts it ahead).
        """
        rule = Rule(table, chain, verb + params)
        if not (self.trace and log and "-j" in params):
            rules.append(rule)
            return
        matches = params[: params.index("-j")]
        prefix = f'"{log}"' if self.trace == "quoted" else log
        nflog = Rule(table, chain, verb + matches + ("-j", "NFLOG", "--nflog-prefix", prefix,
                                                      "--nflog-group", "1337", "--nflog-size", "20"))
        rules.extend((rule, nflog) if verb[0] == "-I" else (nflog, rule))

    def append_versioned(self, v4: str, v6: str, chain: str, table: str, *params: str) -> None:
        """A rule for both families that names each family's own address where FAMILY_ADDRESS stands."""
        self.append_v4(chain, table, *(v4 if p == FAMILY_ADDRESS else p for p in params))
        self.append_v6(chain, table, *(v6 if p == FAMILY_ADDRESS else p for p in params))

    def family(self, name: str) -> list[Rule]:
        return self.v4 if name == "iptables" else self.v6


def split(value: str) -> list[str]:
    """A comma list without its empty items (Istio's config.Split)."""
    return [item for item in value.split(",") if item]


@dataclass(frozen=True)
class NetworkRange:
    """The CIDRs of one family from a ``-i``/``-x`` value, or the wildcard."""

    wildcard: bool = False
    cidrs: tuple[str, ...] = ()
    has_loopback: bool = False


def _go_addr(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """netip.Addr.String(): RFC 5952 for IPv6, dotted quad kept for IPv4-mapped addresses."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return f"::ffff:{addr.ipv4_mapped}"
    return addr.compressed if isinstance(addr, ipaddress.IPv6Address) else str(addr)


def separate_v4_v6(value: str, flag: str, *, masked: bool,
                   skipped: list[str] | None = None) -> tuple[NetworkRange, NetworkRange]:
    """Split a CIDR list by family (Istio's SeparateV4V6).

    ``masked``: print the network address (1.5's net.ParseCIDR) instead of the
    address as given (netip.Prefix.String() in later releases).  ``skipped``:
    drop a CIDR that does not parse and say so there (releases up to 1.26),
    instead of failing.
    """
    if value == "*":
        return NetworkRange(wildcard=True), NetworkRange(wildcard=True)
    found: dict[int, list[str]] = {4: [], 6: []}
    loopback = {4: False, 6: False}
    for item in split(value):
        text, slash, bits = item.partition("/")
        try:
            if not slash or not re.fullmatch(r"[0-9]{1,3}", bits) or "%" in text:
                raise ValueError("not ADDRESS/BITS")
            addr = ipaddress.ip_address(text)
            net = ipaddress.ip_network(item, strict=False)
        except ValueError as err:
            if skipped is not None:
                skipped.append(f"istio-iptables flag {flag}: {item!r} is not a CIDR ({err}); istio-iptables skips it")
                continue
            raise UsageError(f"istio-iptables flag {flag}: {item!r} is not a CIDR ({err})") from None
        version = 4 if isinstance(addr, ipaddress.IPv4Address) else 6
        shown = f"{net.network_address}/{net.prefixlen}" if masked else f"{_go_addr(addr)}/{bits}"
        if masked and version == 6:
            shown = f"{_go_addr(net.network_address)}/{net.prefixlen}"
        found[version].append(shown)
        loopback[version] = loopback[version] or addr.is_loopback
    return (NetworkRange(cidrs=tuple(found[4]), has_loopback=loopback[4]),
            NetworkRange(cidrs=tuple(found[6]), has_loopback=loopback[6]))


def split_nameservers(nameservers: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """IPv4 and IPv6 nameservers, each kept as written."""
    v4: list[str] = []
    v6: list[str] = []
    for server in nameservers:
        (v4 if isinstance(ipaddress.ip_address(server), ipaddress.IPv4Address) else v6).append(server)
    return v4, v6


def add_inbound_port_rules(add: Callable[..., None], table: str, include: str, exclude: str, tproxy: bool,
                           always_return: tuple[str, ...] = ()) -> None:
    """ISTIO_INBOUND's port rules, the same in every release (``add`` picks the families).

    With ``-b '*'``: RETURN for ``always_return`` and the ``-d`` ports, then
    everything else to the proxy; with a port list: only those ports.  Under
    TPROXY, packets of known connections are diverted, new ones TPROXY'd.
    """
    if include == "*":
        for port in always_return + tuple(split(exclude)):
            add("ISTIO_INBOUND", table, "-p", "tcp", "--dport", port, "-j", "RETURN", log="ExcludeInboundPort")
        ports: list[tuple[str, ...]] = [()]
    else:
        ports = [("--dport", port) for port in split(include)]
    # Only a port list's rules are tagged for trace logging (IncludeInboundPort); the catch-all is not.
    log = "IncludeInboundPort" if include != "*" else ""
    for match in ports:
        if tproxy:
            add("ISTIO_INBOUND", "mangle", "-p", "tcp", *match, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                "-j", "ISTIO_DIVERT", log=log)
            add("ISTIO_INBOUND", "mangle", "-p", "tcp", *match, "-j", "ISTIO_TPROXY", log=log)
        else:
            add("ISTIO_INBOUND", "nat", "-p", "tcp", *match, "-j", "ISTIO_IN_REDIRECT", log=log)


def add_outbound_include_rules(rs: RuleSet, included: NetworkRange, virt: str, version: int, *,
                               virt_wildcard_target: str = "ISTIO_REDIRECT", return_rest: bool = False) -> None:
    """ISTIO_OUTPUT's capture of ``-i`` for one family, and the virtual interfaces (``-k``) treated as outbound.

    ``return_rest``: after a CIDR list, RETURN everything else (1.5 says it outright;
    later releases get the same by falling off the chain).
    """
    append = rs.append_v4 if version == 4 else rs.append_v6
    insert = rs.insert_v4 if version == 4 else rs.insert_v6
    if included.wildcard:
        append("ISTIO_OUTPUT", "nat", "-j", "ISTIO_REDIRECT")
        for nic in split(virt):
            insert("PREROUTING", "nat", 1, "-i", nic, "-j", virt_wildcard_target, log="KubevirtCommand")
        return
    for cidr in included.cidrs:
        for nic in split(virt):
            insert("PREROUTING", "nat", 1, "-i", nic, "-d", cidr, "-j", "ISTIO_REDIRECT", log="KubevirtCommand")
        append("ISTIO_OUTPUT", "nat", "-d", cidr, "-j", "ISTIO_REDIRECT")
    if return_rest and included.cidrs:
        append("ISTIO_OUTPUT", "nat", "-j", "RETURN")


# --- checks of the values (what iptables-restore would reject later) --------------------------

_PORT = re.compile(r"[0-9]{1,5}(:[0-9]{1,5})?")
_NAME = re.compile(r"[A-Za-z0-9_.@:+-]+")
_IFACE = re.compile(r"[^\s,/]{1,15}")


def _ports(value: str, wildcard: bool = False) -> str | None:
    if wildcard and value == "*":
        return None
    for item in split(value):
        if not _PORT.fullmatch(item) or any(int(p) > 65535 for p in item.split(":")):
            return f"{item!r} is not a port"
    return None


def _port(value: str) -> str | None:
    if not re.fullmatch(r"[0-9]{1,5}", value) or int(value) > 65535:
        return f"{value!r} is not a port"
    return None


def _names(value: str) -> str | None:
    for item in split(value):
        if not _NAME.fullmatch(item):
            return f"{item!r} is not a user/group name or id"
    return None


def _interfaces(value: str) -> str | None:
    for item in split(value):
        if not _IFACE.fullmatch(item):
            return f"{item!r} is not an interface name"
    return None


def _mode(value: str) -> str | None:
    if value not in ("", "REDIRECT", "TPROXY"):
        return f"{value!r} is not REDIRECT or TPROXY"
    return None


def _mark(value: str) -> str | None:
    if not re.fullmatch(r"[0-9]+|0x[0-9a-fA-F]+", value):
        return f"{value!r} is not a packet mark"
    return None


#: Config field -> check of its value (None when fine, else what is wrong).
VALUE_CHECKS: dict[str, Callable[[str], str | None]] = {
    "ProxyPort": _port,
    "InboundCapturePort": _port,
    "InboundTunnelPort": _port,
    "ProxyUID": _names,
    "ProxyGID": _names,
    "InboundInterceptionMode": _mode,
    "InboundPortsInclude": lambda v: _ports(v, wildcard=True),
    "InboundPortsExclude": _ports,
    "OutboundPortsInclude": _ports,
    "OutboundPortsExclude": _ports,
    "ExcludeInterfaces": _interfaces,
    "RerouteVirtualInterfaces": _interfaces,
    "InboundTProxyMark": _mark,
    "InboundTProxyRouteTable": lambda v: None if re.fullmatch(r"[0-9]+", v) else f"{v!r} is not a route table number",
    "OwnerGroupsInclude": lambda v: None if v == "*" else _names(v),
    "OwnerGroupsExclude": _names,
    "ForceIptablesBinary": lambda v: None if v in ("", "legacy", "nft") else f"{v!r} is not legacy or nft",
}


def check_values(values: Mapping[str, str], describe: Callable[[str], str]) -> None:
    """Every bad value, reported together in one line (exit 2)."""
    problems = []
    for name, check in VALUE_CHECKS.items():
        if name in values:
            problem = check(values[name])
            if problem:
                problems.append(f"{describe(name)}: {problem}")
    if problems:
        raise UsageError("; ".join(problems))
