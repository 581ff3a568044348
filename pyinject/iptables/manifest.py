"""The capture of each pod template in manifests: from istio-init's arguments, an in-memory injection, or Istio CNI.

A pod template with an ``istio-init`` init container gets the rules its
``istio-iptables`` arguments (and the container's env) produce.  One without
it is first injected in memory with the run's injection config; then the same
applies.  A pod with ``istio-validation`` instead is programmed by the Istio
CNI plugin, which computes the settings from the pod's annotations and its
``istio-proxy`` container (``NewRedirect`` in cni/pkg/plugin).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

from pyinject.errors import ConfigError, PyinjectError, UsageError
from pyinject.iptables import Capture, PROGRAMS, generate
from pyinject.iptables.flags import Parsed, parse_args, release
from pyinject.iptables.rules import Host, check_values
from pyinject.model import Action
from pyinject.records import dataclass

INIT = "istio-init"
VALIDATION = "istio-validation"
PROXY = "istio-proxy"
CNI_HOW = ("the Istio CNI plugin applies these rules (istio-validation only checks them), "
           "computed from the pod's annotations")


@dataclass(frozen=True)
class WorkloadCapture:
    """One pod template's capture, or why it has none."""

    source: str
    document: int
    workload: str
    #: Who programs the rules: "istio-init", "istio-init (as kube-inject would add it)", CNI_HOW, or "" (none).
    how: str
    capture: Capture | None = None
    reason: str = ""
    #: The istio-iptables arguments found (empty for CNI).
    args: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.source}: document {self.document}: {self.workload}"


