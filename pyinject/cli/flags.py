"""Flag values to :class:`Options`, and argv fix-ups: shared by the click commands and the fast path.

Click-free (click is loaded only to raise its usage error), so ``cli/fast.py`` can use it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.model import Options


def inputs(flags: dict[str, Any]) -> tuple[str, ...]:
    """-f values, then trailing PATH arguments: at least one is needed."""
    paths = tuple(flags["filenames"]) + tuple(flags["paths"])
    if not paths:
        import click

        raise click.UsageError("no manifests named: give -f FILE, -f DIR or -f - (stdin)")
    return paths


def inject_options(flags: dict[str, Any]) -> Options:
    """The :class:`Options` of a command that took :func:`io_options` (or :func:`input_options`)
    and :func:`config_options`."""
    return Options(filenames=inputs(flags), output=flags.get("output"), output_format=flags.get("output_format", "yaml"),
                   **config_fields(flags))


def config_fields(flags: dict[str, Any]) -> dict[str, Any]:
    """The :class:`Options` fields that :func:`config_options` and :func:`kind_options` set.

    Flags a caller did not take (the KRM function's ConfigMap names only some) keep their defaults.
    """
    limits = flags.get("template_limits")
    return dict(
        inject_config_file=flags["inject_config_file"],
        values_file=flags["values_file"],
        mesh_config_file=flags["mesh_config_file"],
        operator_file=flags["operator_file"],
        sets=tuple(flags["sets"]),
        revision=flags["revision"],
        native_sidecars=flags["native_sidecars"],
        rewrite_tcp_probes=flags.get("rewrite_tcp_probes"),
        istio_version=flags.get("istio_version"),
        template_env=tuple(flags.get("template_env") or ()),
        kube_version=flags.get("kube_version"),
        pod_templates=tuple(flags.get("pod_templates") or ()),
        known_kinds=bool(flags.get("known_kinds")),
        **({} if limits is None else {"template_limits": limits}),
    )


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
