"""pyinject explain through the CLI: every decision step, every source of a value, the outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def pod(name: str = "web", *, labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
        namespace: str | None = "shop", spec: dict[str, Any] | None = None, kind: str = "Deployment") -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    body = {"containers": [{"name": "app", "image": "app:1"}], **(spec or {})}
    obj: dict[str, Any] = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}}
    if namespace:
        obj["metadata"]["namespace"] = namespace
    if kind == "Pod":
        obj["apiVersion"] = "v1"
        obj["metadata"].update(meta)
        obj["spec"] = body
    else:
        obj["spec"] = {"template": {"metadata": meta, "spec": body}}
    return obj


def namespace(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def stream(*docs: dict[str, Any]) -> str:
    return "---\n".join(json.dumps(d) + "\n" for d in docs)


@pytest.fixture
def explain(run_cli):
    """explain -o json on documents; returns (records, result)."""
    def run(*docs: dict[str, Any], args: tuple[str, ...] = (), code: int = 0) -> tuple[list[dict[str, Any]], Any]:
        result = run_cli("explain", "-f", "-", "-o", "json", *args, input=stream(*docs))
        assert result.exit_code == code, result.stderr
        return (json.loads(result.stdout) if result.stdout else []), result
    return run


def step(record: dict[str, Any], check: str) -> dict[str, Any]:
    return next(s for s in record["steps"] if s["check"] == check)


# ---------------------------------------------------------------- decision steps


@pytest.mark.parametrize(
    ("docs", "args", "reason", "check", "outcome", "words"),
    [
        pytest.param([namespace("shop", **{"istio-injection": "enabled"}), pod()], (), "injected", "webhook", "pass",
                     "namespace.sidecar-injector.istio.io", id="namespace-legacy-label"),
        pytest.param([namespace("shop"), pod()], (), "no-webhook-match", "webhook", "skip",
                     "no webhook selects namespace shop", id="namespace-without-labels"),
        pytest.param([pod()], ("--namespace-labels", "shop=istio.io/rev=canary", "-r", "canary"), "injected", "webhook",
                     "pass", "revision canary", id="revision-label-on-namespace"),
        pytest.param([pod()], ("--namespace-labels", "shop=istio.io/rev=default"), "injected", "webhook", "pass",
                     "rev.namespace.sidecar-injector.istio.io", id="default-revision-label"),
        pytest.param([pod()], ("--namespace-labels", "shop=istio.io/rev=prod", "-r", "1-30", "--revision-tag", "prod"),
                     "injected", "webhook", "pass", "revision 1-30 through tag prod", id="revision-tag"),
        pytest.param([pod()], ("--namespace-labels", "shop=istio.io/rev=canary"), "no-webhook-match", "webhook", "skip",
                     "no webhook selects", id="other-revision"),
        pytest.param([namespace("shop"), pod(labels={"sidecar.istio.io/inject": "true"})], (), "injected", "webhook",
                     "pass", "object.sidecar-injector.istio.io", id="pod-label-opts-in"),
        pytest.param([namespace("shop", **{"istio-injection": "enabled"}), pod(labels={"sidecar.istio.io/inject": "false"})],
                     (), "opt-out-label", "webhook", "skip", "the pod label wins", id="pod-label-beats-namespace"),
        pytest.param([pod()], (), "injected", "webhook", "pass", "labels of namespace shop unknown", id="namespace-unknown"),
        pytest.param([pod(spec={"hostNetwork": True})], (), "host-network", "host-network", "skip",
                     "hostNetwork is true", id="host-network"),
        pytest.param([pod(namespace="kube-system")], (), "ignored-namespace", "ignored-namespace", "skip",
                     "kube-system", id="ignored-namespace"),
        pytest.param([pod(annotations={"sidecar.istio.io/inject": "false"})], (), "opt-out-annotation", "opt-in-out",
                     "skip", "opts out", id="opt-out-annotation"),
        pytest.param([pod(labels={"sidecar.istio.io/inject": "false"})], (), "opt-out-label", "opt-in-out", "skip",
                     "opts out", id="opt-out-label"),
        pytest.param([pod(labels={"sidecar.istio.io/inject": "true"}, annotations={"sidecar.istio.io/inject": "false"})],
                     (), "injected", "opt-in-out", "inject", "asks for injection", id="label-beats-annotation"),
        pytest.param([pod()], ("--set", "values.global.proxy.autoInject=disabled"), "policy-disabled", "policy", "skip",
                     "policy is 'disabled'", id="policy-disabled"),
        pytest.param([pod()], (), "injected", "policy", "inject", "policy is enabled", id="policy-enabled"),
    ],
)
def test_decision_steps(explain, docs: list[dict[str, Any]], args: tuple[str, ...], reason: str, check: str,
                        outcome: str, words: str) -> None:
    records, _ = explain(*docs, args=args)
    [record] = records
    assert (record["reason"], record["inject"]) == (reason, reason in ("injected", "already-injected"))
    found = step(record, check)
    assert found["outcome"] == outcome and words in found["detail"], found
    assert found["source"]


def test_steps_come_in_istios_order(explain) -> None:
    [record], _ = explain(pod())
    assert [s["check"] for s in record["steps"]] == [
        "webhook", "host-network", "ignored-namespace", "opt-in-out", "never-inject-selector",
        "always-inject-selector", "policy"]


def test_step_sources_name_the_config_key(explain, tmp_path: Path) -> None:
    [record], _ = explain(pod(), args=("--set", "values.global.proxy.autoInject=disabled"))
    assert step(record, "policy")["source"].startswith("values global.proxy.autoInject")
    assert "Istio 1.30 stock webhooks for revision default" in step(record, "webhook")["source"]


def test_selectors_from_an_operator_file(explain, tmp_path: Path) -> None:
    iop = tmp_path / "iop.yaml"
    iop.write_text(
        "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  values:\n"
        "    global: {proxy: {autoInject: disabled}}\n"
        "    sidecarInjectorWebhook:\n"
        "      neverInjectSelector: [{matchLabels: {team: batch}}]\n"
        "      alwaysInjectSelector: [{matchLabels: {mesh: 'yes'}}]\n")
    records, _ = explain(pod("a", labels={"team": "batch", "mesh": "yes"}), pod("b", labels={"mesh": "yes"}),
                         args=("--operatorFileName", str(iop)))
    assert [r["reason"] for r in records] == ["never-inject-selector", "injected"]
    assert "neverInjectSelector[0]" in step(records[0], "never-inject-selector")["detail"]
    assert step(records[1], "always-inject-selector")["outcome"] == "inject"


def test_cluster_webhooks_from_a_file(explain, tmp_path: Path) -> None:
    mwc = tmp_path / "mwc.yaml"
    mwc.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [{
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "istio-sidecar-injector-blue", "labels": {"istio.io/rev": "blue"}},
        "webhooks": [{"name": "rev.namespace.sidecar-injector.istio.io",
                      "namespaceSelector": {"matchLabels": {"mesh": "blue"}}, "objectSelector": {}}],
    }]}))
    records, _ = explain(namespace("shop", mesh="blue"), pod(), namespace("other"), pod("x", namespace="other"),
                         args=("--webhook-config", str(mwc)))
    assert [r["reason"] for r in records] == ["injected", "no-webhook-match"]
    assert "istio-sidecar-injector-blue" in step(records[0], "webhook")["detail"]
    assert "revision blue" in step(records[0], "webhook")["detail"]


def test_webhook_config_without_webhooks_is_an_error(run_cli, tmp_path: Path) -> None:
    mwc = tmp_path / "mwc.yaml"
    mwc.write_text("kind: ConfigMap\n")
    result = run_cli("explain", "-f", "-", "--webhook-config", str(mwc), input=stream(pod()))
    assert (result.exit_code, result.stdout) == (1, "")
    assert "no MutatingWebhookConfiguration found" in result.stderr


def test_not_a_workload_kind(explain) -> None:
    rollout = pod("r", kind="Rollout")
    rollout["apiVersion"] = "argoproj.io/v1alpha1"
    [record], _ = explain(rollout)
    assert (record["inject"], record["reason"], record["kind"]) == (False, "not-a-workload-kind", "Rollout")


def test_documents_are_counted_as_kube_inject_counts(explain) -> None:
    records, _ = explain(namespace("shop"), {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}, pod(),
                         args=("--namespace-labels", "shop=istio-injection=enabled"))
    assert [(r["document"], r["file"], r["namespace"], r["name"]) for r in records] == [(3, "<stdin>", "shop", "web")]


# ---------------------------------------------------------------- what is injected, and from where


def injection(explain, *docs: dict[str, Any], args: tuple[str, ...] = ()) -> dict[str, Any]:
    [record], _ = explain(*docs, args=args)
    assert record["inject"], record
    result: dict[str, Any] = record["injection"]
    return result


def test_lists_match_kube_inject(explain, run_cli) -> None:
    got = injection(explain, pod())
    assert got["init_containers"] == ["istio-init"] and got["containers"] == ["istio-proxy"]
    assert "istio-envoy" in got["volumes"] and "sidecar.istio.io/status" in got["annotations"]
    injected = json.loads(run_cli("kube-inject", "-f", "-", "--output-format", "json", input=stream(pod())).stdout)
    [workload] = injected["items"]  # --output-format json writes one List
    spec = workload["spec"]["template"]["spec"]
    assert got["volumes"] == [v["name"] for v in spec["volumes"]]


def test_templates_from_the_annotation(explain) -> None:
    got = injection(explain, pod(annotations={"inject.istio.io/templates": "sidecar,grpc-agent"}))
    assert got["templates"] == ["sidecar", "grpc-agent"]
    assert "annotation inject.istio.io/templates" in got["templates_source"]
    assert "defaultTemplates" in injection(explain, pod())["templates_source"]


@pytest.mark.parametrize(
    ("args", "annotations", "mode", "why"),
    [
        pytest.param((), {}, "classic", "no nodes to ask", id="offline"),
        pytest.param(("--kube-version", "1.33"), {}, "native", "--kube-version 1.33", id="kube-version"),
        pytest.param(("--kube-version", "1.33"), {"sidecar.istio.io/nativeSidecar": "false"}, "classic",
                     "annotation sidecar.istio.io/nativeSidecar='false' overrides", id="annotation"),
    ],
)
def test_native_or_classic_and_why(explain, args: tuple[str, ...], annotations: dict[str, str], mode: str, why: str) -> None:
    got = injection(explain, pod(annotations=annotations), args=args)
    assert got["sidecar"]["mode"] == mode and why in got["sidecar"]["why"]


def test_image_sources(explain) -> None:
    got = injection(explain, pod())
    assert got["image"]["value"] == "docker.io/istio/proxyv2:1.30.3" and "global.hub" in got["image"]["source"]
    got = injection(explain, pod(annotations={"sidecar.istio.io/proxyImage": "example.com/proxy:9"}))
    assert got["image"] == {"name": "image", "value": "example.com/proxy:9",
                            "source": "annotation sidecar.istio.io/proxyImage"}


def test_proxy_config_field_by_field(explain) -> None:
    got = injection(explain, pod(annotations={"proxy.istio.io/config": "concurrency: 2"}),
                    args=("--set", "meshConfig.defaultConfig.drainDuration=30s"))
    fields = {f["name"]: f for f in got["proxy_config"]}
    assert fields["concurrency"]["value"] == 2 and fields["concurrency"]["source"] == "annotation proxy.istio.io/config"
    assert fields["drainDuration"]["value"] == "30s" and fields["drainDuration"]["source"].startswith("mesh config")
    assert fields["statusPort"]["source"] == "Istio default"


def test_resources_annotation_drops_the_values(explain) -> None:
    got = injection(explain, pod(annotations={"sidecar.istio.io/proxyCPU": "300m"}))
    values = {v["name"]: v for v in got["resources"]["values"]}
    assert values["requests.cpu"] == {"name": "requests.cpu", "value": "300m", "source": "annotation sidecar.istio.io/proxyCPU"}
    assert "requests.memory" not in values
    assert "requests.memory=128Mi" in got["resources"]["note"] and "annotations only" in got["resources"]["note"]
    plain = {v["name"]: v["source"] for v in injection(explain, pod())["resources"]["values"]}
    assert plain["limits.memory"].endswith("global.proxy.resources.limits.memory")


def test_probes_rewritten(explain) -> None:
    probe = {"httpGet": {"path": "/ready", "port": 8080}}
    got = injection(explain, pod(spec={"containers": [{"name": "app", "image": "a", "readinessProbe": probe}]}))
    [rewrite] = got["probes"]
    assert rewrite["container"] == "app" and rewrite["probe"] == "readinessProbe"
    assert rewrite["before"] == "httpGet /ready port 8080"
    assert rewrite["after"] == "httpGet /app-health/app/readyz port 15020"


def test_capture_summary(explain) -> None:
    got = injection(explain, pod(annotations={"traffic.sidecar.istio.io/excludeOutboundPorts": "5432"}))
    assert got["capture"]["by"] == "istio-init" and got["capture"]["interception_mode"] == "REDIRECT"
    assert got["capture"]["outbound"]["excluded_ports"] == [5432]
    assert got["capture"]["inbound"]["captured_ports"] == "all"


def test_capture_by_cni(explain) -> None:
    got = injection(explain, pod(), args=("--set", "components.cni.enabled=true"))
    assert got["capture"]["by"] == "cni" and got["capture"]["outbound"]["to_port"] == 15001


# ---------------------------------------------------------------- annotations and labels with no effect


@pytest.mark.parametrize(
    ("document", "args", "key", "reason", "suggestion"),
    [
        pytest.param(pod(annotations={"sidecar.istio.io/proxyCpu": "1"}), (), "sidecar.istio.io/proxyCpu", "misspelled",
                     "sidecar.istio.io/proxyCPU", id="case-typo"),
        pytest.param(pod(annotations={"proxy.istio.io/confg": "{}"}), (), "proxy.istio.io/confg", "misspelled",
                     "proxy.istio.io/config", id="proxy-typo"),
        pytest.param(pod(annotations={"sidecar.istio.io/whatever": "x"}), (), "sidecar.istio.io/whatever", "unknown",
                     "", id="unknown"),
        pytest.param(pod(labels={"istio-injection": "enabled"}), (), "istio-injection", "namespace-label", "",
                     id="namespace-label-on-pod"),
        pytest.param(pod(labels={"sidecar.istio.io/inject": "true"}, annotations={"sidecar.istio.io/inject": "false"}), (),
                     "sidecar.istio.io/inject", "overridden", "", id="inject-annotation-vs-label"),
        pytest.param(pod(annotations={"sidecar.istio.io/inject": "yes"}), (), "sidecar.istio.io/inject",
                     "ignored-value", "", id="inject-value-1.30-ignores"),
        pytest.param(pod(labels={"sidecar.istio.io/inject": "false"}), ("--istio-version", "1.11"),
                     "sidecar.istio.io/inject", "not-read", "", id="inject-label-before-1.12"),
        pytest.param(pod(annotations={"sidecar.istio.io/interceptionMode": "TPROXY",
                                      "proxy.istio.io/config": "interceptionMode: REDIRECT"}), (),
                     "proxy.istio.io/config", "overridden", "", id="interception-mode"),
        pytest.param(pod(annotations={"proxy.istio.io/config": "holdApplicationUntilProxyStarts: true"}),
                     ("--kube-version", "1.33"), "proxy.istio.io/config", "native-mode", "", id="native-mode"),
        pytest.param(pod(annotations={"inject.istio.io/templates": "gateway",
                                      "traffic.sidecar.istio.io/excludeOutboundPorts": "1"}), (),
                     "traffic.sidecar.istio.io/excludeOutboundPorts", "no-capture", "", id="no-capture"),
    ],
)
def test_no_effect(explain, document: dict[str, Any], args: tuple[str, ...], key: str, reason: str, suggestion: str) -> None:
    [record], _ = explain(document, args=args)
    found = [n for n in record["no_effect"] if n["key"] == key and n["reason"] == reason]
    assert found, record["no_effect"]
    assert found[0].get("did_you_mean", "") == suggestion


@pytest.mark.parametrize(("version", "reason", "outcome"), [
    ("1.30", "injected", "pass"),
    ("1.26", "opt-out-annotation", "skip"),
])
def test_the_release_decides_what_an_inject_value_means(explain, version: str, reason: str, outcome: str) -> None:
    [record], _ = explain(pod(annotations={"sidecar.istio.io/inject": "no"}), args=("--istio-version", version))
    assert record["reason"] == reason
    assert [s["outcome"] for s in record["steps"] if s["check"] == "opt-in-out"] == [outcome]


def test_annotation_on_the_workload_not_the_pod(explain) -> None:
    document = pod()
    document["metadata"]["annotations"] = {"sidecar.istio.io/inject": "false"}
    [record], _ = explain(document)
    assert record["reason"] == "injected"
    assert [n["reason"] for n in record["no_effect"]] == ["wrong-object"]


# ---------------------------------------------------------------- already injected


def test_already_injected_and_what_reinjection_changes(run_cli, explain) -> None:
    injected = run_cli("kube-inject", "-f", "-", "--output-format", "json", input=stream(pod())).stdout
    [record], _ = explain(json.loads(injected))
    assert (record["inject"], record["reason"], record["reinjection"]) == (True, "already-injected", [])
    [record], _ = explain(json.loads(injected), args=("--set", "values.global.proxy.image=proxyv3"))
    assert record["reinjection"] and any("istio-proxy" in c for c in record["reinjection"])


# ---------------------------------------------------------------- outputs and exit codes


def test_plain_text_account(run_cli) -> None:
    result = run_cli("explain", "-f", "-", "--namespace-labels", "shop=", input=stream(pod(), pod("b", labels={"sidecar.istio.io/inject": "true"})))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Deployment shop/web  [<stdin>: document 1]" in out and "SKIP (no-webhook-match)" in out
    assert "INJECT (injected)" in out and "+ containers (added or changed): istio-proxy" in out
    assert out.rstrip().endswith("2 pod templates: 1 injected, 1 skipped (1 no-webhook-match)")
    assert "\x1b[" not in out


def test_rich_output_is_styled(run_cli) -> None:
    result = run_cli("explain", "-f", "-", "-o", "rich", input=stream(pod()))
    assert result.exit_code == 0 and "INJECT (injected)" in result.stdout


def test_check_inject(run_cli) -> None:
    ok = run_cli("explain", "-f", "-", "--check-inject", "-q", input=stream(pod()))
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "")
    bad = run_cli("explain", "-f", "-", "--check-inject", "-o", "json",
                  input=stream(pod(), pod("db", spec={"hostNetwork": True})))
    assert bad.exit_code == 1
    assert [r["reason"] for r in json.loads(bad.stdout)] == ["injected", "host-network"]
    assert "pyinject: not injected: <stdin>: document 2: Deployment db: host-network" in bad.stderr


@pytest.mark.parametrize("value", ["shop", "=a=b", "shop=novalue"])
def test_bad_namespace_labels(run_cli, value: str) -> None:
    result = run_cli("explain", "-f", "-", "--namespace-labels", value, input=stream(pod()))
    assert (result.exit_code, result.stdout) == (2, "")
    assert "--namespace-labels" in result.stderr and "\n" == result.stderr[-1] and result.stderr.count("\n") == 1


def test_bad_manifest_is_one_line(run_cli) -> None:
    result = run_cli("explain", "-f", "-", input="kind: [\n")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("pyinject: error: <stdin>")


def test_no_manifests_named_is_a_usage_error(run_cli) -> None:
    result = run_cli("explain")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "no manifests named" in result.stderr


def test_unknown_namespace_but_no_object_selector_passes(explain) -> None:
    [record], _ = explain(pod(labels={"sidecar.istio.io/inject": "false"}))
    assert record["reason"] == "opt-out-label"
    found = step(record, "webhook")
    assert found["outcome"] == "pass" and "pass no webhook's object selector" in found["detail"]
