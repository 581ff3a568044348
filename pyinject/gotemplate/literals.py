"""Literal values, as Go's parser reads them: strconv.Unquote and UnquoteChar,
ParseInt/ParseUint/ParseFloat, and newNumber's record of every type a number fits."""

from __future__ import annotations

import math
import re

from pyinject.golang.strconv import quote, underscore_ok
from pyinject.gotemplate.lexer import T
from pyinject.gotemplate.nodes import NumberNode


_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", "'": "'", '"': '"',
}


def _unquote_char(s: str, i: int, quote: str) -> tuple[str, int]:
    """strconv.UnquoteChar at s[i]: one character or escape; returns (char, next index)."""
    c = s[i]
    if c == quote and quote in "'\"":
        raise ValueError("invalid syntax")
    if c != "\\":
        return c, i + 1
    if i + 1 >= len(s):
        raise ValueError("invalid syntax")
    c = s[i + 1]
    i += 2
    if c in _SIMPLE_ESCAPES:
        if (c == "'" or c == '"') and c != quote:
            raise ValueError("invalid syntax")
        return _SIMPLE_ESCAPES[c], i
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[i : i + n]
        if len(digits) < n or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise ValueError("invalid syntax")
        code = int(digits, 16)
        if c == "x":
            # A \x escape is a single byte; bytes >= 0x80 cannot be kept in a str.
            if code >= 0x80:
                return chr(0xDC00 + code), i + n
            return chr(code), i + n
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise ValueError("invalid syntax")
        return chr(code), i + n
    if "0" <= c <= "7":
        digits = s[i - 1 : i + 2]
        if len(digits) < 3 or not all("0" <= d <= "7" for d in digits):
            raise ValueError("invalid syntax")
        code = int(digits, 8)
        if code > 255:
            raise ValueError("invalid syntax")
        if code >= 0x80:
            return chr(0xDC00 + code), i + 2
        return chr(code), i + 2
    raise ValueError("invalid syntax")


def unquote(s: str) -> str:
    """strconv.Unquote for "..." and `...` literals."""
    if len(s) < 2 or s[0] != s[-1]:
        raise ValueError("invalid syntax")
    q = s[0]
    body = s[1:-1]
    if q == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        # Go discards carriage returns from raw strings.
        return body.replace("\r", "")
    if q != '"':
        raise ValueError("invalid syntax")
    if "\\" not in body and '"' not in body and "\n" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        if body[i] == "\n":
            raise ValueError("invalid syntax")
        ch, i = _unquote_char(body, i, q)
        out.append(ch)
    return _fix_bytes("".join(out))


def _fix_bytes(s: str) -> str:
    """Decode runs of \\x / octal byte escapes (kept as U+DC80..U+DCFF) as UTF-8."""
    if not any("\udc80" <= c <= "\udcff" for c in s):
        return s
    raw = s.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "surrogateescape")


#: The digits of each base: an integer literal's body is one or more of them.
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def parse_int_base0(text: str) -> int | None:
    """The value of a Go integer literal (sign allowed), or None; no range check."""
    s = text
    neg = False
    if s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    if not s:
        return None
    base = 10
    if s[0] == "0" and len(s) > 1:
        p = s[1]
        if p in "xX":
            base, s = 16, s[2:]
        elif p in "oO":
            base, s = 8, s[2:]
        elif p in "bB":
            base, s = 2, s[2:]
        else:
            base, s = 8, s[1:]
    if "_" in text:
        if not underscore_ok(text):
            return None
        s = s.replace("_", "")
    if not s or s.strip(_DIGITS[base]):
        return None
    v = int(s, base)
    return -v if neg else v


# Compiled when a template first has a float literal (``re`` keeps them), not at start-up.
_DEC_FLOAT = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_HEX_FLOAT = r"([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))[pP]([+-]?[0-9]+)"


def parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64) for template literals; None when invalid or out of range."""
    s = text
    if "_" in s:
        if not underscore_ok(s):
            return None
        s = s.replace("_", "")
    if re.fullmatch(_DEC_FLOAT, s):
        f = float(s)
    else:
        m = re.fullmatch(_HEX_FLOAT, s)
        if not m:
            return None
        sign, mant, exp = m.groups()
        if "." in mant:
            whole, frac = mant.split(".")
        else:
            whole, frac = mant, ""
        digits = int((whole + frac) or "0", 16)
        try:
            f = math.ldexp(float(digits), int(exp) - 4 * len(frac))
        except OverflowError:
            return None
        if sign == "-":
            f = -f
    if math.isinf(f):
        return None
    return f


_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


def new_number(pos: int, text: str, typ: T) -> NumberNode:
    """A NumberNode recording every Go type the constant fits, as Go's parser does."""
    n = _number(pos, text, typ)
    _set_ideal(n)
    return n


def _set_ideal(n: NumberNode) -> None:
    """Go's idealConstant: the syntax decides the type when no parameter does."""
    text = n.text
    is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(
        c in text for c in "pP"
    )
    if n.is_complex:
        n.ideal = n.complex_value
    elif (
        n.is_float
        and not is_hex_int
        and not text.startswith("'")
        and any(c in text for c in ".eEpP")
    ):
        n.ideal = n.float_value
    elif n.is_int:
        n.ideal = n.int_value
    elif n.is_uint:
        # Executing it is the error, as in Go: parsing alone is fine.
        n.ideal_error = f"{text} overflows int"


def _number(pos: int, text: str, typ: T) -> NumberNode:
    n = NumberNode(pos, text)
    if typ == T.CHAR_CONSTANT:
        ch, i = _unquote_char(text, 1, "'")
        if text[i:] != "'":
            raise ValueError(f"malformed character constant: {text}")
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            code -= 0xDC00
        n.int_value = n.uint_value = code
        n.is_int = n.is_uint = n.is_float = True
        n.float_value = float(code)
        return n
    if typ == T.COMPLEX:
        # Split "RE+IMi" at the last sign that is not an exponent's.
        cut = max(
            (i for i, c in enumerate(text) if c in "+-" and i > 0 and text[i - 1] not in "eEpP"),
            default=-1,
        )
        if cut < 0 or not text.endswith("i"):
            raise ValueError(f"illegal number syntax: {_q(text)}")
        real, imag = parse_float(text[:cut]), parse_float(text[cut:-1])
        if real is None or imag is None:
            raise ValueError(f"illegal number syntax: {_q(text)}")
        n.is_complex = True
        n.complex_value = complex(real, imag)
        _simplify_complex(n)
        return n
    if text.endswith("i"):
        f = parse_float(text[:-1])
        if f is not None:
            n.is_complex = True
            n.complex_value = complex(0, f)
            _simplify_complex(n)
            return n
    v = parse_int_base0(text)
    if v is not None:
        if 0 <= v <= _UINT64_MAX and not text.startswith(("-", "+")):
            n.is_uint, n.uint_value = True, v
        if _INT64_MIN <= v <= _INT64_MAX:
            n.is_int, n.int_value = True, v
            if v == 0:
                n.is_uint, n.uint_value = True, 0
    if n.is_int:
        n.is_float, n.float_value = True, float(n.int_value)
    elif n.is_uint:
        n.is_float, n.float_value = True, float(n.uint_value)
    else:
        f = parse_float(text)
        if f is not None:
            if not any(c in text for c in ".eEpP"):
                # Looks like an integer but did not fit: a huge number, rejected.
                raise ValueError(f"integer overflow: {_q(text)}")
            n.is_float, n.float_value = True, f
            if f.is_integer() and _INT64_MIN <= f <= _INT64_MAX:
                n.is_int, n.int_value = True, int(f)
            if f.is_integer() and 0 <= f <= _UINT64_MAX:
                n.is_uint, n.uint_value = True, int(f)
    if not (n.is_int or n.is_uint or n.is_float):
        raise ValueError(f"illegal number syntax: {_q(text)}")
    return n


def _simplify_complex(n: NumberNode) -> None:
    if n.complex_value.imag == 0:
        n.is_float = True
        n.float_value = n.complex_value.real
        f = n.float_value
        if f.is_integer() and _INT64_MIN <= f <= _INT64_MAX:
            n.is_int, n.int_value = True, int(f)
        if f.is_integer() and 0 <= f <= _UINT64_MAX:
            n.is_uint, n.uint_value = True, int(f)


def _q(s: str) -> str:
    return quote(s)
