"""Flags that several commands share: the manifests to read and write, and the injection config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from pyinject.cli.flags import config_fields, inject_options, inputs

#: ``--output-style`` choices; manifests.output.OUTPUT_STYLES is the registry (not
#: imported here, so ``--help`` does not load the YAML stack).
OUTPUT_STYLES = ("pyinject", "istioctl")


#: File and directory arguments: a click.Path so shell completion offers file names
#: (a plain string completes to nothing once the completion script is loaded).
#: Nothing is checked here; the readers report missing files with their own message.
_PATH = click.Path(allow_dash=True)


def _check_sets(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for item in values:
        key, sep, _ = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE (e.g. values.global.proxy.image=proxyv2)", ctx, param)
    return values


#: kubectl's ``-o`` formats: pyinject's ``-o`` is a file, so these are almost surely a mix-up.
KUBECTL_OUTPUT_FORMATS = ("yaml", "yml", "json", "wide", "name")
KUBECTL_OUTPUT_PREFIXES = ("jsonpath=", "go-template=", "custom-columns=", "template=")

KUBECONFIG_HELP = (
    "pyinject needs no cluster and takes no --kubeconfig: it reads the injector's configuration from files. "
    "Export them once with kubectl -n istio-system get cm istio-sidecar-injector -o jsonpath='{.data.config}' "
    "> inject-config.yaml (and '{.data.values}' > values.json; cm istio '{.data.mesh}' > mesh.yaml), "
    "then pass --injectConfigFile inject-config.yaml --valuesFile values.json --meshConfigFile mesh.yaml"
)


def _check_output(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and (value in KUBECTL_OUTPUT_FORMATS or value.startswith(KUBECTL_OUTPUT_PREFIXES)):
        raise click.BadParameter(
            f"-o names the FILE to write, not a format as in kubectl; the output is YAML unless --output-format json "
            f"says otherwise (for a file named {value}, write -o ./{value})",
            ctx, param,
        )
    return value


def _refuse_kubeconfig(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        raise click.UsageError(KUBECONFIG_HELP, ctx)


def _check_kube_version(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from pyinject.config.native import parse_kube_version

    try:
        parse_kube_version(value)
    except ValueError as err:
        raise click.BadParameter(str(err), ctx, param) from err
    return value


def input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The manifests to read: -f (repeatable) and trailing PATH arguments; see :func:`inputs`."""
    func = click.option("-f", "--filename", "filenames", multiple=True, metavar="PATH", type=_PATH,
                        help="Manifest file, directory (every *.yaml, *.yml, *.json below it, sorted), https:// URL, "
                             "or - for stdin. Repeatable; PATHs may also follow the options (as pre-commit passes them).")(func)
    return click.argument("paths", nargs=-1, metavar="[PATH]...", type=_PATH)(func)


