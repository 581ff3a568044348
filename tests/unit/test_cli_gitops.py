"""GitOps and CI through the CLI: --check, --in-place, the report on stderr, Helm post-renderer use.

Manifests here are small hand-written Deployments (and the README's Bookinfo
example); they are injected with pyinject's embedded Istio defaults.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import BOOKINFO, run_process
from pyinject.cli.commands import split_joined_args
from pyinject.cli.options import OUTPUT_STYLES
from pyinject.manifests import output

APP = """\
# The web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web   # the app itself
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
"""

HOST_NETWORK = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      hostNetwork: true
      containers:
      - name: agent
        image: agent
"""

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A manifests folder as a GitOps repository holds it."""
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "web.yaml").write_text(APP)
    (tmp_path / "apps" / "agent.yaml").write_text(HOST_NETWORK)
    (tmp_path / "settings.yaml").write_text(CONFIG_MAP)
    return tmp_path


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file below root: (text, mtime in ns)."""
    return {str(p.relative_to(root)): (p.read_text(), p.stat().st_mtime_ns) for p in sorted(root.rglob("*")) if p.is_file()}


# --- --check ----------------------------------------------------------------------


def test_check_fails_listing_the_files_and_workloads_that_would_change(run_cli, repo: Path) -> None:
    before = snapshot(repo)
    result = run_cli("kube-inject", "-f", str(repo), "--check")
    assert result.exit_code == 1
    assert result.stdout == ""
    web = repo / "apps" / "web.yaml"
    assert f"{web}: document 1: Deployment shop/web: would inject" in result.stderr.splitlines()
    assert f"would change: {web}" in result.stderr.splitlines()
    assert "agent.yaml: document" not in result.stderr  # skipped: nothing would change there
    assert result.stderr.splitlines()[-1] == "pyinject: --check: 1 file would change, 2 unchanged"
    assert "pyinject: error" not in result.stderr
    assert snapshot(repo) == before, "--check writes nothing"


