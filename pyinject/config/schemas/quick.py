"""Say cheaply that data certainly meets a schema, so jsonschema runs only where a problem may be.

jsonschema costs more to import than injecting a hundred pods, and most runs
check only data that is valid (a values file exported from a cluster, a pod's
``proxy.istio.io/config``).  :func:`surely_valid` walks the data along the
keywords the schemas use (``type``, ``enum``, ``properties``,
``additionalProperties``, ``items``, ``required``, ``minimum``, ``maximum``,
``pattern``, ``$ref``) with Draft 2020-12's meaning, and answers True only
when no keyword can fail.  Anything it is not sure of (an unknown keyword, a
value of another Python type, a keyword that fails) answers False, and the
caller asks jsonschema, which words the problems: so the result of a check is
the same either way.
"""

from __future__ import annotations

import re
from typing import Any

#: Keywords that only describe; they never fail.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"})
#: The Python types plain YAML or JSON data is made of.
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def surely_valid(root: dict[str, Any], data: Any, *, strict: bool, definition: str | None = None) -> bool:
    """True when ``data`` certainly meets schema ``root`` (or its ``$defs`` entry ``definition``).

    With ``strict`` False a key that ``additionalProperties: false`` refuses is no
    problem (the caller does not report unknown keys then).
    """
    node = root if definition is None else root["$defs"][definition]
    return _valid(root, node, data, strict)


def _valid(root: dict[str, Any], node: Any, value: Any, strict: bool) -> bool:
    if not isinstance(node, dict):
        return False  # a boolean schema or something else: let jsonschema decide
    kind = type(value)
    if kind not in _PLAIN or (kind is dict and not all(type(key) is str for key in value)):
        return False
    for keyword, wanted in node.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "type":
            names = [wanted] if isinstance(wanted, str) else wanted
            # Exact types: bool is no integer, and a float is not judged an integer here.
            if not any(kind in _TYPES.get(name, ()) for name in names):
                return False
        elif keyword == "enum":
            if not any(type(choice) is kind and choice == value for choice in wanted):
                return False
        elif keyword == "$ref":
            if not (isinstance(wanted, str) and wanted.startswith("#/$defs/")):
                return False
            target = root.get("$defs", {}).get(wanted[len("#/$defs/"):])
            if target is None or not _valid(root, target, value, strict):
                return False
        elif keyword == "properties":
            if kind is dict and not all(
                _valid(root, wanted[key], item, strict) for key, item in value.items() if key in wanted
            ):
                return False
        elif keyword == "additionalProperties":
            if kind is dict and not _additional(root, node, wanted, value, strict):
                return False
        elif keyword == "items":
            if kind is list and not all(_valid(root, wanted, item, strict) for item in value):
                return False
        elif keyword == "required":
            if kind is dict and not all(key in value for key in wanted):
                return False
        elif keyword == "minimum" or keyword == "maximum":
            if kind is int or kind is float:
                if not (value >= wanted if keyword == "minimum" else value <= wanted):
                    return False
        elif keyword == "pattern":
            if kind is str and re.search(wanted, value) is None:
                return False
        else:
            return False
    return True


def _additional(root: dict[str, Any], node: dict[str, Any], wanted: Any, value: dict[Any, Any], strict: bool) -> bool:
    if "patternProperties" in node:
        return False
    known = node.get("properties") or {}
    extra = [item for key, item in value.items() if key not in known]
    if wanted is False:
        return not (extra and strict)
    return all(_valid(root, wanted, item, strict) for item in extra)
