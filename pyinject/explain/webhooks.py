"""Which of Istio's MutatingWebhookConfigurations the API server would call for a pod.

The selectors of a stock Istio 1.30 install are kept here as data (from the
istiod chart's ``mutatingwebhook.yaml`` and ``revision-tags-mwc.yaml``): per
revision, a namespace-label webhook and an object-label webhook; for the
default revision (or a ``default`` tag) also the legacy ``istio-injection`` and
``sidecar.istio.io/inject=true`` ones.  A cluster's own configurations can be
read instead (``kubectl get mutatingwebhookconfigurations -o yaml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyinject.errors import ConfigError
from pyinject.istio.policy import selector_matches
from pyinject.records import dataclass

REV_LABEL = "istio.io/rev"
TAG_LABEL = "istio.io/tag"
LEGACY_LABEL = "istio-injection"
INJECT_LABEL = "sidecar.istio.io/inject"
NAME_LABEL = "kubernetes.io/metadata.name"
SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "local-path-storage"]

Selector = dict[str, Any]


def _expr(key: str, operator: str, *values: str) -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "operator": operator}
    if values:
        out["values"] = list(values)
    return out


def _selectors(rev: str) -> list[tuple[str, Selector, Selector]]:
    """(name prefix, namespaceSelector, objectSelector) for one revision or tag name."""
    return [
        ("rev.namespace.",
         {"matchExpressions": [_expr(REV_LABEL, "In", rev), _expr(LEGACY_LABEL, "DoesNotExist")]},
         {"matchExpressions": [_expr(INJECT_LABEL, "NotIn", "false")]}),
        ("rev.object.",
         {"matchExpressions": [_expr(REV_LABEL, "DoesNotExist"), _expr(LEGACY_LABEL, "DoesNotExist")]},
         {"matchExpressions": [_expr(INJECT_LABEL, "NotIn", "false"), _expr(REV_LABEL, "In", rev)]}),
    ]


def _default_selectors(namespaces_by_default: bool) -> list[tuple[str, Selector, Selector]]:
    out = [
        ("namespace.",
         {"matchExpressions": [_expr(LEGACY_LABEL, "In", "enabled")]},
         {"matchExpressions": [_expr(INJECT_LABEL, "NotIn", "false")]}),
        ("object.",
         {"matchExpressions": [_expr(LEGACY_LABEL, "DoesNotExist"), _expr(REV_LABEL, "DoesNotExist")]},
         {"matchExpressions": [_expr(INJECT_LABEL, "In", "true"), _expr(REV_LABEL, "DoesNotExist")]}),
    ]
    if namespaces_by_default:
        out.append(("auto.",
                    {"matchExpressions": [_expr(LEGACY_LABEL, "DoesNotExist"), _expr(REV_LABEL, "DoesNotExist"),
                                          _expr(NAME_LABEL, "NotIn", *SYSTEM_NAMESPACES)]},
                    {"matchExpressions": [_expr(INJECT_LABEL, "DoesNotExist"), _expr(REV_LABEL, "DoesNotExist")]}))
    return out


@dataclass(frozen=True)
class Webhook:
    """One webhook entry of a MutatingWebhookConfiguration."""

    configuration: str
    name: str
    revision: str
    tag: str
    namespace_selector: Selector
    object_selector: Selector


def stock_webhooks(revision: str, tags: Iterable[str] = (), namespaces_by_default: bool = False) -> list[Webhook]:
    """The webhooks ``istioctl install`` creates for ``revision`` ("" is the default
    revision) and its revision tags."""
    rev_value = revision or "default"
    config = "istio-sidecar-injector" + (f"-{revision}" if revision else "")
    out = [Webhook(config, prefix + "sidecar-injector.istio.io", rev_value, "", ns, obj)
           for prefix, ns, obj in _selectors(rev_value)]
    if not revision:
        out += [Webhook(config, prefix + "sidecar-injector.istio.io", rev_value, "", ns, obj)
                for prefix, ns, obj in _default_selectors(namespaces_by_default)]
    for tag in tags:
        tag_config = f"istio-revision-tag-{tag}"
        out += [Webhook(tag_config, prefix + "sidecar-injector.istio.io", rev_value, tag, ns, obj)
                for prefix, ns, obj in _selectors(tag)]
        if tag == "default":
            out += [Webhook(tag_config, prefix + "sidecar-injector.istio.io", rev_value, tag, ns, obj)
                    for prefix, ns, obj in _default_selectors(namespaces_by_default)]
    return out


def load_webhooks(path: str) -> list[Webhook]:
    """Istio's sidecar-injector webhooks from ``kubectl get mutatingwebhookconfigurations -o yaml``
    (a List, or one or more MutatingWebhookConfiguration documents)."""
    from pyinject.manifests.load import load_plain
    from pyinject.manifests.read import expand_paths, read_documents

    out: list[Webhook] = []
    seen = 0
    for doc in read_documents(expand_paths((path,)), None):
        data = load_plain(doc.text, doc.location())
        items = data.get("items") if isinstance(data, dict) and data.get("kind") == "List" else [data]
        for item in items or []:
            if not isinstance(item, dict) or item.get("kind") != "MutatingWebhookConfiguration":
                continue
            seen += 1
            out += _istio_webhooks(item)
    if not seen:
        raise ConfigError(f"{path}: no MutatingWebhookConfiguration found "
                          "(export them with kubectl get mutatingwebhookconfigurations -o yaml)")
    return out


def _istio_webhooks(item: Mapping[str, Any]) -> list[Webhook]:
    raw_meta = item.get("metadata")
    meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    raw_labels = meta.get("labels")
    labels: Mapping[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
    out = []
    for hook in item.get("webhooks") or []:
        if not isinstance(hook, dict) or not str(hook.get("name", "")).endswith("sidecar-injector.istio.io"):
            continue
        out.append(Webhook(
            configuration=str(meta.get("name") or ""),
            name=str(hook["name"]),
            revision=str(labels.get(REV_LABEL) or "default"),
            tag=str(labels.get(TAG_LABEL) or ""),
            namespace_selector=hook.get("namespaceSelector") or {},
            object_selector=hook.get("objectSelector") or {},
        ))
    return out


@dataclass(frozen=True)
class Match:
    """How one webhook's selectors went for a pod."""

    webhook: Webhook
    #: None when the namespace's labels are not known.
    namespace_matches: bool | None
    object_matches: bool

    @property
    def called(self) -> bool | None:
        if not self.object_matches:
            return False
        return self.namespace_matches


def match_webhooks(webhooks: Iterable[Webhook], namespace_labels: Mapping[str, str] | None,
                   pod_labels: Mapping[str, str]) -> list[Match]:
    """Each webhook against the namespace's labels (None: unknown) and the pod's labels."""
    out = []
    for hook in webhooks:
        ns = None if namespace_labels is None else selector_matches(hook.namespace_selector, namespace_labels, empty_matches=True)
        obj = selector_matches(hook.object_selector, pod_labels, empty_matches=True)
        out.append(Match(hook, ns, obj))
    return out


def describe_selector(selector: Mapping[str, Any]) -> str:
    """``istio.io/rev In (default), istio-injection DoesNotExist`` - for reports."""
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        values = expr.get("values")
        parts.append(f"{expr.get('key')} {expr.get('operator')}" + (f" ({', '.join(map(str, values))})" if values else ""))
    return ", ".join(parts) or "(everything)"
