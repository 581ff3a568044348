"""Flags that several commands share: the manifests to read and write, and the injection config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from pyinject.model import Options

#: ``--output-style`` choices; manifests.output.OUTPUT_STYLES is the registry (not
#: imported here, so ``--help`` does not load the YAML stack).
OUTPUT_STYLES = ("pyinject", "istioctl")


def _check_sets(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for item in values:
        key, sep, _ = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE (e.g. values.global.proxy.image=proxyv2)", ctx, param)
    return values


def io_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Input, output and report flags shared by kube-inject and kube-uninject."""
    options = [
        click.option("-f", "--filename", "filenames", multiple=True, metavar="PATH",
                     help="Manifest file, directory (every *.yaml, *.yml, *.json below it, sorted), https:// URL, or - for stdin. "
                          "Repeatable; PATHs may also follow the options (as pre-commit passes them)."),
        click.option("-o", "--output", metavar="FILE", help="Write here instead of stdout (atomically; may name an input)."),
        click.option("--in-place", "in_place", is_flag=True,
                     help="Rewrite each input file with its own result (atomically, and only files that change). "
                          "Not with stdin or -o."),
        click.option("--check", is_flag=True,
                     help="Write nothing; exit 1 and list what would change if any file would, 0 if none would."),
        click.option("--output-format", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
                     help="Format of the written documents."),
        click.option("--output-style", type=click.Choice(list(OUTPUT_STYLES)), default="pyinject", show_default=True,
                     help="pyinject: keep comments, key order and untouched documents as written. "
                          "istioctl: write what istioctl writes (sorted keys, Go's YAML quoting, "
                          "`status: {}` and the like, `---` after every document)."),
        click.option("-q", "--quiet", is_flag=True, help="No warnings or report on stderr."),
        click.option("-v", "--verbose", is_flag=True,
                     help="Report what changed in each pod (containers, volumes, annotations...)."),
        click.option("--debug", is_flag=True, help="Show a traceback for errors."),
    ]
    func = kind_options(func)
    for option in reversed(options):
        func = option(func)
    return click.argument("paths", nargs=-1, metavar="[PATH]...")(func)


def kind_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Which custom kinds' pod templates to inject (``--pod-template``, ``--known-kinds``)."""
    options = [
        click.option("--pod-template", "pod_templates", multiple=True, metavar="KIND[.GROUP]=PATH|NAME",
                     help="Also inject the pod templates of a custom kind: KIND[.GROUP]=PATH (e.g. "
                          "Rollout.argoproj.io=spec.template), or a kind pyinject knows by NAME: rollout, cloneset, "
                          "advanced-statefulset, advanced-daemonset, uniteddeployment, knative-service. Repeatable."),
        click.option("--known-kinds", "known_kinds", is_flag=True,
                     help="Inject every custom kind pyinject knows (the NAMEs of --pod-template)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def inputs(flags: dict[str, Any]) -> tuple[str, ...]:
    """-f values, then trailing PATH arguments: at least one is needed."""
    paths = tuple(flags["filenames"]) + tuple(flags["paths"])
    if not paths:
        raise click.UsageError("no manifests named: give -f FILE, -f DIR or -f - (stdin)")
    return paths


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The injection config flags: what kube-inject uses to decide and render (istioctl's names)."""
    options = [
        click.option("--injectConfigFile", "inject_config_file", metavar="FILE",
                     help="Injection config: a cluster's {.data.config} of ConfigMap istio-sidecar-injector "
                          "(Go templates), or a pyinject Jinja2 config. Default: the embedded Istio defaults."),
        click.option("--valuesFile", "values_file", metavar="FILE",
                     help="Injector values (JSON or YAML), e.g. {.data.values} of ConfigMap istio-sidecar-injector. "
                          "Replaces the embedded values whole."),
        click.option("--meshConfigFile", "mesh_config_file", metavar="FILE",
                     help="Mesh config YAML, e.g. {.data.mesh} of ConfigMap istio; applied over Istio's defaults."),
        click.option("--operatorFileName", "operator_file", metavar="FILE",
                     help="IstioOperator file whose hub, tag, values, components and meshConfig apply."),
        click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", callback=_check_sets,
                     help="Override a setting, istioctl-install style: values.*, meshConfig.*, hub, tag, "
                          "components.<name>.enabled. Repeatable."),
        click.option("-r", "--revision", default="", metavar="REV", help="Control plane revision to inject for."),
        click.option("--native-sidecars/--no-native-sidecars", "native_sidecars", default=None,
                     help="Inject istio-proxy as a Kubernetes native sidecar (initContainers, restartPolicy: Always). "
                          "Default: ENABLE_NATIVE_SIDECARS (true/false), enabled when unset."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def inject_options(flags: dict[str, Any]) -> Options:
    """The :class:`Options` of a command that took :func:`io_options` and :func:`config_options`."""
    return Options(filenames=inputs(flags), output=flags["output"], output_format=flags["output_format"],
                   **config_fields(flags))


def config_fields(flags: dict[str, Any]) -> dict[str, Any]:
    """The :class:`Options` fields that :func:`config_options` and :func:`kind_options` set."""
    return dict(
        inject_config_file=flags["inject_config_file"],
        values_file=flags["values_file"],
        mesh_config_file=flags["mesh_config_file"],
        operator_file=flags["operator_file"],
        sets=tuple(flags["sets"]),
        revision=flags["revision"],
        native_sidecars=flags["native_sidecars"],
        pod_templates=tuple(flags["pod_templates"]),
        known_kinds=flags["known_kinds"],
    )
