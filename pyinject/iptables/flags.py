"""istio-iptables' command line per release: its flags, their env vars, and a pflag-style parser.

Each release is a table (:data:`RELEASES`): flag name, shorthand, the config
field it sets, its type, the environment variables that set it and the
default.  Precedence is the same in every release modelled here: a flag on
the command line wins over the environment, which wins over the default
(1.5 gets this from viper's AutomaticEnv, 1.30 from ``BindEnv``, which sets
the flag from the variable before the command line is parsed; an
``AdditionalEnv`` variable is read after the ``BindEnv`` one, so it wins).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyinject.errors import UsageError
from pyinject.records import dataclass, field, replace


@dataclass(frozen=True)
class Flag:
    """One istio-iptables flag."""

    name: str
    short: str
    #: The config field it sets (Istio's ``config.Config`` field name).
    field: str
    #: ``string``, ``bool``, ``uint16`` or ``duration`` (pflag's value types).
    kind: str
    #: Variables that set it, in the order istio-iptables reads them (the last one found wins).
    env: tuple[str, ...] = ()
    default: str = ""
    #: True when the value changes no rule (logging, probes, how rules are applied).
    inert: bool = False


@dataclass(frozen=True)
class EnvSetting:
    """A setting read only from the environment (no flag)."""

    name: str
    field: str
    default: str


@dataclass(frozen=True)
class Release:
    """What one Istio release's istio-iptables accepts."""

    version: str
    tag: str
    flags: tuple[Flag, ...]
    env_only: tuple[EnvSetting, ...] = ()
    #: Appended to the proxy uid when neither -u nor its env var is given (1.5 adds root: ",0").
    default_uid_suffix: str = ""
    #: The rule program it runs (pyinject.iptables.PROGRAMS key): releases that add the same rules share one.
    program: str = ""
    #: A CIDR that does not parse: "error" (the run fails) or "skip" (dropped with a message, "bug compatibility").
    bad_cidr: str = "error"
    #: The pod annotations the CNI plugin reads the virtual interfaces (-k) from, the first one set wins:
    #: 1.24 knows only the deprecated kubevirtInterfaces; 1.25 reads it and then overwrites it with
    #: reroute-virtual-interfaces even when that is unset; 1.26 on falls back to it.
    cni_virt_annotations: tuple[str, ...] = ("istio.io/reroute-virtual-interfaces",
                                             "traffic.sidecar.istio.io/kubevirtInterfaces")
    #: DNS capture in its own ISTIO_OUTPUT_DNS chains (1.25 on).  This came with three other changes that
    #: 1.24 does not have: OUTPUT jumps to ISTIO_OUTPUT for every protocol (not TCP only), ``-o`` ports
    #: are excluded for UDP too, and --redirect-dns without any nameserver turns DNS capture off.
    dns_chain: bool = True
    #: --drop-invalid jumps to an ISTIO_DROP chain (1.24 on); before, PREROUTING DROPs directly.
    drop_chain: bool = True
    #: The chain 1.22-1.24's inline UDP DNS rules live in: ISTIO_OUTPUT, jumped to from OUTPUT for UDP
    #: (1.23 on), or OUTPUT itself (1.22).
    udp_dns_chain: str = "ISTIO_OUTPUT"
    #: After an -i CIDR list, ISTIO_OUTPUT RETURNs everything else outright (up to 1.22).
    include_return_rest: bool = False
    #: How 1.19-1.24's raw-table rule for DNS replies names the nameserver: -s, or -d (1.19).
    dns_reply_match: str = "-s"
    #: What --iptables-trace-logging does: "" nothing (1.25 still takes the flag), else NFLOG rules whose
    #: prefix is the rule's tag "quoted" as Go's %q wrote it (1.12-1.23) or "plain" (1.24).
    trace_logging: str = ""
    #: The proxy's own calls over lo to ISTIO_IN_REDIRECT leave the tunnel port (-e) alone (1.18 on); before, only
    #: the uid rule leaves TCP DNS alone, and only with --redirect-dns.
    lo_redirect_exempts_tunnel: bool = True
    #: With -b '*', inbound SSH (port 22) is always RETURNed (up to 1.12).
    ssh_exempt: bool = False
    #: Bash getopts (the 1.0-1.4 istio-iptables.sh): single-letter flags only, parsing stops at the first word
    #: that is not a flag.
    getopts: bool = False
    #: Where the inbound capture port defaults to the envoy port instead of its own default (1.0-1.2).
    capture_port_defaults_to_proxy: bool = False

    def by_long(self) -> dict[str, Flag]:
        return {f.name: f for f in self.flags}

    def by_short(self) -> dict[str, Flag]:
        return {f.short: f for f in self.flags if f.short}

    def env_names(self) -> tuple[str, ...]:
        names = [e for f in self.flags for e in f.env] + [e.name for e in self.env_only]
        return tuple(dict.fromkeys(names + ["ENVOY_USER"]))


