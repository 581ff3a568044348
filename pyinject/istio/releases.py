"""What each Istio release's ``istioctl kube-inject`` does in Go rather than in its config files.

A cluster's exported ConfigMaps carry the templates, values and mesh config,
but part of the injection lives in istioctl's code: which pods it skips, how
it splices the rendered sidecar into the pod, which annotations and labels it
writes, how it rewrites probes.  That code changed from release to release;
this module is the one table of those differences, keyed by minor release, so
that supporting another release is a new row, not new branches in the code.

Releases 1.0–1.8 render a ``SidecarInjectionSpec`` (see
:mod:`pyinject.istio.legacy`); 1.9 and later render a Pod, which the modern
path handles.  Facts come from ``pkg/kube/inject`` and ``istioctl/cmd`` at
each release's tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.errors import UsageError
from pyinject.golang.memo import LazyTable
from pyinject.records import dataclass, field, replace

#: The release whose defaults pyinject embeds (templates/, values, mesh).
EMBEDDED_RELEASE = "1.30.3"
OLDEST = (1, 0)
NEWEST = (1, 30)

#: Istio's template functions of 1.0, then what each later release added.
_FUNCS_1_0 = ("formatDuration", "isset", "excludeInboundPort", "includeInboundPorts", "applicationPorts",
              "annotation", "toJson")
_FUNCS_1_1 = _FUNCS_1_0 + ("kubevirtInterfaces", "valueOrDefault", "toJSON", "fromJSON", "toYaml", "indent",
                           "directory")
_FUNCS_1_2 = _FUNCS_1_1 + ("contains", "render")
_FUNCS_1_3 = _FUNCS_1_2 + ("structToJSON", "toLower")
_FUNCS_1_4 = _FUNCS_1_3 + ("protoToJSON",)
_FUNCS_1_5 = _FUNCS_1_4 + ("env",)
_FUNCS_1_8 = _FUNCS_1_5 + ("appendMultusNetwork",)


@dataclass(frozen=True)
class InjectSwitch:
    """How a release's injectRequired reads the pod's ``sidecar.istio.io/inject`` (label and annotation).

    1.0–1.11 read only the annotation, 1.12 added the label of the same name
    (which wins when both are set); until 1.26 the value was lowercased and
    ``y``/``yes``/``true``/``on`` asked for injection while any other non-empty
    value opted out; from 1.27 only ``true`` and ``false`` (exactly) count, and
    any other value is logged and ignored, leaving the decision to the
    selectors and the policy (pkg/kube/inject/inject.go ``injectRequired`` at
    the 1.11.8, 1.12.0, 1.26.8 and 1.27.0 tags).
    """

    #: The label is read, and wins over the annotation.
    label: bool = True
    #: Values that ask for injection (compared lowercased when ``fold_case``).
    inject: tuple[str, ...] = ("true",)
    #: Values that opt out; empty: every other non-empty value does.
    opt_out: tuple[str, ...] = ("false",)
    fold_case: bool = False

    def meaning(self, value: str) -> str:
        """"inject", "opt-out", "unsaid" (empty) or "ignored" (a value this release does not accept)."""
        if value == "":
            return "unsaid"
        said = value.lower() if self.fold_case else value
        if said in self.inject:
            return "inject"
        if not self.opt_out or said in self.opt_out:
            return "opt-out"
        return "ignored"

    def accepted(self) -> str:
        """The accepted spellings, for messages."""
        words = "/".join(self.inject) + (f" and {'/'.join(self.opt_out)}" if self.opt_out else "")
        return words + (" (any case)" if self.fold_case else "")


#: 1.0–1.11: the annotation only, YAML 1.1's words for true (any case); anything else opts out.
_SWITCH_YAML_WORDS = InjectSwitch(label=False, inject=("y", "yes", "true", "on"), opt_out=(), fold_case=True)
#: 1.12–1.26: the same words, the label read first.
_SWITCH_LABEL = replace(_SWITCH_YAML_WORDS, label=True)
#: 1.27 and later: the label, then the annotation, with their own words (the class defaults).
_SWITCH_TODAY = InjectSwitch()


@dataclass(frozen=True)
class Release:
    """One minor release's kube-inject behaviour (fields default to 1.30's)."""

    version: tuple[int, int]
    #: The template renders a SidecarInjectionSpec (top-level containers, volumes...), not a Pod.
    legacy_format: bool = False
    #: How the rendered spec reaches the pod: "append" (IntoObject appends the lists, 1.0–1.7) or
    #: "patch" (kube-inject runs the webhook's injectPod, 1.8).
    apply: str = "patch"
    #: Fields of SidecarTemplateData the templates can read.
    data_fields: tuple[str, ...] = ("TypeMeta", "DeploymentMeta", "ObjectMeta", "Spec", "ProxyConfig",
                                    "MeshConfig", "Values")
    #: Istio's template functions (Go's builtins are always there).
    functions: tuple[str, ...] = _FUNCS_1_8
    #: Whether sprig's functions are there too (Istio's win on a clash).
    sprig: bool = True
    #: Pods whose containers already include istio-proxy (and another) are passed through.
    skip_injected: bool = True
    #: ``sidecar.istio.io/inject: "false"`` and the selectors are honoured (before 1.8 kube-inject ignored them).
    honour_inject_annotation: bool = True
    #: ``proxy.istio.io/config`` on the pod is applied over the mesh's ProxyConfig.
    proxy_config_annotation: bool = True
    #: ... merging ``proxyMetadata`` key by key (1.8's jsonpb replaced the whole map).
    proxy_metadata_merge: bool = True
    #: The rendered ``dnsConfig`` replaces the pod's even when the template renders none.
    replace_dns_config: bool = False
    #: The rendered ``imagePullSecrets`` are added to the pod.
    image_pull_secrets: bool = True
    #: ``podRedirectAnnot`` becomes pod annotations.
    pod_redirect_annotations: bool = False
    #: Keys ``podRedirectAnnot`` may set beyond the sidecar annotations of 1.3–1.5's registry
    #: (1.6 added the Prometheus merge switch, ``proxy.istio.io/config`` and, from 1.6.3, the
    #: Multus ``k8s.v1.cni.cncf.io/networks`` that non-chained CNI installs write).
    pod_redirect_extra: tuple[str, ...] = ()
    #: ``istio.io/rev`` label (the --revision); ``security.istio.io/tlsMode`` label.
    revision_label: bool = True
    tls_mode_label: bool = True
    #: ``service.istio.io/canonical-name`` / ``canonical-revision`` labels.
    canonical_labels: bool = True
    #: Pod ``fsGroup: 1337``: "" never, "sds-token" (mesh enableSdsTokenMount and sdsUdsPath: a new
    #: securityContext), "sds" (mesh sdsUdsPath set), "env" (ENABLE_LEGACY_FSGROUP_INJECTION).
    fs_group: str = "env"
    #: App HTTP probes rewritten (when the spec's rewriteAppHTTPProbe or the annotation says so).
    rewrite_probes: bool = True
    #: Where the status port for rewritten probes comes from: "args" (the proxy's --statusPort) or "mesh".
    probe_status_port: str = "mesh"
    #: Startup probes are rewritten too.
    startup_probes: bool = True
    #: TCP probes are rewritten and recorded like HTTP ones: "never" (before 1.12), "switch" (1.12–1.18:
    #: the ``REWRITE_TCP_PROBES`` environment variable, on unless it parses as false), "always" (1.19 on).
    tcp_probes: str = "always"
    #: gRPC probes are taken over too (1.13 on; the Kubernetes API gained them in 1.23's libraries).
    grpc_probes: bool = True
    #: preStop/postStart HTTP and TCP hooks are taken over too (1.25 on).
    lifecycle_hooks: bool = True
    #: ISTIO_KUBE_APP_PROBERS is added even when there is no probe to take over (as ``{}``).
    empty_app_probers: bool = False
    #: What ISTIO_KUBE_APP_PROBERS maps each path to: "prober" (``{"httpGet":...,"timeoutSeconds":...}``,
    #: 1.5 on) or "http_get" (the bare HTTPGetAction, 1.1–1.4).
    app_prober_format: str = "prober"
    #: The Go template delimiters of the injection template (1.0–1.1 parsed it with ``[[ ]]``).
    delims: tuple[str, str] = ("{{", "}}")
    #: ``--concurrency`` appended from the proxy's CPU limit (else request) when not set.
    concurrency_from_cpu: bool = True
    #: Prometheus merge: "" none, "annotations" (1.7 writes the annotations only), "full".
    prometheus_merge: str = "full"
    #: istio-proxy is put first when holdApplicationUntilProxyStarts is set.
    hold_application: bool = True
    #: ``protoToJSON`` of a ProxyConfig leaves out fields equal to the release's defaults.
    clean_proxy_config: bool = True
    #: Key of the release's built-in mesh defaults in data/legacy-mesh-defaults.yaml ("" = embedded).
    mesh_defaults: str = ""
    #: The Kubernetes API minor version (k8s.io/api v0.N) the release built with: decides how
    #: istioctl wrote objects (``creationTimestamp: null`` before 34, fields that existed).
    k8s_minor: int = 35
    #: Its go-yaml folded long lines at 80 columns (gopkg.in/yaml.v2 v2.3.0, pinned by 1.7–1.9, did not).
    yaml_fold: bool = True
    #: (apiVersion, kind) pairs kube-inject's scheme decodes into Go types, which istioctl writes
    #: typed; the rest stays raw text.  Empty: today's (``istioctl_style.REGISTERED``).
    registered_kinds: frozenset[tuple[str, str]] = frozenset()
    #: ``EstimatedConcurrency`` of the template data is estimated from the pod's ProxyConfig (1.11–1.17;
    #: 1.10 declared the field but left it 0).
    estimated_concurrency: bool = False
    #: ``DefaultProxyConfig`` fields the release compiled in beyond the embedded release's (the mesh
    #: file is applied over them, and ``protoToJSON`` leaves out fields equal to them).
    proxy_config_defaults: Mapping[str, Any] = field(default_factory=dict)
    #: Environment variables the release's stock templates read with ``env``; Istio's own settings,
    #: so templates see them without ``--template-env``.
    template_env: tuple[str, ...] = ()
    #: ``appendMultusNetwork`` writes a ``namespace/name`` network as JSON ``name`` and ``namespace``
    #: keys (from 1.23.6; before, the qualified name went into ``name`` whole).
    multus_qualified_networks: bool = True
    #: The ``sidecar.istio.io/status`` annotation records the revision (from 1.11).
    status_revision: bool = True
    #: How ``sidecar.istio.io/inject`` is read (where kube-inject honours it: 1.8 and later).
    inject_switch: InjectSwitch = _SWITCH_TODAY
    #: Other per-release facts, by name.
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


_CORE_KINDS = frozenset({("v1", "ReplicationController"), ("v1", "Pod"), ("v1", "List"), ("batch/v1", "Job")})
#: 1.0–1.1 registered the beta workload APIs, batch/v2alpha1 CronJob and OpenShift's legacy group.
_KINDS_1_0 = _CORE_KINDS | {
    ("extensions/v1beta1", "Deployment"), ("extensions/v1beta1", "DaemonSet"), ("extensions/v1beta1", "ReplicaSet"),
    ("apps/v1beta1", "StatefulSet"), ("batch/v2alpha1", "CronJob"),
    ("apps.openshift.io/v1", "DeploymentConfig"), ("v1", "DeploymentConfig"),
}
#: 1.2–1.10: apps/v1 workloads, CronJob still batch/v2alpha1 (batch/v1 from 1.11).
_KINDS_1_2 = _CORE_KINDS | {
    ("apps/v1", "Deployment"), ("apps/v1", "DaemonSet"), ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet"),
    ("batch/v2alpha1", "CronJob"), ("apps.openshift.io/v1", "DeploymentConfig"),
}

def _legacy_append() -> Release:
    """1.7's row, which the older legacy rows start from."""
    return Release(
        version=(1, 7), legacy_format=True, apply="append", functions=_FUNCS_1_5, sprig=False,
        honour_inject_annotation=False, proxy_metadata_merge=False, replace_dns_config=True,
        pod_redirect_annotations=True, pod_redirect_extra=(
            "prometheus.istio.io/merge-metrics", "proxy.istio.io/config", "k8s.v1.cni.cncf.io/networks"),
        canonical_labels=False, fs_group="sds", empty_app_probers=True,
        prometheus_merge="annotations", clean_proxy_config=True, mesh_defaults="1.7",
        k8s_minor=18, yaml_fold=False, inject_switch=_SWITCH_YAML_WORDS, tcp_probes="never",
        registered_kinds=_KINDS_1_2,
    )