def io_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Input, output and report flags shared by kube-inject and kube-uninject."""
    options = [
        click.option("-o", "--output", metavar="FILE", type=_PATH, callback=_check_output,
                     help="Write to this FILE instead of stdout (atomically; may name an input; through a symbolic "
                          "link to its target; devices and FIFOs directly). Not a format: see --output-format."),
        click.option("--force", is_flag=True, help="Replace read-only files with -o and --in-place (refused otherwise)."),
        click.option("-R", "--recursive", is_flag=True, expose_value=False,
                     help="Accepted for kubectl's sake: directories are always read recursively."),
        click.option("--kubeconfig", metavar="FILE", callback=_refuse_kubeconfig, expose_value=False, hidden=True,
                     is_eager=True),
        click.option("--in-place", "in_place", is_flag=True,
                     help="Rewrite each input file with its own result (atomically, and only files that change). "
                          "Not with stdin or -o."),
        click.option("--check", is_flag=True,
                     help="Write nothing; exit 1 and list what would change if any file would, 0 if none would."),
        click.option("--output-format", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
                     help="Format of the written documents. json: one List holding them all, as kubectl get -o json "
                          "writes (json.load, jq and pyinject read it back)."),
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
    return input_options(func)


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


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The injection config flags: what kube-inject uses to decide and render (istioctl's names)."""
    options = [
        click.option("--injectConfigFile", "inject_config_file", metavar="FILE", type=_PATH,
                     help="Injection config: a cluster's {.data.config} of ConfigMap istio-sidecar-injector "
                          "(Go templates), or a pyinject Jinja2 config. Default: the embedded Istio defaults. "
                          "A whole `kubectl get cm ... -o yaml` works here and in --valuesFile/--meshConfigFile "
                          "(the key that belongs is used, with a note); a file of another kind is refused."),
        click.option("--valuesFile", "values_file", metavar="FILE", type=_PATH,
                     help="Injector values (JSON or YAML), e.g. {.data.values} of ConfigMap istio-sidecar-injector. "
                          "Replaces the embedded values whole."),
        click.option("--meshConfigFile", "mesh_config_file", metavar="FILE", type=_PATH,
                     help="Mesh config YAML, e.g. {.data.mesh} of ConfigMap istio; applied over Istio's defaults."),
        click.option("--operatorFileName", "operator_file", metavar="FILE", type=_PATH,
                     help="IstioOperator file whose hub, tag, values, components and meshConfig apply."),
        click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", callback=_check_sets,
                     help="Override a setting, istioctl-install style: values.*, meshConfig.*, hub, tag, "
                          "components.<name>.enabled. Repeatable."),
        click.option("-r", "--revision", default="", metavar="REV",
                     help="Control plane revision to inject for: pods get istio.io/rev: REV and, with the "
                          "embedded install, talk to istiod-REV (as --set values.revision=REV). "
                          "'default' is no revision. With --valuesFile (a revision's own export) only the label."),
        click.option("--native-sidecars/--no-native-sidecars", "native_sidecars", default=None,
                     help="Inject istio-proxy as a Kubernetes native sidecar (initContainers, restartPolicy: Always), "
                          "or as a classic one. Default: ENABLE_NATIVE_SIDECARS as Istio reads it: true, false, "
                          "or auto (the default), which means native only when --kube-version is 1.33 or later."),
        click.option("--rewrite-tcp-probes/--no-rewrite-tcp-probes", "rewrite_tcp_probes", default=None,
                     help="For --istio-version 1.12-1.18: point the app's TCP probes at pilot-agent as HTTP "
                          "ones are, or leave them alone. Default: REWRITE_TCP_PROBES as those releases read it "
                          "(true unless it parses as false). Earlier releases never rewrite TCP probes, later "
                          "ones always do."),
        click.option("--template-env", "template_env", multiple=True, metavar="NAME",
                     help="Let templates read environment variable NAME (Go templates' env and expandenv). "
                          "Repeatable. Any other variable reads as unset, with a warning naming it: "
                          "templates are data and see no more of the machine than you allow."),
        click.option("--template-limits", "template_limits", multiple=True, metavar="KEY=VALUE[,...]",
                     callback=_check_limits,
                     help="Bounds on each template render, past which it fails (exit 1) naming the template "
                          "and the bound: time=SECONDS (default 10), steps=N function calls and loop "
                          "iterations (default 1000000), output=SIZE of the output and of any value built "
                          "(default 16MiB; K/M/G, KiB/MiB/GiB, KB/MB/GB). 0 means no bound. "
                          "E.g. --template-limits time=60,steps=10000000."),
        click.option("--kube-version", "kube_version", metavar="X.Y", callback=_check_kube_version,
                     help="Kubernetes version of the cluster's nodes (e.g. 1.33), standing in for the nodes "
                          "Istio asks when ENABLE_NATIVE_SIDECARS is auto."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def release_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--istio-version`` of kube-inject (``pyinject iptables`` has its own, for istio-iptables)."""
    return click.option(
        "--istio-version", "istio_version", metavar="X.Y[.Z]",
        help="The Istio release (1.0-1.30) whose istioctl kube-inject to reproduce, for what lives in "
             "istioctl's code rather than in the config files; 1.0-1.8 read the legacy SidecarInjectionSpec "
             "templates (give the cluster's --injectConfigFile). Default: the release values' global.tag "
             "names (e.g. 1.5.10), else 1.30.",
    )(func)


def _check_limits(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    from pyinject.sandbox.limits import parse_limits

    try:
        return parse_limits(values)
    except ValueError as err:
        raise click.BadParameter(str(err), ctx, param) from None


__all__ = ["config_fields", "config_options", "inject_options", "inputs", "io_options", "kind_options",
           "release_option"]
