"""What kube-inject and kube-uninject do once their flags are parsed: check, run, report, exit code.

Click-free, so the fast path (``cli/fast.py``) and the click commands (``cli/commands.py``)
run the very same code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, IO

from pyinject.cli.flags import inject_options
from pyinject.cli.guard import echo_err, errors_to_exit_codes, one_line
from pyinject.errors import ExitCode, UsageError
from pyinject.model import Options
from pyinject.records import dataclass, fields


class Reporter:
    """Warnings to stderr, one line each, as they happen."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def warn(self, message: str) -> None:
        if not self.quiet:
            echo_err(f"pyinject: warning: {one_line(message)}")


def kube_inject(flags: dict[str, Any], *, own_process: bool = False) -> None:
    """``pyinject kube-inject`` with its parsed flags (every parameter of the click command, by name).

    ``own_process``: the caller exits when this returns (the console entry point), so
    what is loaded before the manifests are read may be frozen out of the garbage
    collector's sight (see :func:`execute`).
    """
    options = inject_options(flags)
    run = RunFlags.from_click(flags)
    stdin: IO[str] = sys.stdin
    if not (run.in_place or run.check) and run.output_style == "pyinject" and options.output_format == "yaml":
        # A kustomize/kpt ResourceList is answered as the KRM function would answer it.
        from pyinject.krm.peek import resource_list_input

        with errors_to_exit_codes(debug=run.debug):
            text, stdin = resource_list_input(options, sys.stdin)
            if text is not None:
                from pyinject.cli.krm import run_function

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
            echo_err(f"pyinject: {injector.run.native_sidecars.describe()}")
        return injector

    execute(options, build, run, stdin=stdin, freeze_loaded=own_process)


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


#: Net new container objects between the young-generation collections of a run.
#: The pipeline makes and drops tens of thousands of maps and lists per hundred
#: workloads but almost no cycles (its trees link only downwards), so Python's
#: 700 spent 3% of a Go-template run walking them; RSS is the same either way.
DOCUMENT_GC_THRESHOLD = 50_000


def execute(options: Options, build: Callable[[Callable[[str], None]], Any], run: RunFlags,
             stdin: IO[str] | None = None, freeze_loaded: bool = False) -> None:
    """Check the flags, build the injector, run the pipeline, deliver the output and report.

    ``freeze_loaded`` (only for a process that exits afterwards): once the injector
    is built, everything allocated so far (modules, settings, compiled templates)
    lives to the end, so ``gc.freeze`` moves it out of the cyclic collector's
    generations; the collections the run triggers, and the one at exit, then
    walk only what the run itself allocated.  Cycles created later are collected
    as usual (every DOCUMENT_GC_THRESHOLD net new objects), so memory stays flat on
    large inputs.  The console entry point turns the collector off while it loads;
    this turns it back on.
    """
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
        if freeze_loaded:
            import gc

            gc.freeze()
            gc.set_threshold(DOCUMENT_GC_THRESHOLD, *gc.get_threshold()[1:])
            gc.enable()  # off since the console entry point started (cli/fast.py)
        release = getattr(injector, "release", None)
        if run.output_style == "istioctl" and release is not None:
            # istioctl's output depends on the Go libraries of the release reproduced.
            mode = output_mode(options.output_format, run.output_style,
                               k8s_minor=release.k8s_minor, yaml_fold=release.yaml_fold,
                               registered=release.registered_kinds or None)
        if run.in_place:
            from pyinject.manifests.inplace import rewrite_in_place

            done = rewrite_in_place(options, injector, mode=mode, warn=reporter.warn, force=run.force)
            outcomes = done.outcomes
            changed, sources = done.changed, done.sources
        else:
            result = pipeline.run(options, injector, stdin=stdin, warn=reporter.warn, mode=mode,
                                  describe=run.verbose and not run.quiet)
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
                    echo_err(f"rewrote {source}")
            if run.check:
                for line in report.check_lines(changed, len(sources)):
                    echo_err(line)
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
