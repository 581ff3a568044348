"""A rendered container as the strategic merge patch it is: typed, with explicit zero values kept as deletions.

Istio merges each rendered template *as written* (a plain map from the YAML)
over the pod and only then decodes the result into a typed ``corev1.Pod``.
pyinject decodes the rendered containers first (:func:`pyinject.k8s.gojson.encode`:
canonical quantities, unknown fields dropped, ``omitempty`` zero values
dropped) and merges that.  Both give the same pod but for one case: a field the
template writes with its zero value (``initialDelaySeconds: 0``, ``image: ""``,
``args: []``) or as ``null`` replaces, in Istio's merge, a value already in the
pod (an already-injected pod's old sidecar, merged over on re-injection), and
the typed decode then drops it.  Dropping it from the patch instead would let
the old value survive.

So here such a field is kept as ``None``, which strategic merge reads as "delete
this key": the pod ends up without it, as Istio's does.  Where the field merges
rather than replaces (a map, a list with a merge key such as ``env``), an empty
value changes nothing and is left out, as before.  ``None`` values never reach
a pod the patch is copied into (:func:`pyinject.k8s.merge.merge_overlay` leaves
them out of what it adds).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.golang.encoding_json import JSONStruct
from pyinject.k8s import gojson
from pyinject.k8s.gojson import GoField
from pyinject.k8s.schema import definitions

#: The Kubernetes definitions gojson's struct names stand for.
_K8S_PREFIX = "io.k8s.api.core.v1."


def encode_patch(type_name: str, value: Any) -> dict[str, Any]:
    """``value`` decoded into Go struct ``type_name`` as :func:`gojson.encode` does, but
    fields that are given and decode to nothing are ``None`` where a merge would replace them."""
    out: dict[str, Any] = JSONStruct()
    source = value if (type(value) is dict or isinstance(value, Mapping)) else {}
    for field in gojson.STRUCTS[type_name]:
        if field.kind.startswith("inline "):
            out.update(encode_patch(field.kind[len("inline "):], source))
            continue
        written, encoded = encode_patch_field(type_name, field, source.get(field.name), field.name in source)
        if written:
            out[field.name] = encoded
    return out


def encode_patch_field(owner: str, field: GoField, raw: Any, given: bool = True) -> tuple[bool, Any]:
    """One field of :func:`encode_patch`: whether it is in the patch, and its value.

    ``given``: the rendered text has the key (a key it lacks never deletes anything).
    """
    written, encoded = gojson.encode_field(field, raw)
    if not written:
        return (True, None) if given and _replaces(owner, field) else (False, None)
    inner = _struct_of(field.kind)
    if inner is not None:
        if field.kind.startswith("[]"):
            if isinstance(raw, list):
                encoded = [encode_patch(inner, item) if isinstance(item, Mapping) else item for item in raw]
        elif isinstance(raw, Mapping):
            encoded = encode_patch(inner, raw)
    return True, encoded


def _struct_of(kind: str) -> str | None:
    """The struct a field holds (by value, by pointer or as list items), if any."""
    name = kind[2:] if kind.startswith("[]") else kind.lstrip("*")
    return name if name in gojson.STRUCTS else None


@functools.cache
def _replaces(owner: str, field: GoField) -> bool:
    """Whether strategic merge puts this field's patch value in place of the pod's.

    Scalars and pointers do; maps merge key by key; a list replaces unless its
    patch strategy is ``merge``.  A struct held by value is always written by the
    decode, so it never gets here.
    """
    if field.kind.startswith("map["):
        return False
    if field.kind.startswith("[]"):
        # Structs of Istio's own, or without lists in the schema, have no merge strategy.
        fields = (definitions().get(_K8S_PREFIX + owner) or {}).get("fields") or {}
        strategy = str((fields.get(field.name) or {}).get("patchStrategy", ""))
        return "merge" not in strategy.split(",")
    return True
