"""Check a pod template's value shapes against the Kubernetes schema, once, before anything reads it.

Kubernetes decodes a manifest into typed structs and refuses what does not
fit: a label that is not a string, ``ports: [x]``, ``command: 5``.  pyinject
works on plain data, so without this check a misshapen field would reach the
templates and post-processing passes, which trust the types.  The check walks
only the fields the schema knows (unknown fields pass through, as they do in
pyinject's output), treats ``null`` as absent, and a null item in a list of objects is refused;
it reports the first problem with its path: ``spec.containers[0].ports[0] must be a mapping, not a string``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
else:  # typing is for mypy alone (start-up); at run time the aliases below name a stand-in
    Any = object

from pyinject.errors import describe_value, preview_value
from pyinject.k8s.schema import Shape, definition

#: Definitions of the two halves of a pod template.
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
POD_SPEC = "io.k8s.api.core.v1.PodSpec"

#: Longest preview of an offending value in a message.


def first_problem(value: Any, ref: str, path: str) -> str | None:
    """The first place where ``value`` does not fit definition ``ref``, as a sentence; None if it fits.

    Nearly every value fits: a quick walk says so (:func:`_fits`), and only
    when it cannot does the full walk below look for the problem and its place.
    """
    if value is None or _fits(value, _root_check(ref), 0):
        return None
    return _find_problem(value, ref, path)


def fits(value: Any, ref: str) -> bool:
    """Whether Go's decoder takes ``value`` as definition ``ref`` (see :func:`decode_problem`)."""
    return decode_problem(value, ref, "") is None


def field_fits(ref: str, key: Any, value: Any) -> bool:
    """:func:`fits` for field ``key`` of definition ``ref`` (a field it does not have takes anything).

    For a caller that decodes an object field by field.
    """
    if value is None or type(key) is not str:
        return True
    check = _root_check(ref).field_checks().get(key)
    if check is None or type(value) in check.fits or _fits(value, check, 1):
        return True
    return _find_problem({key: value}, ref, "", lenient=True) is None


def decode_problem(value: Any, ref: str, path: str) -> str | None:
    """:func:`first_problem` as Go's decoder sees JSON made from YAML, which is more lenient in two ways.

    Keys of any scalar type are taken (written as strings), and a null list item
    is the item type's zero value.  So this is what a value rendered for Istio,
    which decodes it, must satisfy, where a user's manifest must satisfy
    :func:`first_problem`.
    """
    if value is None or _fits(value, _root_check(ref), 0):
        return None
    return _find_problem(value, ref, path, lenient=True)


def _find_problem(value: Any, ref: str, path: str, *, lenient: bool = False) -> str | None:
    """The first place where ``value`` does not fit definition ``ref``, as a sentence; None if it fits.

    ``lenient``: as :func:`decode_problem` reads it.

    Iterative, so a deeply nested value costs no Python recursion.  Where each
    node sits is kept as a link to its parent's place and spelled out only for
    the message: most values fit.
    """
    root: _Where = (path,)
    stack: list[tuple[Any, Shape, _Where, bool]] = [(value, _root_shape(ref), root, True)]
    while stack:
        node, shape, where, may_be_null = stack.pop()
        kind = _kind(shape)
        if node is None:
            if may_be_null:
                continue
            # A field set to null is absent; a null list item is an item nothing can use.
            return _wrong(_spell(where), _NEEDS.get(kind, "a mapping"), node)
        if kind == "object":
            if not isinstance(node, dict):
                return _wrong(_spell(where), "a mapping", node)
            ref_name = shape.get("ref")
            fields: Mapping[str, Shape] = _fields(ref_name) if ref_name else _EMPTY
            for key, child in node.items():
                if not isinstance(key, str):
                    if lenient:
                        continue  # a field Go does not know, whatever it is
                    return f"{_spell(where)}: key {preview_value(key)} must be a string"
                field = fields.get(key)
                if field is not None and not (child is None or (type(child) is str and _kind(field) in _TAKE_STR)):
                    stack.append((child, field, (where, ".", key), True))
        elif kind == "map":
            if not isinstance(node, dict):
                return _wrong(_spell(where), "a mapping", node)
            values: Shape = shape.get("values") or _EMPTY
            takes_str = _kind(values) in _TAKE_STR
            for key, child in node.items():
                if not isinstance(key, str) and not lenient:
                    return f"{_spell(where)}: key {preview_value(key)} must be a string"
                if not (child is None or (takes_str and type(child) is str)):
                    stack.append((child, values, (where, "[]", key), True))
        elif kind == "array":
            if not isinstance(node, list):
                return _wrong(_spell(where), "a list", node)
            items: Shape = shape.get("items") or _EMPTY
            # A null item of a list of objects would decode to an empty object that no
            # later stage (nor the API server's validation) accepts: refuse it here.
            if not lenient and _kind(items) == "object" and None in node:
                return _wrong(f"{_spell(where)}[{node.index(None)}]", "a mapping", None)
            # Reversed, so the first bad item is the one reported.
            for i in range(len(node) - 1, -1, -1):
                stack.append((node[i], items, (where, "#", i), lenient))
        else:
            problem = _scalar_problem(kind, node)
            if problem is not None:
                return _wrong(_spell(where), problem, node)
    return None


