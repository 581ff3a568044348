"""JSON Schemas (Draft 2020-12) for injector values and mesh config, and the check that uses them.

The schemas describe the keys the injection templates read and the types Istio's
protobuf decoding would insist on.  Free-form maps (annotations, proxyMetadata,
env, ...) accept any key.  Objects that list every key Istio accepts are closed
(``additionalProperties: false``); whether an unknown key there is an error is
the caller's choice (``strict``), because istioctl itself ignores unknown keys
in a values or mesh *file* but ``istioctl install`` rejects them in ``--set``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.config.schemas.validator import iter_errors, supported
from pyinject.errors import describe_value
from pyinject.records import dataclass

#: Schema file per name; the registry of what can be checked.
SCHEMA_FILES = {
    "values": "values.schema.json",
    "mesh": "mesh.schema.json",
}


@dataclass(frozen=True)
class Problem:
    """One schema violation: where (key path) and what, in a sentence."""

    path: tuple[str | int, ...]
    message: str
    #: True when the problem is an unknown key (the only kind ``strict`` controls).
    unknown_key: bool = False


def schema(name: str) -> dict[str, Any]:
    """The parsed schema called ``name`` (see SCHEMA_FILES)."""
    return dict(_load(name))


@lru_cache(maxsize=None)
def _load(name: str) -> dict[str, Any]:
    with open(os.path.join(os.path.dirname(__file__), SCHEMA_FILES[name]), encoding="utf-8") as handle:
        text = handle.read()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _errors(name: str, sub: str | None, data: Any) -> Iterator[Any]:
    """The schema errors of ``data``: checked by :mod:`.validator`, or by jsonschema for a keyword it lacks."""
    root = _load(name)
    target: dict[str, Any] = root if sub is None else {"$ref": f"#/$defs/{sub}", "$defs": root["$defs"]}
    if supported(root):
        return iter_errors(root, target, data)
    # jsonschema costs more to import than a whole injection; only a schema that needs it pays.
    import jsonschema

    return jsonschema.Draft202012Validator(target).iter_errors(data)


def check(data: Any, name: str, *, strict: bool, definition: str | None = None) -> list[Problem]:
    """Check ``data`` against schema ``name`` (or its ``$defs`` entry ``definition``).

    Unknown keys are reported only when ``strict``.  Problems come sorted by path.
    """
    problems: list[Problem] = []
    for error in _errors(name, definition, data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            if not strict:
                continue
            known = sorted(error.schema.get("properties", {}))
            for key in sorted(k for k in error.instance if k not in known):
                problems.append(Problem(path + (key,), _unknown_key(key, known), unknown_key=True))
            continue
        problems.append(Problem(path, _describe(error)))
    problems.sort(key=lambda p: [str(part) for part in p.path])
    return problems


def types_at(name: str, path: tuple[str | int, ...]) -> frozenset[str]:
    """The JSON types schema ``name`` allows at ``path`` (empty when it does not say)."""
    root = _load(name)
    node: Any = root
    for part in path:
        node = _deref(root, node)
        if isinstance(part, int):
            node = node.get("items")
        else:
            props = node.get("properties") or {}
            node = props.get(part, node.get("additionalProperties"))
        if not isinstance(node, dict):
            return frozenset()
    node = _deref(root, node)
    kinds = node.get("type", ())
    return frozenset([kinds] if isinstance(kinds, str) else kinds)


def _deref(root: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _unknown_key(key: str, known: list[str]) -> str:
    import difflib  # a suggestion for a mistake only: not loaded at start-up

    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f'unknown key "{key}" (did you mean "{close[0]}"?)'
    return f'unknown key "{key}"'


_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true/false)",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _describe(error: Any) -> str:
    kind = error.validator
    value = error.instance
    if kind == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted if w != "null")
        return f"expected {words}, got {describe_value(value)}"
    if kind == "enum":
        allowed = ", ".join(json.dumps(v) for v in error.validator_value)
        return f"{json.dumps(value, default=str)} is not one of {allowed}"
    if kind == "minimum":
        return f"{value} is below the minimum {error.validator_value}"
    if kind == "maximum":
        return f"{value} is above the maximum {error.validator_value}"
    if kind == "pattern":
        return f"{json.dumps(value)} is not a duration such as 5s, 1m30s or 500ms"
    if kind == "required":
        return str(error.message)
    return str(error.message)