def _upper(name: str) -> str:
    return name.upper().replace("-", "_")


def _f(name: str, short: str, fld: str, kind: str = "string", *, default: str = "", env: tuple[str, ...] | None = None,
       extra_env: tuple[str, ...] = (), inert: bool = False) -> Flag:
    return Flag(name, short, fld, kind, ((_upper(name),) if env is None else env) + extra_env, default, inert)


#: pkg/log's flags, which pilot-agent attaches to every subcommand (istio-init passes --log_output_level).
_LOG_FLAGS_1_30 = (
    Flag("log_target", "", "LogTarget", "string", (), "", True),
    Flag("log_as_json", "", "LogAsJSON", "bool", (), "false", True),
    Flag("log_output_level", "", "LogOutputLevel", "string", (), "", True),
    Flag("log_stacktrace_level", "", "LogStacktraceLevel", "string", (), "", True),
    Flag("log_caller", "", "LogCaller", "string", (), "", True),
)

#: tools/istio-iptables/pkg/cmd/root.go at 1.30.3 (pilot-agent istio-iptables), in binding order.
RELEASE_1_30 = Release(
    version="1.30",
    tag="1.30.3",
    program="1.30",
    flags=(
        _f("envoy-port", "p", "ProxyPort", default="15001", env=()),
        _f("inbound-capture-port", "z", "InboundCapturePort", default="15006"),
        _f("inbound-tunnel-port", "e", "InboundTunnelPort", default="15008"),
        _f("proxy-uid", "u", "ProxyUID"),
        _f("proxy-gid", "g", "ProxyGID"),
        _f("istio-inbound-interception-mode", "m", "InboundInterceptionMode"),
        _f("istio-inbound-ports", "b", "InboundPortsInclude"),
        _f("istio-local-exclude-ports", "d", "InboundPortsExclude"),
        _f("istio-exclude-interfaces", "c", "ExcludeInterfaces"),
        _f("istio-service-cidr", "i", "OutboundIPRangesInclude"),
        _f("istio-service-exclude-cidr", "x", "OutboundIPRangesExclude"),
        _f("istio-outbound-ports", "q", "OutboundPortsInclude"),
        _f("istio-local-outbound-ports-exclude", "o", "OutboundPortsExclude"),
        _f("kube-virt-interfaces", "k", "RerouteVirtualInterfaces"),
        _f("istio-inbound-tproxy-mark", "t", "InboundTProxyMark", default="1337"),
        _f("istio-inbound-tproxy-route-table", "r", "InboundTProxyRouteTable", default="133"),
        _f("dry-run", "n", "DryRun", "bool", default="false", inert=True),
        _f("iptables-probe-port", "", "IptablesProbePort", "uint16", default="15002", inert=True),
        _f("probe-timeout", "", "ProbeTimeout", "duration", default="5s", inert=True),
        _f("skip-rule-apply", "", "SkipRuleApply", "bool", default="false"),
        _f("run-validation", "", "RunValidation", "bool", default="false", inert=True),
        _f("redirect-dns", "", "RedirectDNS", "bool", default="false", extra_env=("ISTIO_META_DNS_CAPTURE",)),
        _f("drop-invalid", "", "DropInvalid", "bool", default="false", extra_env=("INVALID_DROP",)),
        _f("dual-stack", "", "DualStack", "bool", default="false", extra_env=("ISTIO_DUAL_STACK",)),
        _f("capture-all-dns", "", "CaptureAllDNS", "bool", default="false"),
        _f("network-namespace", "", "NetworkNamespace", inert=True),
        _f("cni-mode", "", "HostFilesystemPodNetwork", "bool", default="false", inert=True),
        _f("reconcile", "", "Reconcile", "bool", default="false", inert=True),
        _f("cleanup-only", "", "CleanupOnly", "bool", default="false"),
        _f("force-apply", "", "ForceApply", "bool", default="false", inert=True),
        _f("native-nftables", "", "NativeNftables", "bool", default="false"),
        _f("force-iptables-binary", "", "ForceIptablesBinary", inert=True),
    ) + _LOG_FLAGS_1_30,
    env_only=(
        EnvSetting("ISTIO_OUTBOUND_OWNER_GROUPS", "OwnerGroupsInclude", "*"),
        EnvSetting("ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE", "OwnerGroupsExclude", ""),
        EnvSetting("ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR", "HostIPv4LoopbackCidr", "127.0.0.1/32"),
    ),
)

