"""One account per pod template: the webhook, then Istio's checks, then the injection run in memory.

The order is the cluster's: the API server calls a webhook only when its
namespace and object selectors match; the injector then applies its own
checks (:func:`pyinject.istio.policy.decide`).  When the pod is injected, the
existing injector runs on a copy, so the containers, volumes and annotations
reported are the ones kube-inject writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyinject.errors import PyinjectError
from pyinject.explain import capture, details, noeffect
from pyinject.explain.model import Account, Injection, NoEffect
from pyinject.explain.webhooks import INJECT_LABEL, Match, Webhook, describe_selector, match_webhooks
from pyinject.inject import STATUS_ANNOTATION, SidecarInjector
from pyinject.istio import policy
from pyinject.istio.policy import Step
from pyinject.manifests.load import copy_plain
from pyinject.manifests.workloads import Workload
from pyinject.records import dataclass


@dataclass(frozen=True)
class Facts:
    """What explain knows about the cluster besides the manifests."""

    #: Namespace -> (labels, where they were read).
    namespaces: Mapping[str, tuple[Mapping[str, str], str]]
    webhooks: tuple[Webhook, ...]
    webhooks_source: str
    sources: details.Sources
    builtin_proxy_config: Mapping[str, Any]


class Explainer:
    """Builds accounts with one run's injector and facts."""

    def __init__(self, injector: SidecarInjector, facts: Facts) -> None:
        self.injector = injector
        self.facts = facts

    def account(self, file: str, document: int, workload: Workload) -> Account:
        meta, spec = workload.get_pod()
        namespace = workload.namespace or str(meta.get("namespace") or "")
        record = Account(file, document, workload.kind, namespace, workload.name, False, "")
        pod: dict[str, Any] = {"metadata": copy_plain(meta), "spec": copy_plain(spec)}
        annotations = _strings(meta.get("annotations"))
        already = STATUS_ANNOTATION in annotations
        if already:
            from pyinject.uninject.strip import strip_injection

            strip_injection(pod, workload_name=str(workload.deployment_meta.get("name") or "") or None,
                                  injected_annotations=self.injector.run.config.injected_annotations)
        user_meta = pod["metadata"]
        labels = _strings(user_meta.get("labels"))
        user_annotations = _strings(user_meta.get("annotations"))
        record.no_effect += noeffect.unknown_keys(user_annotations)
        switch = self.injector.inject_switch
        record.no_effect += noeffect.pod_label_checks(labels, user_annotations, switch)
        raw_meta = workload.obj.get("metadata")
        workload_meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        record.no_effect += noeffect.workload_annotations(workload.kind, workload_meta, user_annotations)

        hook_step, hook_skip = self.webhook_step(namespace or "default", labels)
        record.steps.append(hook_step)
        if hook_skip:
            record.reason = hook_skip
            return record
        decision = policy.decide(self.injector.run.config, user_meta, pod["spec"], namespace, switch)
        record.steps += decision.steps
        if not decision.inject:
            record.reason = decision.reason.id if decision.reason is not None else "policy-disabled"
            return record
        record.inject = True
        record.reason = "already-injected" if already else "injected"
        try:
            result = self.injector.inject(workload, copy_plain(meta), copy_plain(spec))
        except PyinjectError as err:
            raise err.with_location(file=file, document=document, workload=workload.describe())
        injected = {"metadata": result.metadata, "spec": result.spec}
        record.injection = self.injection(workload, pod, injected, user_annotations, record.no_effect)
        if already:
            from pyinject.report.changes import describe_changes, same_data

            before = {"metadata": meta, "spec": spec}
            record.reinjection = [] if same_data(before, injected) else list(describe_changes(before, injected))
        return record

    def webhook_step(self, namespace: str, pod_labels: Mapping[str, str]) -> tuple[Step, str]:
        """The API server's choice of webhook; a skip reason when none would be called."""
        facts = self.facts
        known = facts.namespaces.get(namespace)
        ns_labels = None if known is None else {**known[0], "kubernetes.io/metadata.name": namespace}
        matches = match_webhooks(facts.webhooks, ns_labels, pod_labels)
        source = facts.webhooks_source
        if ns_labels is None:
            candidates = [m for m in matches if m.object_matches]
            detail = (f"labels of namespace {namespace} unknown (no Namespace object in the input, no "
                      f"--namespace-labels): assumed to select a webhook, as kube-inject injects without one")
            if candidates:
                detail += f"; the pod's labels pass the object selector of {_names(candidates)}"
            else:
                detail += ("; but the pod's labels pass no webhook's object selector, so in a cluster none of "
                           "these webhooks would be called, whatever the namespace's labels")
            return Step("webhook", "pass", detail, source), ""
        where = known[1] if known is not None else ""
        called = [m for m in matches if m.called]
        shown = ", ".join(f"{k}={v}" for k, v in sorted(known[0].items())) if known is not None else ""
        if called:
            hook = called[0].webhook
            target = f"revision {hook.revision}" + (f" through tag {hook.tag}" if hook.tag else "")
            detail = (f"{_names(called)} would be called ({target}): namespace {namespace} [{shown or 'no labels'}] "
                      f"matches {describe_selector(hook.namespace_selector)}; pod labels match "
                      f"{describe_selector(hook.object_selector)}")
            if len({m.webhook.revision for m in called}) > 1:
                detail += "; several revisions select this pod: the first to answer injects it"
            return Step("webhook", "pass", detail, f"{source}; namespace labels from {where}"), ""
        ns_only = [m for m in matches if m.namespace_matches and not m.object_matches]
        if ns_only and INJECT_LABEL in pod_labels:
            hook = ns_only[0].webhook
            detail = (f"namespace {namespace} [{shown}] selects {hook.name} ({hook.configuration}), but the pod "
                      f"label {INJECT_LABEL}={pod_labels[INJECT_LABEL]!r} fails its object selector "
                      f"{describe_selector(hook.object_selector)}: the pod label wins, so the API server never "
                      f"calls the injector")
            return Step("webhook", "skip", detail, f"{source}; namespace labels from {where}"), "opt-out-label"
        detail = (f"no webhook selects namespace {namespace} [{shown or 'no labels'}] with these pod labels: label "
                  f"the namespace istio-injection=enabled or istio.io/rev=<revision>, or the pod "
                  f"{INJECT_LABEL}=true")
        return Step("webhook", "skip", detail, f"{source}; namespace labels from {where}"), "no-webhook-match"

    def injection(self, workload: Workload, user: dict[str, Any], result: dict[str, Any],
                  annotations: Mapping[str, str], no_effect: list[NoEffect]) -> Injection:
        from pyinject.config.mesh import PROXY_CONFIG_ANNOTATION, parse_proxy_config_annotation
        from pyinject.config.native import for_pod

        run = self.injector.run
        ctx = self.injector.context(workload, user, annotations)
        native = for_pod(run.native_sidecars, annotations)
        text = annotations.get(PROXY_CONFIG_ANNOTATION)
        pc_annotation = parse_proxy_config_annotation(text) if text is not None else {}
        names, templates_source = details.templates(run.config, annotations)
        resources, resources_note = details.resources(result, run.values, annotations, self.facts.sources)
        summary = capture.summarize(result)
        lists = details.added(user, result)
        no_effect += noeffect.injection_checks(annotations, pc_annotation, native.enabled, capture.is_captured(summary))
        return Injection(
            templates=names,
            templates_source=templates_source,
            sidecar="native" if native.enabled else "classic",
            sidecar_why=native.why,
            image=details.image(result, run.values, ctx.proxy_config, annotations, self.facts.sources),
            proxy_config=details.proxy_config(ctx.proxy_config, self.facts.builtin_proxy_config, pc_annotation,
                                              self.facts.sources),
            resources=resources,
            resources_note=resources_note,
            probes=details.probes(user, result),
            capture=summary,
            containers=lists["containers"],
            init_containers=lists["initContainers"],
            volumes=lists["volumes"],
            annotations=lists["annotations"],
            labels=lists["labels"],
        )


def _names(matches: list[Match]) -> str:
    return ", ".join(f"{m.webhook.name} ({m.webhook.configuration})" for m in matches)


def _strings(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}
