"""JSON in sprig: Go's encoding/json output (sorted keys, HTML escaping, float format) and decoding into Go values."""

import json
import math
import re
from typing import Any, Callable

from pyinject.golang.strconv import format_float, quote as go_quote
from pyinject.golang.values import MISSING, GoFuncError, GoObject, type_name


class _Unsupported(Exception):
    """json.Marshal's error: the value has no JSON form."""


# Characters encoding/json escapes. Go 1.19 writes \b and \f as \u0008 and
# \u000c (Go 1.22 shortened them); the template corpus pins 1.19's output.
_ESCAPE_HTML = re.compile("[\x00-\x1f\"\\\\<>&\u2028\u2029\ud800-\udfff]")
_ESCAPE_RAW = re.compile("[\x00-\x1f\"\\\\\u2028\u2029\ud800-\udfff]")
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(m: "re.Match[str]") -> str:
    c = m.group()
    short = _SHORT_ESCAPES.get(c)
    if short is not None:
        return short
    if "\ud800" <= c <= "\udfff":
        # A lone surrogate stands for invalid UTF-8, which Go replaces.
        return "\\ufffd"
    return f"\\u{ord(c):04x}"


def _json_string(s: str, escape_html: bool) -> str:
    pattern = _ESCAPE_HTML if escape_html else _ESCAPE_RAW
    return '"' + pattern.sub(_escape_char, s) + '"'


