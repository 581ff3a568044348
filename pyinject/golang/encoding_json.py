"""Go's encoding/json text, byte for byte: string escaping, float64 digits, map key order.

Pure functions over JSON-like Python data; YAML is in ``goyaml`` and protobuf
JSON in ``protojson``.  Each one reproduces the byte output of the Go library
Istio calls, because that text ends up in pod specs (``PROXY_CONFIG``,
``ISTIO_META_POD_PORTS``, ``toYaml`` blocks) and goldens compare it verbatim.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable

# --------------------------------------------------------------------------
# Go encoding/json


class JSONStruct(dict):  # type: ignore[type-arg]
    """A Go struct on its way to JSON: keys stay in field order.

    Plain dicts are Go maps, whose keys encoding/json sorts.
    """


_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    # encoding/json escapes HTML-significant characters so output can be
    # embedded in <script>; Istio never turns that off.
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


#: Every character encoding/json escapes, with its escape: ``str.translate``
#: rewrites a whole string in one pass.
_JSON_TRANSLATION = {
    **{code: f"\\u{code:04x}" for code in range(0x20)},
    **{ord(ch): esc for ch, esc in _JSON_ESCAPES.items()},
}


_JSON_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(chr(code) for code in _JSON_TRANSLATION)) + "]")


def go_json_string(s: str) -> str:
    """A JSON string literal exactly as encoding/json writes it."""
    if _JSON_NEEDS_ESCAPE.search(s) is None:
        return '"' + s + '"'
    return '"' + s.translate(_JSON_TRANSLATION) + '"'


class UnsupportedValue(ValueError):
    """A value encoding/json refuses to write (NaN, infinities)."""


def go_json_float(x: float) -> str:
    """encoding/json's float64 text: shortest digits, exponent only outside [1e-6, 1e21)."""
    if math.isnan(x) or math.isinf(x):
        raise UnsupportedValue(f"json: unsupported value: {x!r}")
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    a = abs(x)
    if a < 1e-6 or a >= 1e21:
        text = repr(x)
        if "e" not in text:
            text = f"{x:e}"
        mant, _, exp = text.partition("e")
        if mant.endswith(".0"):
            mant = mant[:-2]
        sign = "-" if exp.startswith("-") else "+"
        digits = exp.lstrip("+-").lstrip("0") or "0"
        # Go writes e-07 as e-7 but keeps at least one digit.
        return f"{mant}e{sign}{digits}"
    from decimal import Decimal  # floats are rare in manifests: not loaded at start-up

    text = format(Decimal(repr(x)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def go_json(value: Any) -> str:
    """encoding/json.Marshal of JSON-like data, compact.

    A ``dict`` is a Go map, whose keys encoding/json sorts; a ``JSONStruct`` is a
    struct, written in field order.
    """
    out: list[str] = []
    _json_into(value, out)
    return "".join(out)


def _json_into(v: Any, out: list[str]) -> None:
    # The plain types first, by exact type (no isinstance chain); the rest below.
    exact = type(v)
    if exact is str:
        out.append(go_json_string(v))
        return
    if exact is dict or exact is JSONStruct:
        out.append("{")
        first = True
        for k in (v.keys() if exact is JSONStruct else sorted(v.keys(), key=str)):
            if first:
                first = False
            else:
                out.append(",")
            out.append(go_json_string(str(k)))
            out.append(":")
            _json_into(v[k], out)
        out.append("}")
        return
    if exact is list:
        out.append("[")
        first = True
        for item in v:
            if first:
                first = False
            else:
                out.append(",")
            _json_into(item, out)
        out.append("]")
        return
    if exact is int:
        out.append(str(v))
        return
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(go_json_string(v))
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(go_json_float(v))
    elif isinstance(v, Mapping):
        keys: Iterable[Any] = v.keys() if isinstance(v, JSONStruct) else sorted(v.keys(), key=str)
        out.append("{")
        first = True
        for k in keys:
            if not first:
                out.append(",")
            first = False
            out.append(go_json_string(str(k)))
            out.append(":")
            _json_into(v[k], out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _json_into(item, out)
        out.append("]")
    else:
        raise TypeError(f"json: unsupported type: {type(v).__name__}")