#: Where a node sits: ``(path,)`` at the top, else (its parent's place, how it is reached, the key or index).
_Where = tuple[Any, ...]


def _spell(where: _Where) -> str:
    """A place as messages write it: ``spec.containers[0].env``, ``metadata.labels["app"]``."""
    steps: list[tuple[str, Any]] = []
    while len(where) == 3:
        where, how, key = where
        steps.append((how, key))
    text = str(where[0])
    for how, key in reversed(steps):
        if how == ".":
            text = f"{text}.{key}" if text else str(key)
        elif how == "[]":
            text = f"{text}[{preview_value(key)}]"
        else:
            text = f"{text}[{key}]"
    return text


#: What a value of each kind must be, in messages.
_NEEDS = {
    "object": "a mapping", "map": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
    "number": "a number", "boolean": "a boolean", "int-or-string": "an integer or a string", "quantity": "a quantity",
}


#: Kinds a plain string always fits: such a field holding one needs no visit.
_TAKE_STR = frozenset({"string", "int-or-string", "quantity"})

#: The shape of anything (a field the schema says nothing about); never changed.
_EMPTY: Shape = {}


@functools.cache
def _root_shape(ref: str) -> Shape:
    """The shape of a value of definition ``ref`` (one object per definition, so its kind is kept)."""
    return {"type": "object", "ref": ref}


@functools.cache
def _fields(ref: str) -> Mapping[str, Shape]:
    """The fields of definition ``ref``."""
    fields: Mapping[str, Shape] = definition(ref).get("fields") or _EMPTY
    return fields


#: Each shape's kind by the shape's id; the shape is kept with it, so the id is never reused.
#: Shapes are the schema's own objects (loaded once, never changed), _EMPTY and the root shapes.
_KINDS: dict[int, tuple[Shape, str]] = {}


def _kind(shape: Shape) -> str:
    """The shape's type, looking through references to scalar definitions (Quantity, Time...)."""
    known = _KINDS.get(id(shape))
    if known is not None and known[0] is shape:
        return known[1]
    kind = str(shape.get("type") or "")
    ref = shape.get("ref")
    if ref and kind != "array" and kind != "map":
        kind = str(definition(ref).get("type") or "object")
    _KINDS[id(shape)] = (shape, kind)
    return kind


class _Check:
    """A shape compiled for the quick walk: what a value must be, with its inner checks at hand."""

    __slots__ = ("code", "kind", "fits", "inner", "ref", "fields")

    def __init__(self, shape: Shape) -> None:
        kind = _kind(shape)
        self.kind = kind
        #: Exact types that fit as they stand, with nothing inside to check.
        self.fits: frozenset[type] = _FITS.get(kind, frozenset())
        self.code = _CODES.get(kind, _SCALAR)
        self.inner: _Check | None = None
        if self.code == _MAP:
            self.inner = _check(shape.get("values") or _EMPTY)
        elif self.code == _ARRAY:
            self.inner = _check(shape.get("items") or _EMPTY)
        self.ref: str | None = shape.get("ref") if self.code == _OBJECT else None
        #: An object's checks by field name, compiled on first use (definitions may refer to themselves).
        self.fields: dict[str, _Check] | None = None

    def field_checks(self) -> dict[str, _Check]:
        if self.fields is None:
            self.fields = {key: _check(field) for key, field in (_fields(self.ref) if self.ref else _EMPTY).items()}
        return self.fields