#: Each legacy row (1.0-1.8), built when asked for.  Rows list only what differs from the row they start from.
_LEGACY_ROWS: dict[tuple[int, int], Callable[[], Release]] = {
    (1, 0): lambda: replace(
        _legacy_append(), version=(1, 0), proxy_config_annotation=False, pod_redirect_extra=(), functions=_FUNCS_1_0,
        data_fields=("ObjectMeta", "Spec", "ProxyConfig", "MeshConfig"), skip_injected=False,
        replace_dns_config=False, image_pull_secrets=False, pod_redirect_annotations=False, revision_label=False,
        tls_mode_label=False, fs_group="", rewrite_probes=False, probe_status_port="args", startup_probes=False,
        concurrency_from_cpu=False, prometheus_merge="", hold_application=False, clean_proxy_config=False,
        mesh_defaults="1.0", k8s_minor=11, yaml_fold=True, delims=("[[", "]]"), registered_kinds=_KINDS_1_0),
    (1, 1): lambda: replace(
        _legacy_append(), version=(1, 1), proxy_config_annotation=False, pod_redirect_extra=(), functions=_FUNCS_1_1,
        data_fields=("DeploymentMeta", "ObjectMeta", "Spec", "ProxyConfig", "MeshConfig"), skip_injected=False,
        image_pull_secrets=False, pod_redirect_annotations=False, revision_label=False, tls_mode_label=False,
        fs_group="sds-token", probe_status_port="args", startup_probes=False, prometheus_merge="",
        hold_application=False, clean_proxy_config=False, mesh_defaults="1.5", k8s_minor=13, yaml_fold=True,
        app_prober_format="http_get", delims=("[[", "]]"), registered_kinds=_KINDS_1_0),
    (1, 2): lambda: replace(
        _legacy_append(), version=(1, 2), proxy_config_annotation=False, pod_redirect_extra=(), functions=_FUNCS_1_2,
        data_fields=("DeploymentMeta", "ObjectMeta", "Spec", "ProxyConfig", "MeshConfig", "Values"),
        image_pull_secrets=False, pod_redirect_annotations=False, revision_label=False, tls_mode_label=False,
        fs_group="sds-token", probe_status_port="args", startup_probes=False, prometheus_merge="",
        hold_application=False, clean_proxy_config=False, mesh_defaults="1.5", k8s_minor=14, yaml_fold=True,
        app_prober_format="http_get"),
    (1, 3): lambda: replace(
        _legacy_append(), version=(1, 3), proxy_config_annotation=False, pod_redirect_extra=(), functions=_FUNCS_1_3,
        image_pull_secrets=False, revision_label=False, tls_mode_label=False, probe_status_port="args", startup_probes=False, prometheus_merge="",
        hold_application=False, clean_proxy_config=False, mesh_defaults="1.5", k8s_minor=14, yaml_fold=True,
        app_prober_format="http_get"),
    (1, 4): lambda: replace(
        _legacy_append(), version=(1, 4), proxy_config_annotation=False, pod_redirect_extra=(), functions=_FUNCS_1_4,
        image_pull_secrets=False, revision_label=False, probe_status_port="args", startup_probes=False, prometheus_merge="", hold_application=False,
        clean_proxy_config=False, mesh_defaults="1.5", k8s_minor=16, yaml_fold=True, app_prober_format="http_get"),
    (1, 5): lambda: replace(
        _legacy_append(), version=(1, 5), proxy_config_annotation=False, pod_redirect_extra=(), image_pull_secrets=False,
        revision_label=False, probe_status_port="args", startup_probes=False, prometheus_merge="", hold_application=False, clean_proxy_config=False,
        mesh_defaults="1.5", k8s_minor=17, yaml_fold=True),
    (1, 6): lambda: replace(
        _legacy_append(), version=(1, 6), startup_probes=False, prometheus_merge="", hold_application=False,
        mesh_defaults="1.6", k8s_minor=18, yaml_fold=True),
    (1, 7): _legacy_append,
    (1, 8): lambda: Release(
        version=(1, 8), legacy_format=True, apply="patch", proxy_metadata_merge=False, mesh_defaults="1.8",
        k8s_minor=19, yaml_fold=False, inject_switch=_SWITCH_YAML_WORDS, tcp_probes="never",
        registered_kinds=_KINDS_1_2),
}
#: k8s.io/api minor of each later release (go.mod at its last patch).
_K8S_MINOR = {9: 20, 10: 20, 11: 21, 12: 22, 13: 24, 14: 24, 15: 24, 16: 25, 17: 26, 18: 27, 19: 28, 20: 28,
              21: 29, 22: 30, 23: 30, 24: 31, 25: 32, 26: 33, 27: 33, 28: 34, 29: 35, 30: 35}
