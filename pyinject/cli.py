"""Command line: flags in, exit code out; the only module that prints or exits."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from pyinject import ISTIO_VERSION, __version__
from pyinject.errors import ExitCode, PyinjectError, UsageError
from pyinject.model import Options

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_CODES_HELP = """\b
Exit codes:
  0  success (skipped workloads included)
  1  bad input or configuration (YAML, manifests, values, annotations, templates)
  2  bad usage (unknown or invalid flags)
  3  internal error: a bug in pyinject (rerun with --debug and report it)"""

INJECT_HELP = f"""Add the Istio sidecar to every pod template in Kubernetes manifests.

Reads multi-document YAML or JSON (files, directories, or - for stdin), finds the
pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets,
ReplicationControllers, Jobs, CronJobs, Pods, DeploymentConfigs and Lists, and
injects what Istio's sidecar injector would: the istio-init or istio-validation
init container, the istio-proxy sidecar (a native sidecar in initContainers when
native sidecars are enabled), its volumes and the sidecar.istio.io/status
annotation. It needs no cluster: out of the box it uses the defaults of a stock
Istio {ISTIO_VERSION} install; with --injectConfigFile/--valuesFile/--meshConfigFile
exported from a cluster it produces what `istioctl kube-inject` produces there.

Everything else passes through untouched: other kinds byte for byte, and in the
workloads your comments, key order and unknown fields. Nothing is written unless
every document succeeds.

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

{EXIT_CODES_HELP}
"""


class Reporter:
    """Warnings to stderr, one line each, as they happen."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def warn(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"pyinject: warning: {message}", err=True)


@click.group(context_settings=CONTEXT_SETTINGS, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, "--version", prog_name="pyinject", message=f"%(prog)s %(version)s (Istio {ISTIO_VERSION} defaults)")
def cli() -> None:
    """pyinject: offline Istio sidecar injection for Kubernetes manifests."""


def _check_sets(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for item in values:
        key, sep, _ = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE (e.g. values.global.proxy.image=proxyv2)", ctx, param)
    return values


@cli.command("kube-inject", help=INJECT_HELP, context_settings=CONTEXT_SETTINGS)
@click.option("-f", "--filename", "filenames", multiple=True, required=True, metavar="PATH",
              help="Manifest file, directory (every *.yaml, *.yml, *.json below it, sorted) or - for stdin. Repeatable.")
@click.option("-o", "--output", metavar="FILE", help="Write here instead of stdout (atomically; may name an input).")
@click.option("--output-format", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Format of the written documents.")
@click.option("--injectConfigFile", "inject_config_file", metavar="FILE",
              help="Injection config: a cluster's {.data.config} of ConfigMap istio-sidecar-injector "
                   "(Go templates), or a pyinject Jinja2 config. Default: the embedded Istio defaults.")
@click.option("--valuesFile", "values_file", metavar="FILE",
              help="Injector values (JSON or YAML), e.g. {.data.values} of ConfigMap istio-sidecar-injector. "
                   "Replaces the embedded values whole.")
@click.option("--meshConfigFile", "mesh_config_file", metavar="FILE",
              help="Mesh config YAML, e.g. {.data.mesh} of ConfigMap istio; applied over Istio's defaults.")
@click.option("--operatorFileName", "operator_file", metavar="FILE",
              help="IstioOperator file whose hub, tag, values, components and meshConfig apply.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", callback=_check_sets,
              help="Override a setting, istioctl-install style: values.*, meshConfig.*, hub, tag, "
                   "components.<name>.enabled. Repeatable.")
@click.option("-r", "--revision", default="", metavar="REV", help="Control plane revision to inject for.")
@click.option("--native-sidecars/--no-native-sidecars", "native_sidecars", default=None,
              help="Inject istio-proxy as a Kubernetes native sidecar (initContainers, restartPolicy: Always). "
                   "Default: ENABLE_NATIVE_SIDECARS (true/false), enabled when unset.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings or report on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback for errors.")
def kube_inject(debug: bool, quiet: bool, **flags: Any) -> None:
    options = Options(
        filenames=tuple(flags["filenames"]),
        output=flags["output"],
        output_format=flags["output_format"],
        inject_config_file=flags["inject_config_file"],
        values_file=flags["values_file"],
        mesh_config_file=flags["mesh_config_file"],
        operator_file=flags["operator_file"],
        sets=tuple(flags["sets"]),
        revision=flags["revision"],
        native_sidecars=flags["native_sidecars"],
    )
    _execute(options, debug=debug, quiet=quiet)


def _execute(options: Options, *, debug: bool, quiet: bool) -> None:
    from pyinject import pipeline
    from pyinject.inject import build_injector

    reporter = Reporter(quiet=quiet)
    try:
        if options.output is None and "-" in options.filenames and sys.stdin.isatty():
            reporter.warn("reading manifests from the terminal; end with Ctrl-D")
        injector = build_injector(options, os.environ, warn=reporter.warn)
        result = pipeline.run(options, injector, stdin=sys.stdin, warn=reporter.warn)
        try:
            pipeline.deliver(result, options.output, sys.stdout)
        finally:
            result.close()
    except PyinjectError as err:
        if debug:
            raise
        click.echo(f"pyinject: error: {err}", err=True)
        sys.exit(int(err.exit_code))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not our failure.
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except KeyboardInterrupt:
        click.echo("pyinject: interrupted", err=True)
        sys.exit(130)
    except Exception as err:  # anything else is a bug in pyinject
        if debug:
            raise
        click.echo(f"pyinject: internal error: {type(err).__name__}: {err} (this is a bug; rerun with --debug)", err=True)
        sys.exit(int(ExitCode.INTERNAL))


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="pyinject")


__all__ = ["cli", "main", "UsageError"]
