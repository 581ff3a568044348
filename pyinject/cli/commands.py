"""Command line: flags in, exit code out; the only module that prints or exits."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from pyinject import ISTIO_VERSION, __version__
from pyinject.cli import run
from pyinject.cli.flags import split_joined_args
from pyinject.cli.iptables import iptables_command
from pyinject.cli.explain import explain as explain_command
from pyinject.cli.krm import krm as krm_command
from pyinject.errors import UsageError
from pyinject.cli.options import config_options, inputs, io_options, release_option
from pyinject.model import Options

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: ``--check`` found something to change.  The same number as a user error, as
#: black, ruff and prettier use for ``--check``: a pre-commit hook or CI step fails
#: either way, and the stderr lines tell the two apart ("would change: FILE"
#: against "pyinject: error: ...").

EXIT_CODES_HELP = """\b
Exit codes:
  0  success (skipped workloads included); with --check: nothing would change
  1  bad input or configuration (YAML, manifests, values, annotations, templates);
     with --check also: some file would change (stderr says "would change: FILE"),
     or there were no manifests to check
  2  bad usage (unknown, invalid or conflicting flags)
  3  internal error: a bug in pyinject (rerun with --debug and report it)"""

INJECT_HELP = f"""Add the Istio sidecar to every pod template in Kubernetes manifests.

Reads multi-document YAML or JSON (files, directories, https:// URLs, or - for
stdin), finds the pod templates of Deployments, StatefulSets, DaemonSets,
ReplicaSets, ReplicationControllers, Jobs, CronJobs, Pods, DeploymentConfigs,
Lists, and the custom kinds --pod-template names (Argo Rollouts, OpenKruise,
Knative...), and injects what Istio's sidecar injector would: the istio-init or istio-validation
init container, the istio-proxy sidecar (a native sidecar in initContainers when
native sidecars are enabled), its volumes and the sidecar.istio.io/status
annotation. It needs no cluster: out of the box it uses the defaults of a stock
Istio {ISTIO_VERSION} install; with --injectConfigFile/--valuesFile/--meshConfigFile
exported from a cluster it produces what `istioctl kube-inject` produces there.

Everything else passes through untouched: other kinds byte for byte, and in the
workloads your comments, key order and unknown fields; custom kinds that hold a
pod template are reported with the option that would inject them. A kustomize/kpt
ResourceList on its own is answered as `pyinject krm` answers it. Nothing is
written unless every document succeeds. A report of what happened to each workload goes to
stderr (-q silences it, -v adds what changed); stdout carries manifests only.

\b
Examples:
  # Inject and apply
  pyinject kube-inject -f bookinfo.yaml | kubectl apply -f -

\b
  # Use the configuration of a running cluster
  kubectl -n istio-system get cm istio-sidecar-injector -o jsonpath='{{.data.config}}' > inject-config.yaml
  kubectl -n istio-system get cm istio-sidecar-injector -o jsonpath='{{.data.values}}' > values.json
  kubectl -n istio-system get cm istio -o jsonpath='{{.data.mesh}}' > mesh.yaml
  pyinject kube-inject -f app.yaml --injectConfigFile inject-config.yaml \\
      --valuesFile values.json --meshConfigFile mesh.yaml

\b
  # Change settings the way `istioctl install --set` does
  pyinject kube-inject -f app.yaml --set values.global.proxy.image=proxyv2 \\
      --set meshConfig.defaultConfig.interceptionMode=TPROXY

\b
  # From stdin, into a file (written atomically; may be the input file)
  helm template ./chart | pyinject kube-inject -f - -o injected.yaml

\b
  # GitOps: keep injected manifests in the repository, and check them in CI
  pyinject kube-inject -f manifests/ --in-place
  pyinject kube-inject -f manifests/ --check

\b
  # Argo Rollouts too, from a URL (https only)
  pyinject kube-inject -f https://example.com/rollout.yaml --pod-template rollout