#: tools/istio-iptables/pkg/cmd/root.go at 1.5.10 (viper: every flag also reads FLAG_NAME from the environment).
RELEASE_1_5 = Release(
    version="1.5",
    tag="1.5.10",
    program="1.5",
    flags=(
        _f("envoy-port", "p", "ProxyPort", default="15001"),
        _f("inbound-capture-port", "z", "InboundCapturePort", default="15006"),
        _f("proxy-uid", "u", "ProxyUID"),
        _f("proxy-gid", "g", "ProxyGID"),
        _f("istio-inbound-interception-mode", "m", "InboundInterceptionMode"),
        _f("istio-inbound-ports", "b", "InboundPortsInclude"),
        _f("istio-local-exclude-ports", "d", "InboundPortsExclude"),
        _f("istio-service-cidr", "i", "OutboundIPRangesInclude"),
        _f("istio-service-exclude-cidr", "x", "OutboundIPRangesExclude"),
        _f("istio-local-outbound-ports-exclude", "o", "OutboundPortsExclude"),
        _f("kube-virt-interfaces", "k", "RerouteVirtualInterfaces"),
        _f("istio-inbound-tproxy-mark", "t", "InboundTProxyMark", default="1337"),
        _f("istio-inbound-tproxy-route-table", "r", "InboundTProxyRouteTable", default="133"),
        _f("dry-run", "n", "DryRun", "bool", default="false", inert=True),
        _f("restore-format", "f", "RestoreFormat", "bool", default="true", inert=True),
        _f("iptables-probe-port", "", "IptablesProbePort", default="15002", inert=True),
        _f("probe-timeout", "", "ProbeTimeout", "duration", default="5s", inert=True),
        _f("skip-rule-apply", "", "SkipRuleApply", "bool", default="false"),
        _f("run-validation", "", "RunValidation", "bool", default="false", inert=True),
    ),
    default_uid_suffix=",0",
)



def _without(*names: str) -> tuple[Flag, ...]:
    return tuple(f for f in RELEASE_1_30.flags if f.name not in names)


def _with_trace_logging(flags: tuple[Flag, ...]) -> tuple[Flag, ...]:
    at = [f.name for f in flags].index("dry-run") + 1
    trace = _f("iptables-trace-logging", "", "TraceLogging", "bool", default="false", inert=True)
    return flags[:at] + (trace,) + flags[at:]