def test_check_passes_on_injected_manifests(run_cli, repo: Path) -> None:
    assert run_cli("kube-inject", "-f", str(repo), "--in-place").exit_code == 0
    result = run_cli("kube-inject", "-f", str(repo), "--check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines()[-1] == "pyinject: --check: 3 files up to date"


def test_check_fails_when_the_settings_changed(run_cli, repo: Path) -> None:
    """Injected with one proxy image, checked against another: out of date."""
    assert run_cli("kube-inject", "-f", str(repo), "--in-place").exit_code == 0
    result = run_cli("kube-inject", "-f", str(repo), "--check", "--set", "values.global.proxy.image=proxyv3", "-v")
    assert result.exit_code == 1
    web = repo / "apps" / "web.yaml"
    assert f"{web}: document 1: Deployment shop/web: would re-inject" in result.stderr
    assert "    ~ init containers: istio-init, istio-proxy" in result.stderr.splitlines()  # -v: both images moved
    assert "would change:" in result.stderr


def test_check_on_stdin(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", "--check", input=CONFIG_MAP)
    assert (result.exit_code, result.stdout) == (0, "")
    result = run_cli("kube-inject", "-f", "-", "--check", input=APP)
    assert result.exit_code == 1 and "would change: <stdin>" in result.stderr


def test_check_quiet_says_nothing_but_the_exit_code(run_cli, repo: Path) -> None:
    result = run_cli("kube-inject", "-f", str(repo), "--check", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


def test_check_error_is_told_apart_by_its_message(run_cli, repo: Path) -> None:
    (repo / "broken.yaml").write_text("kind: Deployment\nspec: [\n")
    result = run_cli("kube-inject", "-f", str(repo), "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("pyinject: error: ") and "would change" not in result.stderr


# --- --in-place -------------------------------------------------------------------


def test_in_place_rewrites_only_the_files_that_change(run_cli, repo: Path) -> None:
    before = snapshot(repo)
    os.chmod(repo / "apps" / "web.yaml", 0o600)
    result = run_cli("kube-inject", "-f", str(repo), "--in-place")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    after = snapshot(repo)
    assert set(after) == set(before), "no temporary files are left behind"
    assert after["settings.yaml"] == before["settings.yaml"] and after["apps/agent.yaml"] == before["apps/agent.yaml"]
    web = after["apps/web.yaml"][0]
    assert "# The web tier." in web and "# the app itself" in web and "istio-proxy" in web
    assert (repo / "apps" / "web.yaml").stat().st_mode & 0o777 == 0o600
    assert f"rewrote {repo / 'apps' / 'web.yaml'}" in result.stderr.splitlines()
    # The rewritten file is what kube-inject prints for it.
    printed = run_cli("kube-inject", "-f", "-", input=APP)
    assert web == printed.stdout


def test_in_place_twice_changes_nothing_the_second_time(run_cli, repo: Path) -> None:
    run_cli("kube-inject", "-f", str(repo), "--in-place")
    before = snapshot(repo)
    result = run_cli("kube-inject", "-f", str(repo), "--in-place")
    assert result.exit_code == 0 and "rewrote" not in result.stderr
    assert "Deployment shop/web: unchanged (already up to date)" in result.stderr
    assert snapshot(repo) == before


def test_in_place_is_all_or_nothing(run_cli, repo: Path) -> None:
    (repo / "zz-broken.yaml").write_text("kind: Deployment\nspec: [\n")
    before = snapshot(repo)
    result = run_cli("kube-inject", "-f", str(repo), "--in-place")
    assert result.exit_code == 1 and "zz-broken.yaml" in result.stderr
    assert snapshot(repo) == before, "a failure in the last file leaves the first ones untouched"


def test_in_place_writes_a_file_named_twice_once(run_cli, repo: Path) -> None:
    web = repo / "apps" / "web.yaml"
    result = run_cli("kube-inject", "-f", str(web), "-f", str(web), "--in-place")
    assert result.exit_code == 0
    assert result.stderr.count("rewrote") == 1 and web.read_text().count("name: istio-proxy") == 1


def test_in_place_through_a_symlink_rewrites_the_target(run_cli, repo: Path) -> None:
    link = repo / "link.yaml"
    link.symlink_to(repo / "apps" / "web.yaml")
    assert run_cli("kube-inject", "-f", str(link), "--in-place").exit_code == 0
    assert link.is_symlink() and "istio-proxy" in (repo / "apps" / "web.yaml").read_text()


def test_in_place_keeps_json_files_json(run_cli, tmp_path: Path) -> None:
    import json

    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    src = tmp_path / "pod.json"
    src.write_text(json.dumps(doc, indent=2) + "\n")
    assert run_cli("kube-inject", "-f", str(src), "--in-place").exit_code == 0
    injected = json.loads(src.read_text())
    assert [c["name"] for c in injected["spec"]["initContainers"]] == ["istio-init", "istio-proxy"]


def test_in_place_with_istioctl_style(run_cli, repo: Path) -> None:
    result = run_cli("kube-inject", "-f", str(repo / "apps"), "--in-place", "--output-style", "istioctl")
    assert result.exit_code == 0, result.stderr
    web = (repo / "apps" / "web.yaml").read_text()
    assert web.endswith("---\n") and "# The web tier." not in web and "strategy: {}" in web
    assert run_cli("kube-inject", "-f", str(repo / "apps"), "--check", "--output-style", "istioctl").exit_code == 0


USAGE = {
    "in-place with stdin": (["-f", "-", "--in-place"], "--in-place rewrites files, so it cannot read - (stdin)"),
    "in-place with -o": (["-f", "x.yaml", "--in-place", "-o", "out.yaml"], "--in-place writes each input file, so it takes no -o"),
    "check with -o": (["-f", "x.yaml", "--check", "-o", "out.yaml"], "--check writes nothing, so it takes no -o"),
    "check and in-place": (["-f", "x.yaml", "--check", "--in-place"], "--in-place and --check exclude each other"),
    "istioctl style as JSON": (["-f", "x.yaml", "--output-style", "istioctl", "--output-format", "json"],
                               "--output-style istioctl writes YAML only"),
    "unknown style": (["-f", "x.yaml", "--output-style", "kubectl"], "'kubectl' is not one of"),
}


@pytest.mark.parametrize("args,message", USAGE.values(), ids=USAGE.keys())
def test_flag_conflicts_are_usage_errors(run_cli, args: list[str], message: str) -> None:
    result = run_cli("kube-inject", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_every_flag_conflict_is_reported_at_once(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", "--in-place", "--check", "-o", "x")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.count(";") == 3


# --- the report on stderr ---------------------------------------------------------


def test_report_lists_every_workload_and_stdout_stays_manifests_only(run_cli, repo: Path) -> None:
    result = run_cli("kube-inject", "-f", str(repo / "apps" / "agent.yaml"), "-f", str(repo / "apps" / "web.yaml"))
    assert result.exit_code == 0
    agent, web = repo / "apps" / "agent.yaml", repo / "apps" / "web.yaml"
    report = [line for line in result.stderr.splitlines() if not line.startswith("pyinject: warning:")]
    assert report == [
        f"{agent}: document 1: DaemonSet agent: skipped (has host networking enabled)",
        f"{web}: document 1: Deployment shop/web: injected",
        "pyinject: 2 workloads: 1 injected, 1 skipped",
    ]
    assert "pyinject" not in result.stdout and "skipped" not in result.stdout


def test_skip_reasons(run_cli) -> None:
    docs = {
        "opt-out annotation": ("metadata:\n      annotations: {sidecar.istio.io/inject: 'false'}\n",
                               "has sidecar injection disabled (annotation sidecar.istio.io/inject)"),
        "opt-out label": ("metadata:\n      labels: {sidecar.istio.io/inject: 'false'}\n",
                          "has sidecar injection disabled (label sidecar.istio.io/inject)"),
    }
    for template_meta, reason in docs.values():
        text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    "
                + template_meta + "    spec:\n      containers: [{name: c, image: i}]\n")
        result = run_cli("kube-inject", "-f", "-", input=text)
        assert f"<stdin>: document 1: Deployment d: skipped ({reason})" in result.stderr
    system = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers: [{name: c, image: i}]\n"
    result = run_cli("kube-inject", "-f", "-", input=system)
    assert "Pod kube-system/p: skipped (is in a Kubernetes system namespace)" in result.stderr


def test_quiet_silences_report_and_warnings(run_cli, repo: Path) -> None:
    result = run_cli("kube-inject", "-f", str(repo), "-q")
    assert result.exit_code == 0 and result.stderr == "" and "istio-proxy" in result.stdout


def test_verbose_adds_what_changed(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", "-v", input=APP)
    lines = result.stderr.splitlines()
    first = lines.index("<stdin>: document 1: Deployment shop/web: injected")
    details = lines[first + 1:first + 5]
    assert details[0] == "    + init containers: istio-init, istio-proxy"
    assert details[1].startswith("    + volumes: workload-socket, ")
    assert details[2].startswith("    + annotations: ") and "sidecar.istio.io/status" in details[2]
    assert details[3].startswith("    + labels: ")


def test_no_workloads_no_report(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", input=CONFIG_MAP)
    assert (result.exit_code, result.stdout, result.stderr) == (0, CONFIG_MAP, "")


def test_report_comes_after_stdout_is_complete_and_only_on_success(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", input=APP + "---\nkind: Deployment\nspec: [\n")
    assert result.exit_code == 1 and result.stdout == ""
    assert "injected" not in result.stderr


def test_real_process_report_is_plain_when_stderr_is_a_pipe() -> None:
    proc = run_process("kube-inject", "-f", str(BOOKINFO), "--check")
    assert proc.returncode == 1 and proc.stdout == ""
    assert re.search(r"bookinfo\.yaml: document \d+: Deployment reviews-v2: would inject$", proc.stderr, re.M)
    assert "\x1b[" not in proc.stderr, "no terminal colours in a pipe"
    assert proc.stderr.splitlines()[-1] == "pyinject: --check: 1 file would change, 0 unchanged"


def test_real_process_in_place(tmp_path: Path) -> None:
    target = tmp_path / "app.yaml"
    target.write_text(APP)
    proc = run_process("kube-inject", "-f", str(tmp_path), "--in-place", "-q")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert "istio-proxy" in target.read_text()
    assert run_process("kube-inject", "-f", str(target), "--check").returncode == 0


def test_rich_is_not_imported_for_a_plain_report() -> None:
    code = ("import sys; from pyinject.cli.commands import main; sys.argv=['pyinject','kube-inject','-f','-'];\n"
            "try: main()\nexcept SystemExit: pass\nprint('rich' in sys.modules, file=sys.stderr)")
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", code], input=APP, capture_output=True, text=True, timeout=120)
    assert proc.stderr.splitlines()[-1] == "False"


# --- Helm post-renderer -----------------------------------------------------------

#: What `helm template` / `helm install --post-renderer` writes to the renderer's
#: stdin: every rendered template as a document opened by `---` and a
#: `# Source:` comment naming the chart file (Helm 3 output format).
HELM_STREAM = """\
---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: shop
  labels:
    helm.sh/chart: shop-0.1.0
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    helm.sh/chart: shop-0.1.0
    app.kubernetes.io/name: shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: shop
  template:
    metadata:
      labels:
        app.kubernetes.io/name: shop
    spec:
      serviceAccountName: shop
      containers:
        - name: shop
          image: "nginx:1.16.0"
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 80
              protocol: TCP
"""


def _helm_contract(returncode: int, stdout: str, stderr: str) -> None:
    from pyinject.manifests.read import read_text
    from pyinject.manifests.load import load_plain
    from pyinject.errors import Location

    assert returncode == 0, stderr
    docs = [load_plain(d.text, Location()) for d in read_text(stdout)]
    assert [d["kind"] for d in docs if d] == ["ServiceAccount", "Service", "Deployment"]
    # Documents the injection does not touch come back byte for byte, Source comments included.
    head = HELM_STREAM[:HELM_STREAM.index("---\n# Source: shop/templates/deployment.yaml")]
    assert stdout.startswith(head)
    assert "# Source: shop/templates/deployment.yaml" in stdout
    pod = docs[2]["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["istio-init", "istio-proxy"]
    assert pod["serviceAccountName"] == "shop"


HELM_ARGS = {
    "args as Helm passes them (repeated --post-renderer-args)": ["kube-inject", "-f", "-"],
    "one comma-joined --post-renderer-args": ["kube-inject,-f,-"],
    "comma-joined with settings": ["kube-inject,-f,-,--set,values.global.proxy.holdApplicationUntilProxyStarts=true"],
}


@pytest.mark.parametrize("args", HELM_ARGS.values(), ids=HELM_ARGS.keys())
def test_helm_post_renderer_stdin_to_stdout(args: list[str]) -> None:
    proc = run_process(*args, input=HELM_STREAM)
    _helm_contract(proc.returncode, proc.stdout, proc.stderr)


def test_helm_post_renderer_failure_is_nonzero_with_nothing_on_stdout() -> None:
    proc = run_process("kube-inject,-f,-", input=HELM_STREAM + "---\nkind: Deployment\nspec: [\n")
    assert proc.returncode == 1 and proc.stdout == ""


SPLIT = {
    "joined": (["kube-inject,-f,-"], ["kube-inject", "-f", "-"]),
    "joined, then more words": (["kube-uninject,-f,-", "-q"], ["kube-uninject", "-f", "-", "-q"]),
    "already split": (["kube-inject", "-f", "a,b.yaml"], ["kube-inject", "-f", "a,b.yaml"]),
    "not ours": (["--set,a=b"], ["--set,a=b"]),
    "a command that only starts like ours": (["kube-injectx,-f"], ["kube-injectx,-f"]),
    "nothing": ([], []),
}


@pytest.mark.parametrize("args,expected", SPLIT.values(), ids=SPLIT.keys())
def test_split_joined_args(args: list[str], expected: list[str]) -> None:
    assert split_joined_args(args) == expected


def test_output_style_choices_match_the_pipeline_registry() -> None:
    assert OUTPUT_STYLES == output.OUTPUT_STYLES


# --- pre-commit -------------------------------------------------------------------


def hooks() -> dict[str, dict[str, object]]:
    import yaml

    from tests.conftest import REPO

    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}


def run_hook(hook_id: str, files: list[Path]):
    """Run a hook the way pre-commit does: its entry, then the staged files' paths."""
    import shlex

    words = shlex.split(str(hooks()[hook_id]["entry"]))
    assert words[0] == "pyinject"
    return run_process(*words[1:], *map(str, files))


def test_pre_commit_hooks_are_python_hooks_over_yaml_and_json() -> None:
    assert set(hooks()) == {"pyinject-check", "pyinject-inject", "pyinject-no-sidecar"}
    for hook in hooks().values():
        assert hook["language"] == "python" and hook["types_or"] == ["yaml", "json"]
        assert "pass_filenames" not in hook  # the files come as trailing PATH arguments


def test_pre_commit_check_then_inject_then_check(repo: Path) -> None:
    files = [repo / "apps" / "web.yaml", repo / "apps" / "agent.yaml", repo / "settings.yaml"]
    check = run_hook("pyinject-check", files)
    assert check.returncode == 1 and f"would change: {files[0]}" in check.stderr
    fix = run_hook("pyinject-inject", files)
    assert fix.returncode == 0 and f"rewrote {files[0]}" in fix.stderr
    assert run_hook("pyinject-check", files).returncode == 0
    no_sidecar = run_hook("pyinject-no-sidecar", files)
    assert no_sidecar.returncode == 1 and "Deployment shop/web: would uninject" in no_sidecar.stderr


def test_paths_may_follow_the_options(run_cli, repo: Path) -> None:
    web = repo / "apps" / "web.yaml"
    result = run_cli("kube-inject", "--check", str(web), str(repo / "settings.yaml"))
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == "pyinject: --check: 1 file would change, 1 unchanged"
    both = run_cli("kube-inject", "-f", str(web), str(repo / "settings.yaml"), "-q")
    assert both.exit_code == 0 and both.stdout.count("kind: ConfigMap") == 1


def test_no_manifests_named_is_a_usage_error(run_cli) -> None:
    result = run_cli("kube-inject", "--check")
    assert result.exit_code == 2 and "no manifests named" in result.stderr


def test_real_process_report_is_a_table_on_a_terminal() -> None:
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("ENABLE_NATIVE_SIDECARS", "COMPLIANCE_POLICY", "NO_COLOR")}
    env.update({"COLUMNS": "160", "TERM": "xterm"})
    try:
        proc = subprocess.run([sys.executable, "-m", "pyinject", "kube-inject", "-f", "-"], input=APP.encode(),
                              stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    assert proc.returncode == 0 and b"istio-proxy" in proc.stdout
    table = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode()).splitlines()
    assert table[0].split() == ["file", "doc", "workload", "result", "reason"]
    assert table[1].split() == ["<stdin>", "1", "Deployment", "shop/web", "injected"]
    assert table[2].strip() == "1 workload: 1 injected"