#: SidecarTemplateData's fields (Go order): 1.9's, then the minor release that added or removed one.
_DATA_1_9 = ("TypeMeta", "DeploymentMeta", "ObjectMeta", "Spec", "ProxyConfig", "MeshConfig", "Values", "Revision")
_DATA_FIELDS = {
    9: _DATA_1_9,
    10: _DATA_1_9 + ("EstimatedConcurrency",),
    13: _DATA_1_9 + ("EstimatedConcurrency", "ProxyImage"),
    18: _DATA_1_9 + ("ProxyImage",),
    19: _DATA_1_9 + ("ProxyImage", "CompliancePolicy"),
    20: _DATA_1_9 + ("ProxyImage", "ProxyUID", "ProxyGID", "CompliancePolicy"),
    22: _DATA_1_9 + ("ProxyImage", "ProxyUID", "ProxyGID", "InboundTrafficPolicyMode", "CompliancePolicy"),
    27: _DATA_1_9 + ("NativeSidecars", "ProxyImage", "ProxyUID", "ProxyGID", "InboundTrafficPolicyMode",
                     "CompliancePolicy"),
}
#: Istio's template functions of 1.9 (``toJson`` is its ``toJSON``, over sprig's), then the minor
#: release that changed them; a name a release lacks is sprig's, if sprig has it, or undefined.
_FUNCS_1_9 = ("formatDuration", "isset", "excludeInboundPort", "includeInboundPorts", "kubevirtInterfaces",
              "applicationPorts", "annotation", "valueOrDefault", "toJSON", "toJson", "fromJSON", "structToJSON",
              "protoToJSON", "toYaml", "indent", "directory", "contains", "toLower", "appendMultusNetwork", "env")
