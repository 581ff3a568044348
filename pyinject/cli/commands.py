"""Command line: flags in, exit code out; the only module that prints or exits."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import IO, Any

import click

from pyinject import ISTIO_VERSION, __version__
from pyinject.cli.guard import errors_to_exit_codes, one_line
from pyinject.cli.iptables import iptables_command
from pyinject.cli.explain import explain as explain_command
from pyinject.cli.krm import krm as krm_command
from pyinject.errors import ExitCode, UsageError
from pyinject.cli.options import config_options, inject_options, inputs, io_options, release_option
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


class Reporter:
    """Warnings to stderr, one line each, as they happen."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def warn(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"pyinject: warning: {one_line(message)}", err=True)


@click.group(context_settings=CONTEXT_SETTINGS, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, "--version", prog_name="pyinject", message=f"%(prog)s %(version)s (Istio {ISTIO_VERSION} defaults)")
def cli() -> None:
    """pyinject: offline Istio sidecar injection for Kubernetes manifests."""


@cli.command("kube-inject", help=INJECT_HELP, context_settings=CONTEXT_SETTINGS)
@io_options
@config_options
@release_option
def kube_inject(**flags: Any) -> None:
    options = inject_options(flags)
    run = RunFlags.from_click(flags)
    stdin: IO[str] = sys.stdin
    if not (run.in_place or run.check) and run.output_style == "pyinject" and options.output_format == "yaml":
        # A kustomize/kpt ResourceList is answered as the KRM function would answer it.
        from pyinject.cli.krm import resource_list_input, run_function

        with errors_to_exit_codes(debug=run.debug):
            text, stdin = resource_list_input(options, sys.stdin)
            if text is not None:
                source = "<stdin>" if options.filenames == ("-",) else options.filenames[0]
                run_function(text, source, options, quiet=run.quiet, report=True, verbose=run.verbose,
                             output=options.output)
                return

    def build(warn: Callable[[str], None]) -> Any:
        from pyinject.inject import SidecarInjector, build_injector

        # istioctl re-injects by merging over the old sidecar; pyinject's own style injects afresh.
        injector = build_injector(options, os.environ, warn=warn,
                                  merge_over_previous=run.output_style == "istioctl")
        if run.verbose and not run.quiet and isinstance(injector, SidecarInjector):
            click.echo(f"pyinject: {injector.run.native_sidecars.describe()}", err=True)
        return injector

    _execute(options, build, run, stdin=stdin)


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

    _execute(options, build, RunFlags.from_click(flags))


@dataclass(frozen=True)
class RunFlags:
    """How to run and report, as opposed to what to inject (Options)."""

    in_place: bool = False
    check: bool = False
    force: bool = False
    output_style: str = "pyinject"
    quiet: bool = False
    verbose: bool = False
    debug: bool = False

    @classmethod
    def from_click(cls, flags: dict[str, Any]) -> RunFlags:
        return cls(**{f.name: flags[f.name] for f in fields(cls)})


def check_flags(options: Options, run: RunFlags) -> None:
    """Every conflict between flags, reported together before any work."""
    problems: list[str] = []
    if run.in_place and run.check:
        problems.append("--in-place and --check exclude each other")
    if run.in_place and options.output is not None:
        problems.append("--in-place writes each input file, so it takes no -o")
    if run.check and options.output is not None:
        problems.append("--check writes nothing, so it takes no -o")
    if run.in_place and "-" in options.filenames:
        problems.append("--in-place rewrites files, so it cannot read - (stdin)")
    if run.output_style == "istioctl" and options.output_format != "yaml":
        problems.append("--output-style istioctl writes YAML only (istioctl has no JSON output)")
    if options.pod_templates:
        from pyinject.manifests.workloads import parse_pod_templates

        try:
            parse_pod_templates(options.pod_templates)
        except UsageError as err:
            problems.append(err.message)
    if problems:
        raise UsageError("; ".join(problems))


def _execute(options: Options, build: Callable[[Callable[[str], None]], Any], run: RunFlags,
             stdin: IO[str] | None = None) -> None:
    from pyinject import pipeline
    from pyinject.manifests.files import deliver
    from pyinject.manifests.output import output_mode
    from pyinject.report import summary as report
    reporter = Reporter(quiet=run.quiet)
    would_change = False
    with errors_to_exit_codes(debug=run.debug):
        check_flags(options, run)
        mode = output_mode(options.output_format, run.output_style)
        stdin = stdin or sys.stdin
        if not run.in_place and options.output is None and "-" in options.filenames and stdin.isatty():
            reporter.warn("reading manifests from the terminal; end with Ctrl-D")
        _check_something_to_read(options, run, reporter)
        injector = build(reporter.warn)
        release = getattr(injector, "release", None)
        if run.output_style == "istioctl" and release is not None:
            # istioctl's output depends on the Go libraries of the release reproduced.
            mode = output_mode(options.output_format, run.output_style,
                               k8s_minor=release.k8s_minor, yaml_fold=release.yaml_fold)
        if run.in_place:
            from pyinject.manifests.inplace import rewrite_in_place

            done = rewrite_in_place(options, injector, mode=mode, warn=reporter.warn, force=run.force)
            outcomes = done.outcomes
            changed, sources = done.changed, done.sources
        else:
            result = pipeline.run(options, injector, stdin=stdin, warn=reporter.warn, mode=mode)
            try:
                if not run.check:
                    deliver(result, options.output, sys.stdout, force=run.force)
            finally:
                result.close()
            outcomes = result.outcomes
            changed, sources = result.changed_sources, result.sources
        if not run.quiet:
            report.write_report(outcomes, sys.stderr, verbose=run.verbose, check=run.check)
            if run.in_place:
                for source in changed:
                    click.echo(f"rewrote {source}", err=True)
            if run.check:
                for line in report.check_lines(changed, len(sources)):
                    click.echo(line, err=True)
        would_change = run.check and bool(changed)
    if would_change:
        sys.exit(int(ExitCode.WOULD_CHANGE))


def _check_something_to_read(options: Options, run: RunFlags, reporter: Reporter) -> None:
    """Say so when a directory holds no manifests; with --check, reading nothing at all is a failure.

    A CI gate that checked nothing has not passed: the path is probably wrong.
    """
    from pyinject.errors import InputError
    from pyinject.manifests.read import empty_directories

    empty = empty_directories(options.filenames)
    if run.check and empty and len(empty) == len(options.filenames):
        raise InputError(f"no manifests under {', '.join(empty)}: --check checked nothing, which is not a pass")
    for directory in empty:
        reporter.warn(f"no manifests under {directory}")


#: Commands whose arguments may arrive joined by commas in a single argument.
_COMMANDS = ("kube-inject", "kube-uninject")


def split_joined_args(args: list[str]) -> list[str]:
    """``["kube-inject,-f,-"]`` -> ``["kube-inject", "-f", "-"]``.

    Helm 3 hands each ``--post-renderer-args`` value to the post-renderer as
    one argument and does not split it at commas, so ``--post-renderer-args
    kube-inject,-f,-`` arrives as a single word.  No command name contains a
    comma, so a first argument that starts with one of ours and a comma can
    only mean this; anything else is left alone.
    """
    if args and args[0].startswith(tuple(f"{name}," for name in _COMMANDS)):
        return [part for part in args[0].split(",")] + args[1:]
    return args


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


__all__ = ["cli", "main", "UsageError"]