# 1.25 to 1.29 add the same rules as 1.30 (checked against each tag's TestIptables goldens); they differ in
# flags: --native-nftables came in 1.27, --force-iptables-binary in 1.28, --iptables-trace-logging (no
# rules) went after 1.25; and up to 1.26 a CIDR that does not parse was skipped with a message.
RELEASE_1_29 = Release("1.29", "1.29.6", RELEASE_1_30.flags, RELEASE_1_30.env_only, program="1.30")
RELEASE_1_28 = Release("1.28", "1.28.10", RELEASE_1_30.flags, RELEASE_1_30.env_only, program="1.30")
RELEASE_1_27 = Release("1.27", "1.27.9", _without("force-iptables-binary"), RELEASE_1_30.env_only, program="1.30")
RELEASE_1_26 = Release("1.26", "1.26.8", _without("force-iptables-binary", "native-nftables"), RELEASE_1_30.env_only,
                       program="1.30", bad_cidr="skip")
RELEASE_1_25 = Release("1.25", "1.25.5", _with_trace_logging(_without("force-iptables-binary", "native-nftables")),
                       RELEASE_1_30.env_only, program="1.30", bad_cidr="skip",
                       cni_virt_annotations=("istio.io/reroute-virtual-interfaces",))
# 1.8.6: 1.5's flags plus -e (tunnel port) and -q (outbound ports); root is no longer added to the default
# uid; DNS capture is read from ISTIO_META_DNS_CAPTURE only.
_flags_1_8 = list(RELEASE_1_5.flags)
_flags_1_8.insert(2, _f("inbound-tunnel-port", "e", "InboundTunnelPort", default="15008"))
_flags_1_8.insert([f.name for f in _flags_1_8].index("istio-local-outbound-ports-exclude"),
                  _f("istio-outbound-ports", "q", "OutboundPortsInclude"))
RELEASE_1_8 = Release("1.8", "1.8.6", tuple(_flags_1_8), (EnvSetting("ISTIO_META_DNS_CAPTURE", "DNSCapture", "false"),),
                      program="1.5")

# 1.9.9: 1.8's flags and --redirect-dns (its default from $ISTIO_META_DNS_CAPTURE).  1.10.6: the same, and
# $ISTIO_META_DNS_CONNTRACK_ZONE.  1.11.8: --istio-exclude-interfaces (no shorthand), --capture-all-dns,
# --output-paths, --network-namespace, --cni-mode.
_redirect_dns = _f("redirect-dns", "", "RedirectDNS", "bool", default="false",
                   env=("ISTIO_META_DNS_CAPTURE", "REDIRECT_DNS"))
RELEASE_1_9 = Release("1.9", "1.9.9", RELEASE_1_8.flags + (_redirect_dns,), program="1.5")
RELEASE_1_10 = Release("1.10", "1.10.6", RELEASE_1_9.flags,
                       (EnvSetting("ISTIO_META_DNS_CONNTRACK_ZONE", "DNSConntrackZone", "false"),), program="1.5")
_flags_1_11 = list(RELEASE_1_9.flags)
_flags_1_11.insert([f.name for f in _flags_1_11].index("istio-service-cidr"),
                   _f("istio-exclude-interfaces", "", "ExcludeInterfaces"))
_flags_1_11 += [_f("capture-all-dns", "", "CaptureAllDNS", "bool", default="false"),
                _f("output-paths", "", "OutputPath", inert=True),
                _f("network-namespace", "", "NetworkNamespace", inert=True),
                _f("cni-mode", "", "HostFilesystemPodNetwork", "bool", default="false", inert=True)]
RELEASE_1_11 = Release("1.11", "1.11.8", tuple(_flags_1_11), program="1.5")

# 1.6.14: 1.5's flags; $DNS_CAPTURE (any value) captures UDP DNS to Envoy.  1.7.8: 1.8's flags, root still added
# to the default uid; $ISTIO_META_DNS_CAPTURE (Envoy) or $DNS_AGENT (the agent), any value.
RELEASE_1_6 = Release("1.6", "1.6.14", RELEASE_1_5.flags, (EnvSetting("DNS_CAPTURE", "DNSCaptureEnvoy", ""),),
                      default_uid_suffix=",0", program="1.5")
RELEASE_1_7 = Release("1.7", "1.7.8", RELEASE_1_8.flags, (EnvSetting("ISTIO_META_DNS_CAPTURE", "DNSCaptureEnvoy", ""),
                                                          EnvSetting("DNS_AGENT", "DNSCaptureAgent", "")),
                      default_uid_suffix=",0", program="1.5")