_FUNCS_1_18 = _FUNCS_1_9 + ("excludeInterfaces", "omit", "strdict", "toJsonMap")
_FUNCS_1_21 = tuple(f for f in _FUNCS_1_18 if f != "toJson") + ("mergeMaps",)
_MODERN_FUNCS: dict[int, tuple[str, ...]] = {
    9: _FUNCS_1_9,
    16: _FUNCS_1_9 + ("excludeInterfaces",),
    18: _FUNCS_1_18,
    20: tuple(f for f in _FUNCS_1_18 if f != "toJson"),
    21: _FUNCS_1_21,
    28: _FUNCS_1_21 + ("omitNil",),
    30: _FUNCS_1_21 + ("omitNil", "otelResourceAttributes"),
}
#: DefaultProxyConfig beyond 1.22's: concurrency 2 until 1.17, a zipkin tracer until 1.21, a
#: parentShutdownDuration until 1.16.
_ZIPKIN = {"tracing": {"zipkin": {"address": "zipkin.istio-system:9411"}}}
_PROXY_DEFAULTS: dict[int, Mapping[str, Any]] = {
    9: {"parentShutdownDuration": "60s", "concurrency": 2, **_ZIPKIN},
    17: {"concurrency": 2, **_ZIPKIN},
    18: _ZIPKIN,
    22: {},
}