def _init_containers(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = spec.get("initContainers") or []
    return [c for c in items if isinstance(c, dict)]


def _named(spec: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    for container in _init_containers(spec) + [c for c in spec.get("containers") or [] if isinstance(c, dict)]:
        if container.get("name") == name:
            return container
    return None


def istio_iptables_args(container: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The flags after ``istio-iptables`` in the container's command + args (None when it does not run it)."""
    words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
    for i, word in enumerate(words):
        if word.rsplit("/", 1)[-1] == "istio-iptables":
            return tuple(words[i + 1:])
    return None


def container_env(container: Mapping[str, Any]) -> dict[str, str]:
    """The container's literal env values (valueFrom entries read as "", as the kubelet would not resolve them here)."""
    env: dict[str, str] = {}
    for item in container.get("env") or []:
        if isinstance(item, dict) and "name" in item:
            env[str(item["name"])] = "" if item.get("value") is None else str(item["value"])
    return env


def capture_of_pod(metadata: Mapping[str, Any], spec: Mapping[str, Any], host: Host, version: str) -> \
        tuple[str, Capture | None, str, tuple[str, ...]]:
    """(how, capture, reason, args) for an injected pod template."""
    init = _named(spec, INIT)
    if init is not None:
        args = istio_iptables_args(init)
        if args is None:
            return "", None, f"its {INIT} container does not run istio-iptables", ()
        return INIT, generate(list(args), container_env(init), host, version), "", args
    if _named(spec, VALIDATION) is not None:
        return CNI_HOW, cni_capture(metadata, spec, host, version), "", ()
    return "", None, f"no {INIT} or {VALIDATION} container", ()


#: CNI annotation -> (config field, default); the order NewRedirect reads them.
CNI_ANNOTATIONS: tuple[tuple[str, str, str], ...] = (
    ("sidecar.istio.io/interceptionMode", "InboundInterceptionMode", "REDIRECT"),
    ("traffic.sidecar.istio.io/includeOutboundIPRanges", "OutboundIPRangesInclude", "*"),
    ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "OutboundIPRangesExclude", ""),
    ("traffic.sidecar.istio.io/excludeInboundPorts", "InboundPortsExclude", "15020"),
    ("traffic.sidecar.istio.io/includeInboundPorts", "InboundPortsInclude", "*"),
    ("traffic.sidecar.istio.io/excludeOutboundPorts", "OutboundPortsExclude", "15020"),
    ("traffic.sidecar.istio.io/includeOutboundPorts", "OutboundPortsInclude", ""),
    ("traffic.sidecar.istio.io/excludeInterfaces", "ExcludeInterfaces", ""),
)


def _go_bool(text: str) -> bool | None:
    return {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
            "0": False, "f": False, "F": False, "false": False, "FALSE": False, "False": False}.get(text)


def cni_capture(metadata: Mapping[str, Any], spec: Mapping[str, Any], host: Host, version: str) -> Capture:
    """The rules the Istio CNI plugin programs for this pod (its annotations, istio-proxy's uid/gid and env).

    Modelled from cni/pkg/plugin/sidecar_redirect.go, the same from 1.24 to 1.30 but for the
    virtual-interface annotations (see Release.cni_virt_annotations).
    """
    rel = release(version)
    if rel.program != "1.30" or tuple(int(p) for p in rel.version.split(".")) < (1, 24):
        raise UsageError(f"the Istio CNI plugin of {rel.version} is not modelled; use --istio-version 1.30")
    annotations = {str(k): str(v) for k, v in (metadata.get("annotations") or {}).items()}
    parsed = parse_args(rel, [], {})
    values = dict(parsed.values)
    for key, name, default in CNI_ANNOTATIONS:
        values[name] = annotations.get(key, default)
    if values["InboundInterceptionMode"] not in ("REDIRECT", "TPROXY"):
        raise UsageError(f"annotation {CNI_ANNOTATIONS[0][0]}: {values['InboundInterceptionMode']!r} is not "
                         "REDIRECT or TPROXY (the CNI plugin refuses the pod)")
    # The plugin always keeps the agent and Envoy's own ports out of inbound capture.
    excluded = values["InboundPortsExclude"].strip()
    if excluded and not excluded.endswith(","):
        excluded += ","
    values["InboundPortsExclude"] = ",".join(dict.fromkeys((excluded + "15020,15021,15090").split(",")))
    values["RerouteVirtualInterfaces"] = next(
        (annotations[key] for key in rel.cni_virt_annotations if key in annotations), "")
    proxy = _named(spec, PROXY) or {}
    context = proxy.get("securityContext") or {}
    uid, gid = context.get("runAsUser"), context.get("runAsGroup")
    values["ProxyUID"] = str(uid) if isinstance(uid, int) and uid != 0 else "1337"
    values["ProxyGID"] = str(gid) if isinstance(gid, int) and gid != 0 else "1337"
    env = container_env(proxy)
    dns = _go_bool(env.get("ISTIO_META_DNS_CAPTURE", "")) or False
    values["RedirectDNS"] = values["CaptureAllDNS"] = "true" if dns else "false"
    values["DropInvalid"] = "true" if _go_bool(env.get("INVALID_DROP", "")) else "false"
    values["DualStack"] = "true" if _go_bool(env.get("ISTIO_DUAL_STACK", "")) else "false"
    check_values(values, lambda name: f"CNI setting {name} (from the pod's annotations)")
    program, _ = PROGRAMS[rel.program]
    return Capture(rel, Parsed(values, {k: "CNI" for k in values}), host, program(values, host, rel))


def find_captures(paths: Iterable[str], stdin: IO[str] | None, host: Host, version: str,
                  injector_factory: Callable[[], Any]) -> Iterator[WorkloadCapture]:
    """Every pod template of the manifests with its capture (injecting in memory where needed)."""
    from pyinject.manifests.load import copy_plain, load_plain
    from pyinject.manifests.read import expand_paths, read_documents
    from pyinject.manifests.workloads import find_workloads

    injector = None
    for doc in read_documents(expand_paths(paths), stdin):
        data = load_plain(doc.text, doc.location())
        try:
            workloads = list(find_workloads(data))
        except PyinjectError as err:
            raise err.with_location(file=doc.source, document=doc.index, line=doc.line)
        for workload in workloads:
            name = workload.describe()
            try:
                metadata, spec = workload.get_pod()
                how_prefix = ""
                if _named(spec, INIT) is None and _named(spec, VALIDATION) is None:
                    if injector is None:
                        injector = injector_factory()
                    result = injector.inject(workload, copy_plain(metadata), copy_plain(spec))
                    if result.action not in (Action.INJECTED, Action.REINJECTED):
                        yield WorkloadCapture(doc.source, doc.index, name, "", None,
                                              f"kube-inject would not inject it ({result.reason or result.action})")
                        continue
                    metadata, spec = result.metadata, result.spec
                    how_prefix = "as kube-inject would add it"
                try:
                    how, capture, reason, args = capture_of_pod(metadata, spec, host, version)
                except UsageError as err:
                    if "--istio-version" in err.message:
                        raise
                    # A bad istio-iptables argument in a manifest is bad input, not bad usage.
                    raise ConfigError(err.message) from err
            except PyinjectError as err:
                raise err.with_location(file=doc.source, document=doc.index, line=doc.line, workload=name)
            if how and how_prefix:
                how = f"{how} ({how_prefix})"
            yield WorkloadCapture(doc.source, doc.index, name, how, capture, reason, args)