\b
  # As a Helm 4 post-renderer plugin (from a pyinject checkout), flags passed through
  helm plugin install ./integrations/helm-plugin
  helm install shop ./chart --post-renderer pyinject --post-renderer-args --valuesFile=values.json

\b
  # As a Helm 3 post-renderer
  helm template ./chart --post-renderer pyinject \\
      --post-renderer-args kube-inject --post-renderer-args -f --post-renderer-args -

\b
  # Exactly what istioctl writes (sorted keys, Go's quoting, `---` after each document)
  pyinject kube-inject -f app.yaml --output-style istioctl

{EXIT_CODES_HELP}
"""

UNINJECT_HELP = f"""Remove the Istio sidecar that kube-inject (or Istio's webhook) added.

Finds the pod templates kube-inject would, and takes out exactly what the
injection recorded in the pod: the containers, init containers, volumes and
image pull secrets listed in sidecar.istio.io/status; the annotations and labels
the sidecar template adds; the app's probes and Prometheus annotations as they
were before the proxy rewrote them (from the proxy's ISTIO_KUBE_APP_PROBERS and
ISTIO_PROMETHEUS_ANNOTATIONS); and your own istio-proxy settings, from
proxy.istio.io/overrides, as you wrote them. No configuration is needed: a pod
injected by any Istio release or configuration is read from what it carries.

kubectl.kubernetes.io/default-container and default-logs-container are removed
when they name the first app container (injection adds exactly that, and kubectl
picks that container without them) and kept when they name another: your choice
of container survives.

Pods that carry no injection, and every other document, pass through untouched.
Like kube-inject it writes nothing unless every document succeeds, and reports
each workload on stderr.

\b
Examples:
  # Take the sidecar out again
  pyinject kube-uninject -f injected.yaml > app.yaml

\b
  # Strip a live workload's manifest for review
  kubectl get deploy reviews -o yaml | pyinject kube-uninject -f -

\b
  # Make sure no injected manifests are committed
  pyinject kube-uninject -f manifests/ --check

{EXIT_CODES_HELP}
"""


@click.group(context_settings=CONTEXT_SETTINGS, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, "--version", prog_name="pyinject", message=f"%(prog)s %(version)s (Istio {ISTIO_VERSION} defaults)")
def cli() -> None:
    """pyinject: offline Istio sidecar injection for Kubernetes manifests."""


@cli.command("kube-inject", help=INJECT_HELP, context_settings=CONTEXT_SETTINGS)
@io_options
@config_options
@release_option
def kube_inject(**flags: Any) -> None:
    run.kube_inject(flags)


@cli.command("kube-uninject", help=UNINJECT_HELP, context_settings=CONTEXT_SETTINGS)
@io_options
@click.option("--injectConfigFile", "inject_config_file", metavar="FILE", type=click.Path(),
              help="The injection config that was used, when it sets injectedAnnotations: "
                   "those annotations are removed too.")
def kube_uninject(**flags: Any) -> None:
    options = Options(
        filenames=inputs(flags),
        output=flags["output"],
        output_format=flags["output_format"],
        inject_config_file=flags["inject_config_file"],
        pod_templates=tuple(flags["pod_templates"]),
        known_kinds=flags["known_kinds"],
    )

    def build(warn: Callable[[str], None]) -> Any:
        from pyinject.uninject.step import Uninjector

        if options.inject_config_file is None:
            return Uninjector()
        from pyinject.config.inject_config import load_injection_config

        return Uninjector(load_injection_config(options.inject_config_file).injected_annotations)

    run.execute(options, build, run.RunFlags.from_click(flags))


#: Commands kept in modules of their own, added to the group here: one line each.
#: Their modules import only click at load time, so ``--help`` stays fast.
SUBCOMMANDS: tuple[click.Command, ...] = (
    iptables_command,
    explain_command,
    krm_command,
)
for _command in SUBCOMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(args=split_joined_args(sys.argv[1:]), prog_name="pyinject")


__all__ = ["cli", "main", "split_joined_args", "UsageError"]