def _since(table: Mapping[int, Any], minor: int) -> Any:
    """The entry of the latest minor release at or before ``minor``."""
    return table[max(k for k in table if k <= minor)]


def _modern_row(minor: int) -> Release:
    """The row of a release of the 1.9+ format, from the tables above."""
    return Release(
        version=(1, minor), k8s_minor=_K8S_MINOR[minor], yaml_fold=minor != 9,
        data_fields=_since(_DATA_FIELDS, minor), functions=_since(_MODERN_FUNCS, minor),
        estimated_concurrency=11 <= minor <= 17,
        proxy_config_defaults=_since(_PROXY_DEFAULTS, minor),
        template_env=(("ENABLE_LEGACY_FSGROUP_INJECTION",) if minor <= 18 else ("ENABLE_NATIVE_SIDECARS",))
        + (("PILOT_ENABLE_INBOUND_PASSTHROUGH",) if 10 <= minor <= 21 else ()) if minor <= 26 else (),
        multus_qualified_networks=minor >= 23, status_revision=minor >= 11,
        tcp_probes="never" if minor <= 11 else "switch" if minor <= 18 else "always",
        grpc_probes=minor >= 13, lifecycle_hooks=minor >= 25,
        registered_kinds=_KINDS_1_2 if minor <= 10 else frozenset(),
        inject_switch=_SWITCH_YAML_WORDS if minor < 12 else _SWITCH_LABEL if minor < 27 else _SWITCH_TODAY,
    )


