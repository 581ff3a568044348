"""Go conversions the sprig functions share: spf13/cast numbers, strconv parsing, %v text, byte strings."""

import codecs
import math
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
else:  # typing is for mypy alone (start-up); the Go engine reads object as it reads Any
    Any = object

from pyinject.golang.fmt import format_value
from pyinject.golang.strconv import underscore_ok
from pyinject.golang.values import MISSING, GoObject

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
_UINT64_MOD = 1 << 64


def wrap_int64(n: int) -> int:
    """Two's-complement wrap, as Go int64 arithmetic silently overflows."""
    n %= _UINT64_MOD
    return n - _UINT64_MOD if n > INT64_MAX else n


def float_to_int64(f: float) -> int:
    """Go's int64(f): truncate toward zero.

    On amd64 an out-of-range float (or NaN) converts to the "integer
    indefinite" value, the most negative int64.
    """
    if math.isnan(f) or not -9.223372036854775808e18 <= f < 9.223372036854775808e18:
        return INT64_MIN
    return int(f)


# --------------------------------------------------------------------------
# strconv.ParseInt / Atoi


def parse_int(s: str, base: int) -> tuple[int, str | None]:
    """strconv.ParseInt(s, base, 64) as (value, error kind).

    The error kind is None, "syntax" (value 0) or "range" (value clamped to
    the int64 limits, as Go returns it). base 0 reads 0x/0o/0b/0 prefixes and
    underscores, like Go integer literals.
    """
    if not s:
        return 0, "syntax"
    neg = False
    if s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if not s:
        return 0, "syntax"
    unsigned_input = s
    base0 = base == 0
    if base0:
        base = 10
        if s[0] == "0":
            prefix = s[1:2].lower() if len(s) >= 3 else ""
            if prefix == "b":
                base, s = 2, s[2:]
            elif prefix == "o":
                base, s = 8, s[2:]
            elif prefix == "x":
                base, s = 16, s[2:]
            else:
                base, s = 8, s[1:]
    n = 0
    underscores = False
    for c in s:
        if c == "_" and base0:
            underscores = True
            continue
        if "0" <= c <= "9":
            d = ord(c) - 48
        elif c.isascii() and "a" <= c.lower() <= "z":
            d = ord(c.lower()) - 87
        else:
            return 0, "syntax"
        if d >= base:
            return 0, "syntax"
        n = n * base + d
        if n >= _UINT64_MOD:
            # ParseUint stops at the first overflow, before looking further.
            return (INT64_MIN if neg else INT64_MAX), "range"
    if underscores and not underscore_ok(unsigned_input):
        return 0, "syntax"
    if not neg and n > INT64_MAX:
        return INT64_MAX, "range"
    if neg and n > -INT64_MIN:
        return INT64_MIN, "range"
    return (-n if neg else n), None


def atoi(s: str) -> int:
    """strconv.Atoi with the error dropped: 0 for bad syntax, clamped on overflow."""
    return parse_int(s, 10)[0]


# --------------------------------------------------------------------------
# strconv.ParseFloat

#: Float shapes (compiled on first use, through re's cache: only casts of strings to floats need them).
_DEC_FLOAT = r"[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?"
_HEX_FLOAT = r"[+-]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9_]+"
_SPECIAL_FLOAT = r"(?i)[+-]?(?:inf|infinity)|nan"


def parse_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64); None where Go returns an error.

    Go accepts decimal and hex (with a mandatory p exponent) literals,
    underscores between digits, and inf/infinity/nan in any case; it rejects
    surrounding spaces, and overflow is an error rather than inf.
    """
    if re.fullmatch(_SPECIAL_FLOAT, s):
        low = s.lower()
        if low == "nan":
            return math.nan
        return -math.inf if low.startswith("-") else math.inf
    hexa = re.fullmatch(_HEX_FLOAT, s) is not None
    if not hexa and re.fullmatch(_DEC_FLOAT, s) is None:
        return None
    if "_" in s:
        if not underscore_ok(s):
            return None
        s = s.replace("_", "")
    try:
        value = float.fromhex(s) if hexa else float(s)
    except (ValueError, OverflowError):
        return None
    if math.isinf(value):
        return None
    return value


# --------------------------------------------------------------------------
# spf13/cast (v1.5.0) as sprig calls it: errors become zero values


def _trim_zero_decimal(s: str) -> str:
    """cast's trimZeroDecimal: "1.0" and "1.00" read as "1"; "1." and "1.5" do not."""
    found_zero = False
    for i in range(len(s) - 1, -1, -1):
        c = s[i]
        if c == ".":
            if found_zero:
                return s[:i]
        elif c == "0":
            found_zero = True
        else:
            return s
    return s


def to_int64(v: Any) -> int:
    """cast.ToInt64: numbers truncate, strings parse like Go literals, anything else is 0."""
    if v is None or v is MISSING:
        return 0
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, int):
        return wrap_int64(int(v))
    if isinstance(v, float):
        return float_to_int64(v)
    if isinstance(v, str):
        value, err = parse_int(_trim_zero_decimal(v), 0)
        return 0 if err else value
    return 0


def to_float64(v: Any) -> float:
    """cast.ToFloat64: numbers widen, strings parse with strconv.ParseFloat, anything else is 0."""
    if v is None or v is MISSING:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        parsed = parse_float(v)
        return 0.0 if parsed is None else parsed
    return 0.0


def strval(v: Any) -> str:
    """sprig's strval: strings stay as they are, everything else is printed with %v."""
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return from_go_bytes(bytes(v))
    return format_value(None if v is MISSING else v)


# --------------------------------------------------------------------------
# Go strings are byte strings: helpers for the functions that index bytes


def _one_byte_replacement(err: UnicodeError) -> tuple[str, int]:
    # Go's UTF-8 decoding replaces every invalid byte with U+FFFD, one by one.
    assert isinstance(err, UnicodeDecodeError)
    return "\ufffd", err.start + 1


_GO_BYTES = "pyinject-go-bytes"
codecs.register_error(_GO_BYTES, _one_byte_replacement)


def from_go_bytes(b: bytes) -> str:
    """Text of a Go byte string that may hold invalid UTF-8 (each bad byte → U+FFFD)."""
    return b.decode("utf-8", errors=_GO_BYTES)


def go_bytes(s: str) -> bytes:
    """The bytes of a Go string."""
    return s.encode("utf-8", errors="surrogatepass")


def go_slice(s: str, start: int, end: int | None = None) -> str:
    """s[start:end] with Go's byte offsets; the caller checks the bounds."""
    if s.isascii():
        return s[start:end]
    return from_go_bytes(go_bytes(s)[start:end])


def go_len(s: str) -> int:
    """len(s) in Go: bytes, not characters."""
    return len(s) if s.isascii() else len(go_bytes(s))


def is_empty(v: Any) -> bool:
    """sprig's empty: nil, false, 0, and empty strings, lists and maps; structs never are."""
    if v is None or v is MISSING:
        return True
    if isinstance(v, (str, list, tuple, dict)):
        return len(v) == 0
    if isinstance(v, (bool, int, float)):
        return v == 0
    if isinstance(v, GoObject):
        return v.go_is_nil()
    return False