# 1.24: the same flags as 1.25 (--iptables-trace-logging still logs), DNS capture written inline in
# ISTIO_OUTPUT (see Release.dns_chain).
RELEASE_1_24 = Release("1.24", "1.24.6",
                       tuple(replace(f, inert=False) if f.name == "iptables-trace-logging" else f
                             for f in RELEASE_1_25.flags),
                       RELEASE_1_30.env_only, program="1.30", bad_cidr="skip",
                       cni_virt_annotations=("traffic.sidecar.istio.io/kubevirtInterfaces",), dns_chain=False,
                       trace_logging="plain")


def _sh(letters: str, *, capture_flag: bool) -> tuple[Flag, ...]:
    """istio-iptables.sh's getopts letters (in its order) and the variables it reads for them."""
    table = {
        "p": _f("envoy-port", "p", "ProxyPort", default="15001", env=("ENVOY_PORT",)),
        "z": _f("inbound-capture-port", "z", "InboundCapturePort", default="15006", env=("INBOUND_CAPTURE_PORT",)),
        "u": _f("proxy-uid", "u", "ProxyUID", env=()),
        "g": _f("proxy-gid", "g", "ProxyGID", env=()),
        "m": _f("istio-inbound-interception-mode", "m", "InboundInterceptionMode",
                env=("ISTIO_INBOUND_INTERCEPTION_MODE",)),
        "b": _f("istio-inbound-ports", "b", "InboundPortsInclude", env=("ISTIO_INBOUND_PORTS",)),
        "d": _f("istio-local-exclude-ports", "d", "InboundPortsExclude", env=("ISTIO_LOCAL_EXCLUDE_PORTS",)),
        "o": _f("istio-local-outbound-ports-exclude", "o", "OutboundPortsExclude",
                env=("ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE",)),
        "i": _f("istio-service-cidr", "i", "OutboundIPRangesInclude", env=("ISTIO_SERVICE_CIDR",)),
        "x": _f("istio-service-exclude-cidr", "x", "OutboundIPRangesExclude", env=("ISTIO_SERVICE_EXCLUDE_CIDR",)),
        "k": _f("kube-virt-interfaces", "k", "RerouteVirtualInterfaces", env=()),
        # -t only ends option parsing in the script's own tests; it changes no rule.
        "t": _f("test", "t", "ScriptTest", "bool", default="false", env=(), inert=True),
    }
    flags = [table[letter] for letter in letters]
    # Without -z (1.0-1.2) the capture port is still read from $INBOUND_CAPTURE_PORT.
    if not capture_flag:
        flags.append(Flag("inbound-capture-port", "", "InboundCapturePort", "string", ("INBOUND_CAPTURE_PORT",), ""))
    # TPROXY's mark and route table have no flag, only variables.
    flags += [Flag("istio-inbound-tproxy-mark", "", "InboundTProxyMark", "string", ("ISTIO_INBOUND_TPROXY_MARK",),
                   "1337"),
              Flag("istio-inbound-tproxy-route-table", "", "InboundTProxyRouteTable", "string",
                   ("ISTIO_INBOUND_TPROXY_ROUTE_TABLE",), "133")]
    return tuple(flags)


_SH_LOOPBACK = EnvSetting("DISABLE_REDIRECTION_ON_LOCAL_LOOPBACK", "DisableLoopbackRedirect", "")
# istio-iptables.sh (tools/deb/ up to 1.1, tools/packaging/common/ from 1.2), getopts letters per tag.
RELEASE_1_0 = Release("1.0", "1.0.8", _sh("pugmbdix", capture_flag=False),
                      (EnvSetting("ENABLE_INBOUND_IPV6", "EnableInboundIPv6", ""),), ",0", "sh", getopts=True,
                      capture_port_defaults_to_proxy=True)
RELEASE_1_1 = Release("1.1", "1.1.17", _sh("pugmbdixk", capture_flag=False), (_SH_LOOPBACK,), ",0", "sh",
                      getopts=True, capture_port_defaults_to_proxy=True)
