"""What a run changed in one pod template, as short phrases for the report (``-v``).

A pod is compared before and after the injection step: containers, init
containers, volumes and image pull secrets by name (Kubernetes' merge key for
them), annotations and labels by key, and any other field of the pod spec or
metadata as a whole.  ``+`` marks what was added, ``-`` removed, ``~`` changed.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Pod spec lists whose items are identified by ``name``.
NAMED_LISTS = (
    ("initContainers", "init containers"),
    ("containers", "containers"),
    ("volumes", "volumes"),
    ("imagePullSecrets", "image pull secrets"),
)
#: Metadata maps compared key by key.
METADATA_MAPS = (("annotations", "annotations"), ("labels", "labels"))
#: Signs, in the order their groups are listed.
SIGNS = ("+", "-", "~")


def same_data(a: Any, b: Any) -> bool:
    """Equal as YAML data: ``True`` is not ``1`` and ``1`` is not ``"1"``, unlike in Python."""
    kind = type(a)
    if kind is type(b):  # the plain types, without the ABC checks below
        if kind is dict:
            return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
        if kind is list:
            return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
        if kind is str:
            return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and bool(a == b)


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """One phrase per kind of change between two pods (``{"metadata": ..., "spec": ...}``).

    E.g. ``+ init containers: istio-init, istio-proxy`` or ``~ spec: securityContext``.
    """
    groups: dict[tuple[str, str], list[str]] = {}

    def note(sign: str, noun: str, name: str) -> None:
        groups.setdefault((sign, noun), []).append(name)

    old_spec, new_spec = _mapping(before.get("spec")), _mapping(after.get("spec"))
    for key, noun in NAMED_LISTS:
        for sign, name in _named_items(old_spec.get(key), new_spec.get(key)):
            note(sign, noun, name)
    old_meta, new_meta = _mapping(before.get("metadata")), _mapping(after.get("metadata"))
    for key, noun in METADATA_MAPS:
        for sign, name in _keys(_mapping(old_meta.get(key)), _mapping(new_meta.get(key))):
            note(sign, noun, name)
    skip_spec = {key for key, _ in NAMED_LISTS}
    for sign, name in _keys(old_spec, new_spec, skip_spec):
        note(sign, "spec", name)
    for sign, name in _keys(old_meta, new_meta, {key for key, _ in METADATA_MAPS}):
        note(sign, "metadata", name)
    order = [noun for _, noun in NAMED_LISTS] + [noun for _, noun in METADATA_MAPS] + ["spec", "metadata"]
    return tuple(
        f"{sign} {noun}: {', '.join(groups[(sign, noun)])}"
        for noun in order
        for sign in SIGNS
        if (sign, noun) in groups
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _keys(old: Mapping[str, Any], new: Mapping[str, Any], skip: set[str] | None = None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key in list(new) + [k for k in old if k not in new]:
        if skip and key in skip:
            continue
        if key not in new:
            out.append(("-", str(key)))
        elif key not in old:
            out.append(("+", str(key)))
        elif not same_data(old[key], new[key]):
            out.append(("~", str(key)))
    return out


def _named_items(old: Any, new: Any) -> list[tuple[str, str]]:
    return _keys(_by_name(old), _by_name(new))


def _by_name(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    named: dict[str, Any] = {}
    for position, item in enumerate(items):
        name = item.get("name") if isinstance(item, Mapping) else None
        named[str(name) if name is not None else f"#{position + 1}"] = item
    return named
