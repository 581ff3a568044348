"""Config files are recognised by kind: a file in the wrong slot is refused, a whole ConfigMap is unwrapped."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

CORPUS = REPO.parent / "shared" / "conformance" / "istio-1.30"
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n"
VALUES = '{"global": {"hub": "docker.io/istio", "tag": "1.30.3", "proxy": {"image": "proxyv2"}}, "revision": ""}\n'
MESH = "defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\ntrustDomain: cluster.local\n"
INJECT = "templates:\n  sidecar: |\n    metadata:\n      annotations:\n        from-config: \"yes\"\n"
IOP = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: {}\n"


def _files(tmp_path: Path) -> dict[str, Path]:
    texts = {"values": VALUES, "mesh": MESH, "inject": INJECT, "iop": IOP, "pod": POD}
    paths = {}
    for name, text in texts.items():
        paths[name] = tmp_path / f"{name}.yaml"
        paths[name].write_text(text)
    injector = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"},
                "data": {"config": INJECT, "values": VALUES}}
    istio = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio", "namespace": "istio-system"},
             "data": {"mesh": MESH, "meshNetworks": "networks: {}"}}
    paths["cm-injector"] = tmp_path / "cm-injector.yaml"
    paths["cm-injector"].write_text(yaml.safe_dump(injector))
    paths["cm-istio"] = tmp_path / "cm-istio.yaml"
    paths["cm-istio"].write_text(yaml.safe_dump(istio))
    return paths


WRONG = [
    ("--valuesFile", "mesh", "looks like a mesh config file, not a values file: pass it with --meshConfigFile"),
    ("--valuesFile", "inject", "looks like an injection config file, not a values file: pass it with --injectConfigFile"),
    ("--valuesFile", "iop", "looks like an IstioOperator file, not a values file: pass it with --operatorFileName"),
    ("--operatorFileName", "values", "looks like a values file, not an IstioOperator file: pass it with --valuesFile"),
    ("--operatorFileName", "mesh", "looks like a mesh config file, not an IstioOperator file: "
                                   "pass it with --meshConfigFile"),
    ("--operatorFileName", "cm-istio", "is a whole ConfigMap istio, not an IstioOperator file "
                                       "(.data.mesh belongs to --meshConfigFile)"),
    ("--injectConfigFile", "values", "looks like a values file, not an injection config file: pass it with --valuesFile"),
    ("--injectConfigFile", "mesh", "looks like a mesh config file, not an injection config file: "
                                  "pass it with --meshConfigFile"),
    ("--meshConfigFile", "values", "looks like a values file, not a mesh config file: pass it with --valuesFile"),
    ("--meshConfigFile", "cm-injector", "is a whole ConfigMap istio-sidecar-injector with no .data.mesh for "
                                        "--meshConfigFile (.data.config belongs to --injectConfigFile; "
                                        ".data.values belongs to --valuesFile)"),
    ("--valuesFile", "cm-istio", "is a whole ConfigMap istio with no .data.values for --valuesFile "
                                 "(.data.mesh belongs to --meshConfigFile)"),
    ("--injectConfigFile", "cm-istio", "is a whole ConfigMap istio with no .data.config for --injectConfigFile "
                                       "(.data.mesh belongs to --meshConfigFile)"),
]


@pytest.mark.parametrize("flag,name,message", WRONG, ids=[f"{f}={n}" for f, n, _ in WRONG])
def test_a_file_in_the_wrong_slot_is_refused(run_cli, tmp_path: Path, flag: str, name: str, message: str) -> None:
    paths = _files(tmp_path)
    result = run_cli("kube-inject", "-f", str(paths["pod"]), flag, str(paths[name]))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"pyinject: error: {paths[name]}: this {message}\n"


def test_whole_configmaps_are_unwrapped_and_said_so(run_cli, tmp_path: Path) -> None:
    paths = _files(tmp_path)
    whole = run_cli("kube-inject", "-f", str(paths["pod"]), "--injectConfigFile", str(paths["cm-injector"]),
                    "--valuesFile", str(paths["cm-injector"]), "--meshConfigFile", str(paths["cm-istio"]))
    parts = run_cli("kube-inject", "-f", str(paths["pod"]), "--injectConfigFile", str(paths["inject"]),
                    "--valuesFile", str(paths["values"]), "--meshConfigFile", str(paths["mesh"]))
    assert whole.exit_code == 0 and parts.exit_code == 0, whole.stderr + parts.stderr
    assert whole.stdout == parts.stdout
    assert "from-config" in whole.stdout
    for key, name in (("config", "cm-injector"), ("values", "cm-injector"), ("mesh", "cm-istio")):
        cm = "istio-sidecar-injector" if name == "cm-injector" else "istio"
        line = f"pyinject: warning: {paths[name]} is a whole ConfigMap {cm}; using its .data.{key}"
        assert whole.stderr.count(line) == 1, whole.stderr


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared conformance corpus is not beside the repository")
def test_exported_istio_files_in_their_slots_still_work(run_cli, tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"),
                     "--injectConfigFile", str(CORPUS / "inject-config.yaml"),
                     "--valuesFile", str(CORPUS / "values.json"), "--meshConfigFile", str(CORPUS / "mesh.yaml"))
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    swapped = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--valuesFile", str(CORPUS / "mesh.yaml"))
    assert swapped.exit_code == 1 and "pass it with --meshConfigFile" in swapped.stderr


def test_template_errors_name_the_config_file(run_cli, tmp_path: Path) -> None:
    paths = _files(tmp_path)
    paths["inject"].write_text("templates:\n  sidecar: |\n    {{ nosuchfunc }}\n")
    result = run_cli("kube-inject", "-f", str(paths["pod"]), "--injectConfigFile", str(paths["inject"]))
    assert result.exit_code == 1
    assert result.stderr == (f"pyinject: error: injection config {paths['inject']}: template: sidecar:1: "
                             'function "nosuchfunc" not defined\n')


@pytest.mark.parametrize(("tag", "outcome"), [
    # 1.20 reads "no" as an opt-out; 1.30 ignores it (only "true"/"false") and injects.
    ("1.20.3", "Skipping injection because Pod \"p\" has sidecar injection disabled"),
    ("1.30.3", "Pod p: injected"),
])
def test_a_whole_configmap_values_file_names_the_release_by_its_global_tag(run_cli, tmp_path: Path, tag: str,
                                                                         outcome: str) -> None:
    paths = _files(tmp_path)
    paths["cm-injector"].write_text(paths["cm-injector"].read_text().replace("1.30.3", tag))
    paths["pod"].write_text(POD.replace("{name: p}", "{name: p, annotations: {sidecar.istio.io/inject: 'no'}}"))
    result = run_cli("kube-inject", "-f", str(paths["pod"]), "--injectConfigFile", str(paths["inject"]),
                     "--valuesFile", str(paths["cm-injector"]))
    assert result.exit_code == 0, result.stderr
    assert outcome in result.stderr
    assert result.stderr.count(f"{paths['cm-injector']} is a whole ConfigMap istio-sidecar-injector") == 1


def test_a_whole_configmap_values_file_can_name_a_legacy_release(run_cli, tmp_path: Path) -> None:
    paths = _files(tmp_path)
    paths["cm-injector"].write_text(paths["cm-injector"].read_text().replace("1.30.3", "1.5.10"))
    result = run_cli("kube-inject", "-f", str(paths["pod"]), "--valuesFile", str(paths["cm-injector"]))
    assert result.exit_code == 2 and result.stdout == ""
    assert "--istio-version 1.5: pyinject's embedded injection config is Istio 1.30.3's" in result.stderr