RELEASE_1_2 = Release("1.2", "1.2.10", _sh("pugmbdoixkt", capture_flag=False), (_SH_LOOPBACK,), ",0", "sh",
                      getopts=True, capture_port_defaults_to_proxy=True)
RELEASE_1_3 = Release("1.3", "1.3.8", _sh("pzugmbdoixkt", capture_flag=True), (_SH_LOOPBACK,), ",0", "sh",
                      getopts=True)
RELEASE_1_4 = Release("1.4", "1.4.10", _sh("pzugmbdoixkt", capture_flag=True), (_SH_LOOPBACK,), ",0", "sh",
                      getopts=True)

# 1.23.6: 1.24's flags without --reconcile, --cleanup-only and --force-apply, with -f/--restore-format (no
# effect on the rules); --drop-invalid DROPs from PREROUTING directly (no ISTIO_DROP chain).
_flags_1_23 = [f for f in RELEASE_1_24.flags if f.name not in ("reconcile", "cleanup-only", "force-apply")]
_flags_1_23.insert([f.name for f in _flags_1_23].index("iptables-probe-port"),
                   _f("restore-format", "f", "RestoreFormat", "bool", default="true", inert=True))
RELEASE_1_23 = Release("1.23", "1.23.6", tuple(_flags_1_23), RELEASE_1_30.env_only, program="1.30", bad_cidr="skip",
                       cni_virt_annotations=("traffic.sidecar.istio.io/kubevirtInterfaces",), dns_chain=False,
                       drop_chain=False, trace_logging="quoted")

# 1.22.8: 1.23's flags and rules, but its UDP DNS rules sit in OUTPUT (nat and raw) and ISTIO_OUTPUT ends an -i
# CIDR list with a RETURN.
RELEASE_1_22 = replace(RELEASE_1_23, version="1.22", tag="1.22.8", udp_dns_chain="OUTPUT", include_return_rest=True)

# 1.20.8, 1.21.6: 1.22's rules (checked against their goldens); one more flag, --iptables-version (which binary
# to run, no effect on the rules).
_flags_1_21 = RELEASE_1_22.flags + (_f("iptables-version", "", "IptablesVersion", inert=True),)
RELEASE_1_21 = replace(RELEASE_1_22, version="1.21", tag="1.21.6", flags=_flags_1_21)
# 1.20 has no $ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: the loopback range is 127.0.0.1/32.
RELEASE_1_20 = replace(RELEASE_1_21, version="1.20", tag="1.20.8", env_only=RELEASE_1_30.env_only[:2])
# 1.19.10: 1.20's flags and rules, but the conntrack-zone rule for DNS replies matches the nameserver as
# destination (-d), not source.
RELEASE_1_19 = replace(RELEASE_1_20, version="1.19", tag="1.19.10", dns_reply_match="-d")


def _viper_env(flag: Flag) -> Flag:
    """1.18 (viper AutomaticEnv): every flag reads FLAG_NAME; a variable that sets the default reads first."""
    defaults = {"redirect-dns": ("ISTIO_META_DNS_CAPTURE",), "drop-invalid": ("INVALID_DROP",),
                "dual-stack": ("ISTIO_AGENT_DUAL_STACK",)}
    if flag.name.startswith("log_"):
        return flag
    kind = "string" if flag.name == "iptables-probe-port" else flag.kind
    return replace(flag, kind=kind, env=defaults.get(flag.name, ()) + (_upper(flag.name),))


# 1.18.7: 1.19's rules (checked against its goldens) and flags; environment variables through viper.
RELEASE_1_18 = replace(RELEASE_1_19, version="1.18", tag="1.18.7", flags=tuple(_viper_env(f) for f in RELEASE_1_19.flags))

