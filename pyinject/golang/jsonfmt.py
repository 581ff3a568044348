"""Go encoding/json text and durations (protobuf JSON and time.Duration), byte for byte.

Pure functions over JSON-like Python data; YAML is in ``goyaml`` and protobuf
JSON in ``protojson``.  Each one reproduces the byte output of the Go library
Istio calls, because that text ends up in pod specs (``PROXY_CONFIG``,
``ISTIO_META_POD_PORTS``, ``toYaml`` blocks) and goldens compare it verbatim.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Iterable, Mapping

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


def go_json_string(s: str) -> str:
    """A JSON string literal exactly as encoding/json writes it."""
    out = ['"']
    for ch in s:
        esc = _JSON_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_json_float(x: float) -> str:
    """encoding/json's float64 text: shortest digits, exponent only outside [1e-6, 1e21)."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"json: unsupported value: {x!r}")
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
    d = Decimal(repr(x))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def go_json(value: Any) -> str:
    """encoding/json.Marshal of JSON-like data, compact."""
    out: list[str] = []
    _json_into(value, out)
    return "".join(out)


def _json_into(v: Any, out: list[str]) -> None:
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


# --------------------------------------------------------------------------
# Durations: protobuf Duration strings and Go's time.Duration.String

_PROTO_DURATION = re.compile(r"^(-)?(\d+)(?:\.(\d{1,9}))?s$")
_GO_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9,
             "m": 60 * 10**9, "h": 3600 * 10**9}
_GO_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> tuple[int, int]:
    """A proto-JSON (``"1.5s"``) or Go (``"1m30s"``) duration as (seconds, nanos)."""
    m = _PROTO_DURATION.match(text)
    if m:
        secs = int(m.group(2))
        nanos = int((m.group(3) or "").ljust(9, "0") or 0)
        if m.group(1):
            return -secs, -nanos
        return secs, nanos
    body = text
    neg = body.startswith("-")
    if body[:1] in "+-":
        body = body[1:]
    if body == "0":
        return 0, 0
    total = Decimal(0)
    pos = 0
    while pos < len(body):
        part = _GO_DURATION_PART.match(body, pos)
        if not part:
            raise ValueError(f"invalid duration {text!r}")
        total += Decimal(part.group(1)) * _GO_UNITS[part.group(2)]
        pos = part.end()
    if not body:
        raise ValueError(f"invalid duration {text!r}")
    ns = int(total)
    if neg:
        ns = -ns
    secs = int(ns / 10**9)
    return secs, ns - secs * 10**9


def proto_duration_json(seconds: int, nanos: int) -> str:
    """protobuf JSON of a Duration: 0, 3, 6 or 9 fractional digits, then ``s``."""
    return format_proto_duration(seconds * 10**9 + nanos)


def format_proto_duration(total_nanos: int) -> str:
    """protobuf JSON of a Duration given in nanoseconds (``"1.500s"``, ``"-2s"``)."""
    sign = "-" if total_nanos < 0 else ""
    seconds, nanos = divmod(abs(total_nanos), 10**9)
    if nanos == 0:
        return f"{sign}{seconds}s"
    frac = f"{nanos:09d}"
    for cut in (3, 6):
        if frac[cut:] == "0" * (9 - cut):
            frac = frac[:cut]
            break
    return f"{sign}{seconds}.{frac}s"


def go_duration_string(nanoseconds: int) -> str:
    """Go's time.Duration.String(): ``1h2m3.5s``, ``1.5ms``, ``0s``."""
    if nanoseconds == 0:
        return "0s"
    neg = nanoseconds < 0
    u = abs(nanoseconds)
    sign = "-" if neg else ""
    if u < 10**9:
        # Sub-second durations pick the largest unit that keeps a whole part.
        for unit, scale in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if u >= scale:
                return sign + _frac(u, scale) + unit
    secs_part = u % (60 * 10**9)
    minutes = u // (60 * 10**9)
    text = _frac(secs_part, 10**9) + "s"
    if minutes:
        hours, minutes = divmod(minutes, 60)
        text = f"{minutes}m" + text
        if hours:
            text = f"{hours}h" + text
    return sign + text


def _frac(value: int, scale: int) -> str:
    whole, rest = divmod(value, scale)
    if rest == 0:
        return str(whole)
    width = len(str(scale)) - 1
    return f"{whole}." + f"{rest:0{width}d}".rstrip("0")
