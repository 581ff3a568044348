"""``pyinject krm``: the KRM function (kustomize, kpt), and kube-inject's turn to it for a ResourceList input."""

from __future__ import annotations

import io
import os
import sys
from typing import Any

import click

from pyinject.cli.guard import echo_err, errors_to_exit_codes
from pyinject.cli.options import config_fields, config_options, kind_options
from pyinject.krm.peek import resource_list_input
from pyinject.model import Options

KRM_HELP = """Run as a KRM function: read a ResourceList on stdin, write it back injected.

Follows the KRM functions specification (config.kubernetes.io/v1), so kustomize
and kpt can run it as an exec or container function. Every pod template among
the items is injected as kube-inject would inject it; everything else, the
orchestrator's config.kubernetes.io/* and internal.config.kubernetes.io/*
annotations included, comes back as it went in. What happened to each workload
goes into the ResourceList's `results` (severity info; warning for a custom kind
left alone; error for an item that could not be injected, which then comes back
unchanged and makes the run exit 1 after all items are done).

Settings come from the flags, and from `functionConfig`, which overrides them:
a v1 ConfigMap whose data holds the flags by name (injectConfigFile, valuesFile,
meshConfigFile, operatorFileName, set, revision, native-sidecars, pod-template,
known-kinds) or the cluster's contents themselves (injectConfig, values,
meshConfig); or a `pyinject.local/v1alpha1` SidecarInjection with the same
settings under `spec`. kube-inject turns into this command by itself when its
only input is a ResourceList.

\b
Examples:
  # kustomize: a transformer run as an exec function
  #   transformers: [inject.yaml]   (inject.yaml: a ConfigMap annotated with
  #   config.kubernetes.io/function: {exec: {path: ./pyinject-krm}}, the
  #   script integrations/krm/pyinject-krm copied beside the kustomization)
  kustomize build --enable-alpha-plugins --enable-exec .

\b
  # kpt, imperatively
  kpt fn eval . --exec "pyinject krm --known-kinds"

\b
  # By hand
  kpt fn source . | pyinject krm | kpt fn sink out/

\b
Exit codes:
  0  the items were processed (results may hold warnings)
  1  a result is an error (stderr has its one line), or the input is no ResourceList
  2  bad usage (unknown or invalid flags)
  3  internal error: a bug in pyinject (rerun with --debug and report it)
"""


@click.command("krm", help=KRM_HELP, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@config_options
@kind_options
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr (errors still get one line).")
@click.option("-v", "--verbose", is_flag=True, help="Also write kube-inject's per-workload report to stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback for errors.")
def krm(**flags: Any) -> None:
    options = Options(filenames=("-",), **config_fields(flags))
    with errors_to_exit_codes(debug=flags["debug"]):
        text = sys.stdin.read()
        run_function(text, "<stdin>", options, quiet=flags["quiet"], report=flags["verbose"], verbose=flags["verbose"])


def run_function(text: str, source: str, options: Options, *, quiet: bool, report: bool, verbose: bool = False,
                 output: str | None = None) -> None:
    """Transform one ResourceList and write it (stdout, or ``output``); exit 1 when a result is an error.

    ``report`` also writes kube-inject's per-workload report to stderr (``verbose``: with the changes).
    """
    from pyinject.inject import build_injector
    from pyinject.krm.transform import run_function as transform
    from pyinject.report import summary

    def warn(message: str) -> None:
        if not quiet:
            echo_err(f"pyinject: warning: {message}")

    done = transform(text, source, options, lambda o: build_injector(o, os.environ, warn), warn)
    if output is None or output == "-":
        sys.stdout.write(done.text)
        sys.stdout.flush()
    else:
        from pyinject.manifests.files import write_output

        write_output(output, io.StringIO(done.text))
    if report and not quiet:
        summary.write_report(done.outcomes, sys.stderr, verbose=verbose)
    errors = done.errors
    if errors:
        first = errors[0].as_data()
        where = first.get("file", {}).get("path")
        more = f" ({len(errors) - 1} more in the ResourceList's results)" if len(errors) > 1 else ""
        echo_err(f"pyinject: error: {where + ': ' if where else ''}{first['message']}{more}")
        sys.exit(1)


__all__ = ["krm", "resource_list_input", "run_function"]
