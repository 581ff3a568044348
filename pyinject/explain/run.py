"""explain over manifests: read every document, gather the namespace facts, account for each pod template.

Documents are counted as kube-inject counts them (1-based, per file).  The
input is read whole first, because a Namespace object may come after the
workloads that live in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from pyinject.errors import PyinjectError, UsageError
from pyinject.explain.account import Explainer, Facts
from pyinject.explain.details import Sources
from pyinject.explain.model import Account
from pyinject.explain.webhooks import load_webhooks, stock_webhooks
from pyinject.model import Options
from pyinject.records import dataclass

Warn = Callable[[str], None]

#: Where other kinds keep a pod spec; a document with one is reported as not-a-workload-kind.
_POD_SPEC_PATHS = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"), ("template", "spec"))


@dataclass(frozen=True)
class ExplainOptions:
    """explain's own flags, beside the injection Options."""

    namespace_labels: tuple[str, ...] = ()
    webhook_config: str | None = None
    revision_tags: tuple[str, ...] = ()


def parse_namespace_labels(items: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``NS=k=v,k2=v2`` (repeatable; ``NS=`` for a namespace with no labels) -> {NS: {k: v}}."""
    out: dict[str, dict[str, str]] = {}
    for item in items:
        namespace, sep, rest = item.partition("=")
        if not sep or not namespace.strip():
            raise UsageError(f"--namespace-labels {item!r}: expected NS=KEY=VALUE[,KEY=VALUE...] or NS=")
        labels = out.setdefault(namespace.strip(), {})
        for pair in filter(None, (p.strip() for p in rest.split(","))):
            key, eq, value = pair.partition("=")
            if not eq or not key:
                raise UsageError(f"--namespace-labels {item!r}: {pair!r} is not KEY=VALUE")
            labels[key] = value
    return out


def explain(options: Options, extra: ExplainOptions, environ: Mapping[str, str], *,
            stdin: IO[str] | None = None, warn: Warn) -> list[Account]:
    """Accounts for every pod template of the inputs, in input order."""
    from pyinject.config.settings import builtin_proxy_config
    from pyinject.inject import SidecarInjector, build_injector
    from pyinject.manifests.load import load_plain
    from pyinject.manifests.read import expand_paths, read_documents

    flag_namespaces = parse_namespace_labels(extra.namespace_labels)
    injector = build_injector(options, environ, warn=warn)
    if not isinstance(injector, SidecarInjector):
        raise UsageError("explain reads Istio 1.9 or later injection configs; "
                         "this one renders the SidecarInjectionSpec of Istio 1.0-1.8")
    documents = []
    namespaces: dict[str, tuple[Mapping[str, str], str]] = {
        ns: (labels, "--namespace-labels") for ns, labels in flag_namespaces.items()
    }
    for doc in read_documents(expand_paths(options.filenames), stdin):
        data = load_plain(doc.text, doc.location())
        documents.append((doc.source, doc.index, data))
        for obj in _objects(data):
            if obj.get("kind") == "Namespace" and isinstance(obj.get("metadata"), dict):
                name = str(obj["metadata"].get("name") or "")
                labels = obj["metadata"].get("labels")
                if name and name not in flag_namespaces:
                    namespaces[name] = ({str(k): str(v) for k, v in (labels or {}).items()} if isinstance(labels, dict) else {},
                                        f"Namespace {name} in {doc.source} document {doc.index}")
    run = injector.run
    revision = run.revision
    if extra.webhook_config is not None:
        webhooks = tuple(load_webhooks(extra.webhook_config))
        webhooks_source = f"--webhook-config {extra.webhook_config}"
    else:
        by_default = bool((run.values.get("sidecarInjectorWebhook") or {}).get("enableNamespacesByDefault"))
        webhooks = tuple(stock_webhooks(revision, extra.revision_tags, by_default))
        tags = f", tags {', '.join(extra.revision_tags)}" if extra.revision_tags else ""
        webhooks_source = f"Istio 1.30 stock webhooks for revision {revision or 'default'}{tags}"
    facts = Facts(namespaces, webhooks, webhooks_source, _sources(options), builtin_proxy_config())
    explainer = Explainer(injector, facts)
    accounts: list[Account] = []
    from pyinject.manifests.workloads import find_workloads

    for source, index, data in documents:
        try:
            workloads = list(find_workloads(data))
        except PyinjectError as err:
            raise err.with_location(file=source, document=index)
        for workload in workloads:
            accounts.append(explainer.account(source, index, workload))
        if not workloads:
            accounts += _other_kinds(source, index, data)
    return accounts


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        if data.get("kind") == "List" and isinstance(data.get("items"), list):
            for item in data["items"]:
                yield from _objects(item)


def _other_kinds(source: str, index: int, data: Any) -> list[Account]:
    """Objects that hold a pod spec under a kind the injector does not know (Rollout, PodTemplate...)."""
    from pyinject.istio.policy import Step
    from pyinject.manifests.workloads import POD_TEMPLATE_PATHS, get_path

    out = []
    for obj in _objects(data):
        kind = obj.get("kind")
        if not isinstance(kind, str) or kind in POD_TEMPLATE_PATHS or kind == "List":
            continue
        for path in _POD_SPEC_PATHS:
            spec = get_path(obj, path)
            if isinstance(spec, dict) and isinstance(spec.get("containers"), list):
                raw_meta = obj.get("metadata")
                meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
                known = ", ".join(sorted(POD_TEMPLATE_PATHS))
                step = Step("kind", "skip",
                            f"{kind} holds a pod template at {'.'.join(path[:-1])}, but kube-inject injects only "
                            f"{known} (and List items); the webhook would inject the Pods it creates",
                            "pyinject's kind table (as istioctl kube-inject's)")
                out.append(Account(source, index, kind, str(meta.get("namespace") or ""), str(meta.get("name") or ""),
                                   False, "not-a-workload-kind", [step]))
                break
    return out


def _sources(options: Options) -> Sources:
    changes = []
    if options.operator_file:
        changes.append(f"--operatorFileName {options.operator_file}")
    if options.sets:
        changes.append("--set")
    extra = f" with {' and '.join(changes)}" if changes else ""
    return Sources(
        inject_config=options.inject_config_file or "embedded (a stock Istio install)",
        values=(options.values_file or "embedded (a stock Istio install)") + extra,
        mesh=(options.mesh_config_file or "embedded (a stock Istio install)") + extra,
    )