def _row(version: tuple[int, int]) -> Release:
    legacy = _LEGACY_ROWS.get(version)
    return legacy() if legacy is not None else _modern_row(version[1])


#: Every supported release, oldest first.
VERSIONS: tuple[tuple[int, int], ...] = (*_LEGACY_ROWS, *((1, minor) for minor in _K8S_MINOR))
#: Minor release -> behaviour.  A run reads one or two rows, so each is built when first read
#: (iterate over VERSIONS for them all).
RELEASES: dict[tuple[int, int], Release] = LazyTable(VERSIONS, _row)

_VERSION = r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$"  # compiled on first use (re's cache)


def parse_version(text: str) -> tuple[int, int] | None:
    """``1.5``, ``1.5.10``, ``1.8.6-distroless``, ``v1.22.0`` -> (major, minor); None if not a version."""
    m = re.match(_VERSION, text.strip())
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2))


def supported_range() -> str:
    return f"{OLDEST[0]}.{OLDEST[1]}–{NEWEST[0]}.{NEWEST[1]}"


def release(version: tuple[int, int]) -> Release:
    """The row for ``version``; a UsageError naming the supported range when there is none."""
    row = RELEASES.get(version)
    if row is None:
        raise UsageError(
            f"--istio-version {version[0]}.{version[1]}: not a supported Istio release (supported: {supported_range()})"
        )
    return row


def choose_release(flag: str | None, values: Mapping[str, Any]) -> Release:
    """``--istio-version`` when given, else the release ``global.tag`` names, else the embedded one."""
    if flag:
        version = parse_version(flag)
        if version is None:
            raise UsageError(f"--istio-version {flag!r}: expected X.Y or X.Y.Z (supported: {supported_range()})")
        return release(version)
    glob = values.get("global") if isinstance(values, Mapping) else None
    tag = glob.get("tag") if isinstance(glob, Mapping) else None
    version = parse_version(str(tag)) if isinstance(tag, (str, int, float)) and not isinstance(tag, bool) else None
    if version is not None and version in RELEASES:
        return RELEASES[version]
    return RELEASES[NEWEST]
