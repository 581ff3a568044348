"""The account of one pod template: the decision, its steps, and what would be injected, from where.

Everything here is plain data; :meth:`Account.to_json` is the stable ``-o json``
record (README, "pyinject explain").  Renderers read these objects, nothing else.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pyinject.istio.policy import Step
from pyinject.records import dataclass, field

#: Reasons for a skip, as ``explain -o json`` writes them (stable).
SKIP_REASONS = (
    "host-network", "opt-out-label", "opt-out-annotation", "ignored-namespace", "policy-disabled",
    "never-inject-selector", "no-webhook-match", "not-a-workload-kind",
)
#: Reasons for an injection (stable).
INJECT_REASONS = ("injected", "already-injected")


@dataclass(frozen=True)
class Sourced:
    """A value and where it came from (``mesh default``, a file and key, an annotation)."""

    name: str
    value: Any
    source: str
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return _without_empty(asdict(self), {"note": "note"})


@dataclass(frozen=True)
class NoEffect:
    """An annotation or label on the pod (or its workload) that does nothing for this pod."""

    key: str
    #: "annotation" or "label".
    where: str
    #: Stable identifier: misspelled, unknown, native-mode, overridden, wrong-object, no-capture, namespace-label,
    #: not-read, ignored-value.
    reason: str
    detail: str
    suggestion: str = ""

    def to_json(self) -> dict[str, Any]:
        return _without_empty(asdict(self), {"suggestion": "did_you_mean"})


def _without_empty(data: dict[str, Any], optional: dict[str, str]) -> dict[str, Any]:
    """``data`` with its optional fields renamed for JSON, and left out when empty."""
    for name, json_name in optional.items():
        value = data.pop(name)
        if value:
            data[json_name] = value
    return data


@dataclass(frozen=True)
class ProbeRewrite:
    """One application probe the proxy takes over."""

    container: str
    probe: str
    before: str
    after: str


@dataclass
class Injection:
    """What the injection puts into the pod, as the injector actually produced it."""

    templates: list[str]
    templates_source: str
    sidecar: str  # "native" | "classic"
    sidecar_why: str
    image: Sourced
    proxy_config: list[Sourced]
    resources: list[Sourced]
    resources_note: str
    probes: list[ProbeRewrite]
    capture: dict[str, Any]
    containers: list[str]
    init_containers: list[str]
    volumes: list[str]
    annotations: list[str]
    labels: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "templates": self.templates,
            "templates_source": self.templates_source,
            "sidecar": {"mode": self.sidecar, "why": self.sidecar_why},
            "image": self.image.to_json(),
            "proxy_config": [v.to_json() for v in self.proxy_config],
            "resources": {"values": [v.to_json() for v in self.resources], "note": self.resources_note},
            "probes": [{"container": p.container, "probe": p.probe, "before": p.before, "after": p.after}
                       for p in self.probes],
            "capture": self.capture,
            "containers": self.containers,
            "init_containers": self.init_containers,
            "volumes": self.volumes,
            "annotations": self.annotations,
            "labels": self.labels,
        }


@dataclass
class Account:
    """One pod template: where it is, the answer, every step, and the details."""

    file: str
    document: int
    kind: str
    namespace: str
    name: str
    inject: bool
    reason: str
    steps: list[Step] = field(default_factory=list)
    injection: Injection | None = None
    #: For an already-injected pod: what re-injecting with these settings would change.
    reinjection: list[str] | None = None
    no_effect: list[NoEffect] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "document": self.document,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "inject": self.inject,
            "reason": self.reason,
            "steps": [{"check": s.check, "outcome": s.outcome, "detail": s.detail, "source": s.source}
                      for s in self.steps],
            "injection": None if self.injection is None else self.injection.to_json(),
            "reinjection": self.reinjection,
            "no_effect": [n.to_json() for n in self.no_effect],
            "notes": self.notes,
        }