_OBJECT, _MAP, _ARRAY, _SCALAR = range(4)
_CODES = {"object": _OBJECT, "map": _MAP, "array": _ARRAY}
#: For each scalar kind, the exact types that always fit it (others go through _scalar_problem).
_FITS: dict[str, frozenset[type]] = {
    "string": frozenset({str}), "boolean": frozenset({bool}), "integer": frozenset({int}), "number": frozenset({int}),
    "int-or-string": frozenset({str, int}), "quantity": frozenset({str, int}),
}
#: Compiled checks by the shape's id; the shape is kept with its check, so the id is never reused.
_CHECKS: dict[int, tuple[Shape, _Check]] = {}
#: Below this depth the quick walk hands over to the iterative one (no deep Python recursion).
_QUICK_DEPTH = 64


def _check(shape: Shape) -> _Check:
    known = _CHECKS.get(id(shape))
    if known is not None and known[0] is shape:
        return known[1]
    check = _Check(shape)
    _CHECKS[id(shape)] = (shape, check)
    return check


def _root_check(ref: str) -> _Check:
    return _check(_root_shape(ref))


def _fits(node: Any, check: _Check, depth: int) -> bool:
    """True only if ``node`` (not None) fits ``check``, exactly as :func:`_find_problem` would find.

    False when it does not, or when unsure (a subclass, a key that is not a
    plain string, a null list item, great depth): the full walk decides.
    """
    code = check.code
    if code == _OBJECT:
        if type(node) is not dict or depth > _QUICK_DEPTH:
            return False
        fields = check.fields if check.fields is not None else check.field_checks()
        for key, child in node.items():
            field = fields.get(key)
            if field is None:
                if type(key) is not str:
                    return False
            elif child is not None and type(child) not in field.fits and not _fits(child, field, depth + 1):
                return False
        return True
    if code == _MAP or code == _ARRAY:
        if type(node) is not (dict if code == _MAP else list) or depth > _QUICK_DEPTH:
            return False
        children: Any = node
        if type(node) is dict:  # a map
            for key in node:
                if type(key) is not str:
                    return False
            children = node.values()
        inner = check.inner
        assert inner is not None
        fits = inner.fits
        for child in children:
            if type(child) in fits:
                continue
            if child is None:
                if code == _ARRAY:
                    return False  # a null list item: refused, in words the full walk finds
                continue  # a null map value is absent
            if not _fits(child, inner, depth + 1):
                return False
        return True
    return _scalar_problem(check.kind, node) is None


def _scalar_problem(kind: str, node: Any) -> str | None:
    """What a scalar field of type ``kind`` needs, when ``node`` is not that; None when it fits."""
    if isinstance(node, (dict, list)):
        return {"integer": "an integer", "number": "a number", "boolean": "a boolean"}.get(kind, "a string")
    if kind == "string":
        return None if isinstance(node, str) else "a string"
    if kind == "boolean":
        return None if isinstance(node, bool) else "a boolean (true or false)"
    if kind == "integer":
        return None if isinstance(node, int) and not isinstance(node, bool) else "an integer"
    if kind == "number":
        return None if _finite(node) else "a finite number"
    if kind == "int-or-string":
        ok = isinstance(node, str) or (isinstance(node, int) and not isinstance(node, bool))
        return None if ok else "an integer or a string"
    if kind == "quantity":
        return None if isinstance(node, str) or _finite(node) else "a quantity (a number or a string such as 100m)"
    return None  # a type this check does not know: leave it to the later stages


def _finite(node: Any) -> bool:
    """Whether ``node`` is a finite number (an integer always is, however long: no float conversion)."""
    if isinstance(node, bool):
        return False
    return isinstance(node, int) or (isinstance(node, float) and math.isfinite(node))


def _wrong(where: str, wanted: str, node: Any) -> str:
    return f"{where or 'the value'} must be {wanted}, not {describe_value(node)}"
