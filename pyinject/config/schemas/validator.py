"""The part of JSON Schema (Draft 2020-12) that pyinject's schemas use, checked without ``jsonschema``.

Loading ``jsonschema`` (with ``referencing``, ``attrs`` and ``rpds``) costs more
than a whole injection, and the schemas here use only ``type``, ``enum``,
``properties``, ``additionalProperties``, ``required``, ``items``, ``minimum``,
``maximum``, ``pattern`` and local ``$ref``.  :func:`iter_errors` reports what
``jsonschema.Draft202012Validator(schema).iter_errors(instance)`` reports for
them, in the same order, with the attributes the caller reads; a schema using
any other keyword is refused (:class:`UnsupportedSchema`), so the caller can
fall back to ``jsonschema``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Keywords that only describe (no check), and those checked here.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs", "$comment", "default", "examples"})
_CHECKED = frozenset({"type", "enum", "properties", "additionalProperties", "required", "items", "minimum",
                      "maximum", "pattern", "$ref"})


class UnsupportedSchema(Exception):
    """The schema uses a keyword this module does not check."""


class SchemaError:
    """One failed keyword: the attributes of ``jsonschema.ValidationError`` that pyinject reads."""

    __slots__ = ("validator", "validator_value", "instance", "schema", "absolute_path", "message")

    def __init__(self, validator: str, validator_value: Any, instance: Any, schema: Any,
                 path: tuple[str | int, ...], message: str) -> None:
        self.validator = validator
        self.validator_value = validator_value
        self.instance = instance
        self.schema = schema
        self.absolute_path = path
        self.message = message


def supported(schema: Any) -> bool:
    """Whether every keyword of ``schema`` (and of the schemas in it) is one checked here."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key == "$defs":
            if not all(supported(sub) for sub in value.values()):
                return False
        elif key in ("properties",):
            if not all(supported(sub) for sub in value.values()):
                return False
        elif key in ("additionalProperties", "items"):
            if not supported(value):
                return False
        elif key == "$ref":
            if not (isinstance(value, str) and value.startswith("#/$defs/")):
                return False
        elif key not in _CHECKED and key not in _ANNOTATIONS:
            return False
    return True


def iter_errors(root: dict[str, Any], schema: Any, instance: Any) -> Iterator[SchemaError]:
    """The errors of ``instance`` against ``schema`` (``$ref`` resolved in ``root``'s ``$defs``)."""
    if not supported(root) or not supported(schema):
        raise UnsupportedSchema
    yield from _errors(root, schema, instance, ())


def _is_type(instance: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "string":
        return isinstance(instance, str)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if kind == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if kind == "number":
        return isinstance(instance, (int, float))
    raise UnsupportedSchema(kind)


def _equal(one: Any, two: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, containers compare item by item."""
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, bool) != isinstance(two, bool):
        return False
    return bool(one == two)


def _errors(root: dict[str, Any], schema: Any, instance: Any, path: tuple[str | int, ...]) -> Iterator[SchemaError]:
    if schema is True:
        return
    if schema is False:
        yield SchemaError("false", False, instance, schema, path, f"False schema does not allow {instance!r}")
        return
    for key, value in schema.items():
        if key == "$ref":
            yield from _errors(root, root["$defs"][value.rsplit("/", 1)[-1]], instance, path)
        elif key == "type":
            kinds = [value] if isinstance(value, str) else value
            if not any(_is_type(instance, kind) for kind in kinds):
                yield SchemaError("type", value, instance, schema, path, f"{instance!r} is not of type "
                                  + ", ".join(repr(kind) for kind in kinds))
        elif key == "enum":
            if not any(_equal(instance, allowed) for allowed in value):
                yield SchemaError("enum", value, instance, schema, path, f"{instance!r} is not one of {value!r}")
        elif key == "properties":
            if isinstance(instance, dict):
                for name, sub in value.items():
                    if name in instance:
                        yield from _errors(root, sub, instance[name], path + (name,))
        elif key == "additionalProperties":
            if isinstance(instance, dict):
                extras = [k for k in instance if k not in schema.get("properties", {})]
                if value is False:
                    if extras:
                        listed = ", ".join(repr(k) for k in sorted(extras, key=str))
                        verb = "was" if len(extras) == 1 else "were"
                        yield SchemaError("additionalProperties", value, instance, schema, path,
                                          f"Additional properties are not allowed ({listed} {verb} unexpected)")
                else:
                    for name in extras:
                        yield from _errors(root, value, instance[name], path + (name,))
        elif key == "required":
            if isinstance(instance, dict):
                for name in value:
                    if name not in instance:
                        yield SchemaError("required", value, instance, schema, path,
                                          f"{name!r} is a required property")
        elif key == "items":
            if isinstance(instance, list):
                for index, item in enumerate(instance):
                    yield from _errors(root, value, item, path + (index,))
        elif key in ("minimum", "maximum"):
            if _is_type(instance, "number"):
                if instance < value if key == "minimum" else instance > value:
                    word = "less" if key == "minimum" else "greater"
                    yield SchemaError(key, value, instance, schema, path,
                                      f"{instance!r} is {word} than the {key} of {value!r}")
        elif key == "pattern":
            if isinstance(instance, str) and not re.search(value, instance):
                yield SchemaError("pattern", value, instance, schema, path, f"{instance!r} does not match {value!r}")
