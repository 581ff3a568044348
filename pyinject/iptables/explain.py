"""The facts model: what a pod's traffic capture does, in the terms Istio's documents use.

:func:`describe_capture` turns a :class:`~pyinject.iptables.Capture` into
:class:`CaptureFacts`; :meth:`CaptureFacts.as_json` is the ``-o json`` form
(schema below) and :func:`text_lines` the plain-text account.  Other commands
(``pyinject explain``) import these.

JSON schema (``pyinject iptables -o json``; one object per workload/command)::

    {"release": "1.30", "families": ["IPv4"] | ["IPv4", "IPv6"],
     "interception_mode": "REDIRECT" | "TPROXY",
     "inbound": {"captured_ports": "all" | [port...] | [],
                 "to_port": 15006, "excluded_ports": [...], "always_exempt_ports": [...]},
     "outbound": {"to_port": 15001, "captured_cidrs": "all" | [cidr...],
                  "excluded_cidrs": [...], "excluded_ports": [...], "included_ports": [...],
                  "loopback": "..."},
     "exempt": {"uids": [...], "gids": [...], "sources": ["127.0.0.6/32", ...],
                "owner_groups": {"captured": "all" | [...], "excluded": [...]}},
     "dns": {"captured": bool, "servers": "all" | [...], "to_port": 15053, "why_not": str},
     "tproxy": null | {"mark": "1337", "route_table": "133", "outbound_mark": "1338", "routes": ["ip ..."]},
     "interfaces": {"excluded": [...], "rerouted_as_outbound": [...]},
     "notes": [...]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pyinject.iptables.rules import separate_v4_v6, split, split_nameservers

if TYPE_CHECKING:
    from pyinject.iptables import Capture


@dataclass(frozen=True)
class CaptureFacts:
    """What the capture of one pod does (see the module docstring for the JSON form)."""

    release: str
    families: tuple[str, ...]
    interception_mode: str
    inbound: Mapping[str, Any]
    outbound: Mapping[str, Any]
    exempt: Mapping[str, Any]
    dns: Mapping[str, Any]
    tproxy: Mapping[str, Any] | None
    interfaces: Mapping[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["families"] = list(self.families)
        data["notes"] = list(self.notes)
        return data


def _ports(value: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in split(value)]


def describe_capture(capture: Capture) -> CaptureFacts:
    """The facts of ``capture`` (its settings as the release reads them)."""
    v = capture.parsed.values
    release = capture.release.version
    old = capture.release.program == "1.5"
    families = ("IPv4", "IPv6") if capture.host.ipv6 else ("IPv4",)
    tproxy_mode = v.get("InboundInterceptionMode") == "TPROXY"
    include = v.get("InboundPortsInclude", "")
    inbound_port = v["InboundCapturePort"] if (include == "*" or not old) else v["ProxyPort"]
    if old and tproxy_mode:
        inbound_port = v["ProxyPort"]
    always = [22] if old and include == "*" else ([] if old else [int(v["InboundTunnelPort"])])
    inbound = {
        "captured_ports": "all" if include == "*" else _ports(include),
        "to_port": int(inbound_port),
        "excluded_ports": _ports(v.get("InboundPortsExclude", "")) if include == "*" else [],
        "always_exempt_ports": always,
    }
    masked = old
    dropped: list[str] = []  # already reported in the capture's notes
    inc4, inc6 = separate_v4_v6(v.get("OutboundIPRangesInclude", ""), "-i", masked=masked, skipped=dropped)
    excl4, excl6 = separate_v4_v6(v.get("OutboundIPRangesExclude", ""), "-x", masked=masked, skipped=dropped)
    captured: str | list[str] = "all" if inc4.wildcard else list(inc4.cidrs + inc6.cidrs)
    loop = v.get("HostIPv4LoopbackCidr", "127.0.0.1/32")
    outbound = {
        "to_port": int(v["ProxyPort"]),
        "captured_cidrs": captured,
        "excluded_cidrs": list(excl4.cidrs + excl6.cidrs),
        "excluded_ports": _ports(v.get("OutboundPortsExclude", "")),
        "included_ports": _ports(v.get("OutboundPortsInclude", "")),
        "loopback": (f"traffic to {loop} (and ::1) is never captured; an app calling its own pod IP over lo "
                     f"is left alone unless the call comes from the proxy's uid/gid, which goes to the inbound port"),
    }
    groups_in = v.get("OwnerGroupsInclude", "*")
    exempt = {
        "uids": split(v["ProxyUID"]),
        "gids": split(v["ProxyGID"]),
        "sources": ["127.0.0.6/32"] + (["::6/128"] if capture.host.ipv6 else []),
        "owner_groups": {"captured": "all" if groups_in == "*" else split(groups_in),
                         "excluded": split(v.get("OwnerGroupsExclude", "")) if groups_in == "*" else []},
    }
    dns = _dns_facts(v, capture)
    tproxy = None
    if tproxy_mode:
        tproxy = {"mark": v["InboundTProxyMark"], "route_table": v["InboundTProxyRouteTable"],
                  "outbound_mark": None if old else "1338", "routes": list(capture.rules.side_effects)}
    interfaces = {"excluded": split(v.get("ExcludeInterfaces", "")),
                  "rerouted_as_outbound": split(v.get("RerouteVirtualInterfaces", ""))}
    return CaptureFacts(release, families, "TPROXY" if tproxy_mode else "REDIRECT", inbound, outbound, exempt, dns,
                        tproxy, interfaces, tuple(capture.rules.notes))


def _dns_facts(v: Mapping[str, str], capture: Capture) -> dict[str, Any]:
    if "RedirectDNS" not in v:
        return {"captured": False, "servers": [], "to_port": 15053, "why_not": "this release has no DNS capture"}
    if v["RedirectDNS"] != "true":
        return {"captured": False, "servers": [], "to_port": 15053, "why_not": "--redirect-dns is off"}
    if v.get("CaptureAllDNS") == "true":
        return {"captured": True, "servers": "all", "to_port": 15053, "why_not": ""}
    v4, v6 = split_nameservers(capture.host.nameservers)
    if not v4 and not v6:
        return {"captured": False, "servers": [], "to_port": 15053,
                "why_not": "no nameserver known (give --nameserver) and --capture-all-dns is off"}
    return {"captured": True, "servers": v4 + (v6 if capture.host.ipv6 else []), "to_port": 15053, "why_not": ""}


def _list(items: Any, none: str = "none") -> str:
    if items == "all":
        return "all"
    return ", ".join(str(i) for i in items) if items else none


def rows(facts: CaptureFacts) -> list[tuple[str, str]]:
    """(topic, plain sentence) pairs: the --explain account, for a table or for text."""
    inb, out, ex, dns = facts.inbound, facts.outbound, facts.exempt, facts.dns
    mode = facts.interception_mode
    if inb["captured_ports"] == "all":
        inbound = f"all TCP ports go to the proxy on {inb['to_port']} ({mode})"
    elif inb["captured_ports"]:
        inbound = f"TCP ports {_list(inb['captured_ports'])} go to the proxy on {inb['to_port']} ({mode})"
    else:
        inbound = "nothing is captured"
    excluded_in = list(inb["excluded_ports"]) + list(inb["always_exempt_ports"])
    if out["captured_cidrs"] == "all":
        outbound = f"all TCP goes to the proxy on {out['to_port']}"
    elif out["captured_cidrs"]:
        outbound = f"TCP to {_list(out['captured_cidrs'])} goes to the proxy on {out['to_port']}"
    else:
        outbound = "no destination is captured"
    if out["included_ports"]:
        outbound += f"; TCP to ports {_list(out['included_ports'])} goes to the proxy whatever the destination"
    result = [
        ("IP families", " and ".join(facts.families)),
        ("Inbound captured", inbound),
        ("Inbound excluded ports", _list(excluded_in) if inb["captured_ports"] else "n/a"),
        ("Outbound captured", outbound),
        ("Outbound excluded CIDRs", _list(out["excluded_cidrs"])),
        ("Outbound excluded ports", _list(out["excluded_ports"])),
        ("Exempt uid / gid", f"uid {_list(ex['uids'])} / gid {_list(ex['gids'])} (the proxy's own traffic)"),
        ("Exempt sources", f"{_list(ex['sources'])} on lo (the proxy's inbound passthrough to the app)"),
        ("Loopback", out["loopback"]),
    ]
    groups = ex["owner_groups"]
    if groups["captured"] != "all" or groups["excluded"]:
        result.append(("Owner groups", f"captured: {_list(groups['captured'])}; not captured: "
                                       f"{_list(groups['excluded'])}"))
    if dns["captured"]:
        result.append(("DNS capture", f"DNS (UDP and TCP port 53) to {_list(dns['servers'])} goes to the agent "
                                      f"on {dns['to_port']}"))
    else:
        result.append(("DNS capture", f"off ({dns['why_not']})"))
    if facts.tproxy:
        t = facts.tproxy
        text = (f"inbound packets are marked {t['mark']} and routed by table {t['route_table']} to lo")
        if t["outbound_mark"]:
            text += f"; the proxy's calls to the app by pod IP are marked {t['outbound_mark']} and not re-captured"
        if t["routes"]:
            text += "; routes: " + "; ".join(t["routes"])
        result.append(("TPROXY", text))
    if facts.interfaces["excluded"]:
        result.append(("Interfaces not captured", _list(facts.interfaces["excluded"])))
    if facts.interfaces["rerouted_as_outbound"]:
        result.append(("Interfaces treated as outbound", _list(facts.interfaces["rerouted_as_outbound"])))
    for note in facts.notes:
        result.append(("Note", note))
    return result


def text_lines(facts: CaptureFacts) -> list[str]:
    """The --explain account as plain text lines."""
    return [f"  {topic}: {sentence}" for topic, sentence in rows(facts)]