# 1.17.8: 1.18's rules (checked against its goldens), except that the proxy's calls over lo go back to
# ISTIO_IN_REDIRECT whatever their port (1.18 leaves the tunnel port alone); no --dual-stack (it is read from
# $ISTIO_AGENT_DUAL_STACK only) or --iptables-version, but --host-nsenter-exec (how rules are applied).
_flags_1_17 = tuple(f for f in RELEASE_1_18.flags if f.name not in ("dual-stack", "iptables-version"))
_at = [f.name for f in _flags_1_17].index("cni-mode") + 1
_nsenter = _viper_env(_f("host-nsenter-exec", "", "HostNSEnterExec", "bool", default="false", inert=True))
_flags_1_17 = _flags_1_17[:_at] + (_nsenter,) + _flags_1_17[_at:]
RELEASE_1_17 = replace(RELEASE_1_18, version="1.17", tag="1.17.8", flags=_flags_1_17, lo_redirect_exempts_tunnel=False)
# 1.15.7, 1.16.7: 1.17's rules (checked against their goldens) and flags, plus --output-paths (a file the rules
# are also written to).
_at = [f.name for f in _flags_1_17].index("capture-all-dns") + 1
_flags_1_16 = _flags_1_17[:_at] + (_viper_env(_f("output-paths", "", "OutputPath", inert=True)),) + _flags_1_17[_at:]
RELEASE_1_16 = replace(RELEASE_1_17, version="1.16", tag="1.16.7", flags=_flags_1_16)
RELEASE_1_15 = replace(RELEASE_1_16, version="1.15", tag="1.15.7")
# 1.14.6: --exclude-interfaces has no -c yet and there is no --host-nsenter-exec.  1.13.9: no outbound owner
# groups ($ISTIO_OUTBOUND_OWNER_GROUPS*).  1.12.9: with -b '*', inbound SSH (22) is always RETURNed.
_flags_1_14 = tuple(replace(f, short="") if f.name == "istio-exclude-interfaces" else f for f in _flags_1_16
                    if f.name != "host-nsenter-exec")
RELEASE_1_14 = replace(RELEASE_1_16, version="1.14", tag="1.14.6", flags=_flags_1_14)
RELEASE_1_13 = replace(RELEASE_1_14, version="1.13", tag="1.13.9", env_only=())
RELEASE_1_12 = replace(RELEASE_1_13, version="1.12", tag="1.12.9", ssh_exempt=True)

#: Release -> its table; ``--istio-version`` picks one.
RELEASES: dict[str, Release] = {r.version: r for r in (
    RELEASE_1_30, RELEASE_1_29, RELEASE_1_28, RELEASE_1_27, RELEASE_1_26, RELEASE_1_25, RELEASE_1_24, RELEASE_1_23,
    RELEASE_1_22, RELEASE_1_21, RELEASE_1_20, RELEASE_1_19, RELEASE_1_18, RELEASE_1_17, RELEASE_1_16, RELEASE_1_15,
    RELEASE_1_14, RELEASE_1_13, RELEASE_1_12, RELEASE_1_11, RELEASE_1_10, RELEASE_1_9, RELEASE_1_8, RELEASE_1_7,
    RELEASE_1_6, RELEASE_1_5, RELEASE_1_4, RELEASE_1_3, RELEASE_1_2, RELEASE_1_1, RELEASE_1_0)}
DEFAULT_RELEASE = "1.30"


def release(version: str) -> Release:
    """The table of ``version`` (``1.30``, ``1.30.3`` and ``1.5.1`` are read as their minor release)."""
    minor = ".".join(version.split(".")[:2])
    if minor not in RELEASES:
        have = ", ".join(sorted(RELEASES, key=lambda v: tuple(int(p) for p in v.split("."))))
        raise UsageError(f"--istio-version {version}: no istio-iptables rules modelled for it; have {have}")
    return RELEASES[minor]


@dataclass(frozen=True)
class Parsed:
    """Config field -> value (strings, as Go keeps them; bools as "true"/"false") and where each came from."""

    values: Mapping[str, str]
    #: Field -> "--flag", "$ENV" or "default".
    sources: Mapping[str, str] = field(default_factory=dict)
    #: Positional words after the flags (istio-iptables ignores them).
    positional: tuple[str, ...] = ()


