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
     "notes": [...], "trace_logging": ["JumpOutbound", ...]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from pyinject.iptables import capture_sh
from pyinject.iptables.capture_1_5 import VARIANTS, dns_target
from pyinject.iptables.rules import separate_v4_v6, split, split_nameservers
from pyinject.records import dataclass, field

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
    #: The rule tags --iptables-trace-logging logs to NFLOG group 1337, in rule order.
    trace_logging: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["families"] = list(self.families)
        data["notes"] = list(self.notes)
        data["trace_logging"] = list(self.trace_logging)
        return data


def _ports(value: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in split(value)]


def describe_capture(capture: Capture) -> CaptureFacts:
    """The facts of ``capture`` (its settings as the release reads them)."""
    v = capture.parsed.values
    release = capture.release.version
    script = capture.release.program == "sh"
    old = capture.release.program in ("1.5", "sh")
    families = ("IPv4", "IPv6") if capture.host.ipv6 else ("IPv4",)
    tproxy_mode = v.get("InboundInterceptionMode") == "TPROXY"
    include = v.get("InboundPortsInclude", "")
    if script:
        always_capture_port = not capture_sh.VARIANTS[release].capture_port_wildcard_only
    else:
        always_capture_port = not old or VARIANTS[release].capture_port_always
    inbound_port = v["InboundCapturePort"] if (include == "*" or always_capture_port) else v["ProxyPort"]
    if old and tproxy_mode:
        inbound_port = v["ProxyPort"]  # the early releases TPROXY inbound to the envoy port
    always = [22] if old and include == "*" else []
    if "InboundTunnelPort" in v:
        always.append(int(v["InboundTunnelPort"]))
    inbound = {
        "captured_ports": "all" if include == "*" else _ports(include),
        "to_port": int(inbound_port),
        "excluded_ports": _ports(v.get("InboundPortsExclude", "")) if include == "*" else [],
        "always_exempt_ports": always,
    }
    masked = capture.release.program == "1.5"
    dropped: list[str] = []  # already reported in the capture's notes
    if script:  # the script's own address checks, not Go's
        inc4, inc6 = capture_sh.network_ranges(v.get("OutboundIPRangesInclude", ""), release)
        excl4, excl6 = capture_sh.network_ranges(v.get("OutboundIPRangesExclude", ""), release)
    else:
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
        "loopback": _script_loopback(v, release) if script else
        _loopback(loop, capture.host.ipv6, not old and (inc4.has_loopback or inc6.has_loopback)),
    }
    groups_in = v.get("OwnerGroupsInclude", "*")
    exempt = {
        "uids": split(v["ProxyUID"]),
        "gids": split(v["ProxyGID"]),
        "sources": [] if script and not capture_sh.VARIANTS[release].inbound_passthrough
        else ["127.0.0.6/32"] + (["::6/128"] if capture.host.ipv6 else []),
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
                        tproxy, interfaces, tuple(capture.rules.notes), _trace_tags(capture))


def _trace_tags(capture: Capture) -> tuple[str, ...]:
    """The NFLOG prefixes of the trace-logging rules, each once."""
    tags: dict[str, None] = {}
    for rule in capture.rules.v4 + capture.rules.v6:
        if "--nflog-prefix" in rule.params:
            tags[rule.params[rule.params.index("--nflog-prefix") + 1].strip('"')] = None
    return tuple(tags)


def _loopback(loop: str, ipv6: bool, loopback_included: bool) -> str:
    own = ("an app calling its own pod IP over lo is captured too (-i names a loopback range)" if loopback_included
           else "an app calling its own pod IP over lo is left alone")
    return (f"traffic to {loop}{' and ::1' if ipv6 else ''} is never captured; {own}; the proxy's own calls to "
            "the pod IP over lo go to the inbound port")


def _script_loopback(v: Mapping[str, str], release: str) -> str:
    """1.0-1.4: every call over lo to a non-loopback address is captured, whoever makes it."""
    if v.get("DisableLoopbackRedirect"):
        return ("traffic to 127.0.0.1/32 is never captured; calls over lo to the pod IP are left alone "
                "($DISABLE_REDIRECTION_ON_LOCAL_LOOPBACK)")
    where = "the inbound port" if capture_sh.VARIANTS[release].inbound_passthrough else "the outbound port"
    return ("traffic to 127.0.0.1/32 is never captured; every call over lo to the pod IP (the app's and the "
            f"proxy's) goes to {where}")


def _dns_facts(v: Mapping[str, str], capture: Capture) -> dict[str, Any]:
    if "DNSCaptureEnvoy" in v:  # 1.6, 1.7: any value of the variable turns it on, every server, IPv4 only
        port = dns_target(v, VARIANTS[capture.release.version])
        if port:
            return {"captured": True, "servers": "all", "to_port": int(port), "why_not": "", "protocols": "UDP"}
        names = " / ".join(f"${e.name}" for e in capture.release.env_only)
        return {"captured": False, "servers": [], "to_port": 15053, "why_not": f"{names} not set"}
    if "DNSCapture" in v:  # 1.8: ISTIO_META_DNS_CAPTURE, every server, IPv4 only
        if v["DNSCapture"] in ("1", "t", "T", "true", "TRUE", "True"):
            return {"captured": True, "servers": "all", "to_port": 15053, "why_not": ""}
        return {"captured": False, "servers": [], "to_port": 15053, "why_not": "ISTIO_META_DNS_CAPTURE is off"}
    if "RedirectDNS" not in v:
        return {"captured": False, "servers": [], "to_port": 15053, "why_not": "this release has no DNS capture"}
    if v["RedirectDNS"] != "true":
        return {"captured": False, "servers": [], "to_port": 15053, "why_not": "--redirect-dns is off"}
    if v.get("CaptureAllDNS") == "true":
        return {"captured": True, "servers": "all", "to_port": 15053, "why_not": ""}
    v4, v6 = split_nameservers(capture.host.nameservers)
    if capture.release.program == "1.5":  # 1.9-1.11 capture DNS to IPv4 servers only
        v6 = []
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
        listener = "Envoy" if dns["to_port"] == 15013 else "the agent"
        result.append(("DNS capture", f"DNS ({dns.get('protocols', 'UDP and TCP')} port 53) to "
                                      f"{_list(dns['servers'])} goes to {listener} on {dns['to_port']}"))
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
    if facts.trace_logging:
        result.append(("Trace logging", "packets that hit these rules are logged to NFLOG group 1337 (first 20 "
                                        f"bytes): {_list(list(facts.trace_logging))}"))
    for note in facts.notes:
        result.append(("Note", note))
    return result


def text_lines(facts: CaptureFacts) -> list[str]:
    """The --explain account as plain text lines."""
    return [f"  {topic}: {sentence}" for topic, sentence in rows(facts)]