def _json_float(f: float) -> str:
    if math.isnan(f) or math.isinf(f):
        raise _Unsupported(f"json: unsupported value: {format_float(f, 'g', -1)}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = format_float(f, "e", -1)
        # encoding/json writes e-7 where strconv writes e-07.
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return format_float(f, "f", -1)


def _encode(v: Any, escape_html: bool, indent: str | None, depth: int, path: set[int]) -> str:
    if v is None or v is MISSING:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return _json_float(v)
    if isinstance(v, str):
        return _json_string(v, escape_html)
    if isinstance(v, (dict, list, tuple)):
        if id(v) in path:
            raise _Unsupported(f"json: unsupported value: encountered a cycle via {type_name(v)}")
        path.add(id(v))
        try:
            return _encode_container(v, escape_html, indent, depth, path)
        finally:
            path.discard(id(v))
    if isinstance(v, GoObject):
        # A Go value with its own JSON form (a MarshalJSON method) offers it
        # as go_json(); struct views without one cannot be encoded here.
        to_json = getattr(v, "go_json", None)
        if callable(to_json):
            return _encode(to_json(), escape_html, indent, depth, path)
    raise _Unsupported(f"json: unsupported type: {type_name(v)}")


def _encode_container(
    v: dict[str, Any] | list[Any] | tuple[Any, ...], escape_html: bool, indent: str | None, depth: int, path: set[int]
) -> str:
    if isinstance(v, dict):
        if not v:
            return "{}"
        parts = [
            _json_string(str(k), escape_html) + (": " if indent is not None else ":")
            + _encode(v[k], escape_html, indent, depth + 1, path)
            for k in sorted(v)
        ]
        open_, close_ = "{", "}"
    else:
        if not v:
            return "[]"
        parts = [_encode(x, escape_html, indent, depth + 1, path) for x in v]
        open_, close_ = "[", "]"
    if indent is None:
        return open_ + ",".join(parts) + close_
    inner = "\n" + indent * (depth + 1)
    return open_ + inner + ("," + inner).join(parts) + "\n" + indent * depth + close_


def marshal(v: Any, *, escape_html: bool = True, indent: str | None = None) -> str:
    """Go's json.Marshal (or MarshalIndent with prefix "") of a template value; GoFuncError if impossible."""
    try:
        return _encode(v, escape_html, indent, 0, set())
    except _Unsupported as err:
        raise GoFuncError(str(err)) from None


def must_to_json(v: Any) -> str:
    """mustToJson V: V as compact JSON (keys sorted; <, >, & escaped as \\u003c...); an error if V has no JSON form."""
    return marshal(v)


def must_to_pretty_json(v: Any) -> str:
    """mustToPrettyJson V: V as JSON indented by two spaces."""
    return marshal(v, indent="  ")


def must_to_raw_json(v: Any) -> str:
    """mustToRawJson V: V as compact JSON without HTML escaping."""
    return marshal(v, escape_html=False)


def to_json(v: Any) -> str:
    """toJson V: V as compact JSON; "" if V has no JSON form (NaN, functions)."""
    try:
        return marshal(v)
    except GoFuncError:
        return ""


def to_pretty_json(v: Any) -> str:
    """toPrettyJson V: V as JSON indented by two spaces; "" on failure."""
    try:
        return marshal(v, indent="  ")
    except GoFuncError:
        return ""


def to_raw_json(v: Any) -> str:
    """toRawJson V: V as compact JSON without HTML escaping; "" on failure."""
    try:
        return marshal(v, escape_html=False)
    except GoFuncError:
        return ""


# --------------------------------------------------------------------------
# Decoding


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _go_number(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise OverflowError(text)
    return value


def _fix_surrogates(v: Any) -> Any:
    # Go decodes an unpaired \ud800 escape as U+FFFD.
    if isinstance(v, str):
        return re.sub("[\ud800-\udfff]", "\ufffd", v)
    if isinstance(v, dict):
        return {_fix_surrogates(k): _fix_surrogates(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_fix_surrogates(x) for x in v]
    return v


def _quote_char(c: str) -> str:
    """encoding/json's quoteChar for error messages."""
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    return "'" + go_quote(c)[1:-1] + "'"


def _innermost_bracket(doc: str, pos: int) -> str:
    stack: list[str] = []
    in_string = escaped = False
    for c in doc[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            stack.append(c)
        elif c in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def _syntax_message(doc: str, err: json.JSONDecodeError) -> str:
    """Go's wording for the syntax error Python's decoder found."""
    pos = err.pos
    if pos >= len(doc) or err.msg.startswith("Unterminated string") or not doc[pos:].strip():
        return "unexpected end of JSON input"
    where = {
        "Expecting value": "looking for beginning of value",
        "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
        "Expecting ':' delimiter": "after object key",
        "Extra data": "after top-level value",
        "Invalid control character at": "in string literal",
        "Invalid \\escape": "in string escape code",
        "Invalid \\uXXXX escape": "in \\u hexadecimal character escape",
    }.get(err.msg)
    if err.msg == "Expecting ',' delimiter":
        inside = _innermost_bracket(doc, pos)
        where = "after object key:value pair" if inside == "{" else "after array element"
    if where is None:
        return err.msg
    char = doc[pos]
    if err.msg.startswith("Invalid \\"):
        char = doc[pos + 1] if pos + 1 < len(doc) else char
    return f"invalid character {_quote_char(char)} {where}"


def must_from_json(s: str) -> Any:
    """mustFromJson S: S decoded as JSON (numbers become float64); an error if S is not JSON."""
    try:
        value = json.loads(s, parse_int=_go_number, parse_float=_go_number, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise GoFuncError(_syntax_message(s, err)) from None
    except ValueError as err:
        # NaN and Infinity are not JSON to Go.
        raise GoFuncError(f"invalid character {_quote_char(str(err)[:1])} looking for beginning of value") from None
    except OverflowError as err:
        raise GoFuncError(f"json: cannot unmarshal number {err} into Go value of type float64") from None
    if "\\u" in s:
        value = _fix_surrogates(value)
    return value


def from_json(s: str) -> Any:
    """fromJson S: S decoded as JSON, or nil if S is not JSON."""
    try:
        return must_from_json(s)
    except GoFuncError:
        return None


JSON_FUNCS: dict[str, Callable[..., Any]] = {
    "fromJson": from_json,
    "toJson": to_json,
    "toPrettyJson": to_pretty_json,
    "toRawJson": to_raw_json,
    "mustFromJson": must_from_json,
    "mustToJson": must_to_json,
    "mustToPrettyJson": must_to_pretty_json,
    "mustToRawJson": must_to_raw_json,
}