_GO_BOOL = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
            "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def _check_value(flag: Flag, value: str, origin: str) -> str:
    """Go's parse of a typed flag value; strings pass as they are."""
    if flag.kind == "bool":
        if value not in _GO_BOOL:
            raise UsageError(f"{origin}: invalid boolean {value!r} (true or false)")
        return "true" if _GO_BOOL[value] else "false"
    if flag.kind == "uint16":
        if not re.fullmatch(r"[0-9]+", value) or int(value) > 65535:
            raise UsageError(f"{origin}: invalid port {value!r} (0-65535)")
        return str(int(value))
    if flag.kind == "duration":
        from pyinject.golang.durations import parse_duration

        try:
            parse_duration(value)
        except ValueError as err:
            raise UsageError(f"{origin}: invalid duration {value!r} ({err})") from None
    return value


def parse_args(rel: Release, argv: Sequence[str], environ: Mapping[str, str]) -> Parsed:
    """Read ``argv`` as istio-iptables of ``rel`` would (pflag syntax), over ``environ`` and the defaults."""
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for flag in rel.flags:
        values[flag.field], sources[flag.field] = flag.default, "default"
        for name in flag.env:
            if name in environ:
                try:
                    values[flag.field] = _check_value(flag, environ[name], f"${name}")
                except UsageError:
                    continue  # istio-iptables ignores an env value its flag cannot parse
                sources[flag.field] = f"${name}"
    for setting in rel.env_only:
        values[setting.field] = environ.get(setting.name, setting.default)
        sources[setting.field] = f"${setting.name}" if setting.name in environ else "default"

    longs, shorts = rel.by_long(), rel.by_short()
    positional: list[str] = []
    args = list(argv)
    i = 0

    def take(flag: Flag, inline: str | None, shown: str) -> None:
        nonlocal i
        if inline is not None:
            raw = inline
        elif flag.kind == "bool":
            raw = "true"
        elif i < len(args):
            raw = args[i]
            i += 1
        else:
            raise UsageError(f"istio-iptables flag {shown} needs a value")
        values[flag.field] = _check_value(flag, raw, f"istio-iptables flag {shown}")
        sources[flag.field] = f"--{flag.name}"

    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positional.extend(args[i:])
            break
        if rel.getopts and (arg.startswith("--") or not (arg.startswith("-") and len(arg) > 1)):
            if arg.startswith("--"):
                raise UsageError(f"istio-iptables.sh of {rel.version} takes single-letter flags only, not {arg}")
            positional.extend(args[i - 1:])  # getopts stops at the first word that is not a flag
            break
        if arg.startswith("--"):
            name, eq, inline = arg[2:].partition("=")
            long_flag = longs.get(name)
            if long_flag is None:
                raise UsageError(f"unknown istio-iptables {rel.version} flag --{name}{_did_you_mean(name, longs)}")
            take(long_flag, inline if eq else None, f"--{name}")
        elif arg.startswith("-") and len(arg) > 1:
            letters = arg[1:]
            while letters:
                letter, letters = letters[0], letters[1:]
                short_flag = shorts.get(letter)
                if short_flag is None:
                    raise UsageError(f"unknown istio-iptables {rel.version} shorthand flag -{letter} in {arg}")
                flag = short_flag
                if letters.startswith("="):
                    take(flag, letters[1:], f"-{letter}")
                    letters = ""
                elif flag.kind != "bool" and letters:
                    take(flag, letters, f"-{letter}")
                    letters = ""
                else:
                    take(flag, None, f"-{letter}")
        else:
            positional.append(arg)
    if rel.capture_port_defaults_to_proxy and not values.get("InboundCapturePort"):
        values["InboundCapturePort"] = values["ProxyPort"]
    if not values.get("ProxyUID"):
        values["ProxyUID"] = "1337" + rel.default_uid_suffix
    if not values.get("ProxyGID"):
        values["ProxyGID"] = values["ProxyUID"]
    return Parsed(values, sources, tuple(positional))


def _did_you_mean(name: str, known: Mapping[str, Flag]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean --{close[0]}?)" if close else ""
