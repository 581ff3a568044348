"""Go's strconv for the template engine: float64 text in every verb, and quoting.

``format_float`` gives Go's digits for ``%e %f %g %b %x`` (shortest round-trip
precision by default); ``quote``/``quote_rune`` follow strconv.Quote's
escaping, which Go's ``%q`` and its error messages use.
"""

from __future__ import annotations

import math
import struct

MAX_RUNE = 0x10FFFF
RUNE_ERROR = "\ufffd"


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of a finite, non-zero |x| and the
    position of the decimal point (value = 0.DIGITS * 10**dp)."""
    from decimal import Decimal  # floats are rare in manifests: not loaded at start-up

    _, digit_tuple, exp = Decimal(repr(abs(x))).as_tuple()
    assert isinstance(exp, int)
    text = "".join(map(str, digit_tuple))
    return text.rstrip("0"), len(text) + exp


def _exp_suffix(exp: int, letter: str) -> str:
    # Go always writes at least two exponent digits.
    return f"{letter}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fmt_e_digits(digits: str, dp: int, letter: str) -> str:
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return mant + _exp_suffix(dp - 1, letter)


def _fmt_f_digits(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def format_float(x: float, verb: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(x, verb, prec, 64); prec -1 means shortest."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if verb in "xX":
        return _format_hex_float(x, verb, prec)
    if verb == "b":
        return _format_binary_float(x)
    neg = math.copysign(1.0, x) < 0
    sign = "-" if neg else ""
    if prec >= 0:
        spec = f".{prec}{verb}"
        out = format(abs(x), spec)
        return sign + out
    # Shortest representation.
    if x == 0:
        digits, dp = "0", 1
    else:
        digits, dp = _shortest_digits(x)
    if verb in "eE":
        return sign + _fmt_e_digits(digits, dp, verb)
    if verb == "f":
        return sign + _fmt_f_digits(digits, dp)
    # 'g'/'G' shortest: exponent form below 1e-4 or from 1e6 (Go's %v rule).
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return sign + _fmt_e_digits(digits, dp, "e" if verb == "g" else "E")
    return sign + _fmt_f_digits(digits, dp)


def _float_bits(x: float) -> tuple[bool, int, int]:
    """(negative, mantissa with implicit bit, unbiased exponent) of a float64."""
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    neg = bool(bits >> 63)
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp == 0:
        exp = 1  # subnormal
    else:
        mant |= 1 << 52
    return neg, mant, exp - 1023


def _format_binary_float(x: float) -> str:
    neg, mant, exp = _float_bits(x)
    exp -= 52
    return f"{'-' if neg else ''}{mant}p{'+' if exp >= 0 else '-'}{abs(exp)}"


def _format_hex_float(x: float, verb: str, prec: int) -> str:
    neg, mant, exp = _float_bits(x)
    mask64 = (1 << 64) - 1
    if mant == 0:
        exp = 0
    # Normalise so the leading 1 sits at bit 60, then round to prec hex digits.
    mant <<= 8
    while mant != 0 and mant & (1 << 60) == 0:
        mant <<= 1
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    hexdigits = "0123456789abcdef" if verb == "x" else "0123456789ABCDEF"
    out = ["-" if neg else "", "0", verb, str((mant >> 60) & 1)]
    mant = (mant << 4) & mask64
    if prec < 0 and mant != 0:
        out.append(".")
        while mant != 0:
            out.append(hexdigits[(mant >> 60) & 15])
            mant = (mant << 4) & mask64
    elif prec > 0:
        out.append(".")
        for _ in range(prec):
            out.append(hexdigits[(mant >> 60) & 15])
            mant = (mant << 4) & mask64
    out.append("p" if verb == "x" else "P")
    out.append("-" if exp < 0 else "+")
    out.append(f"{abs(exp):02d}")
    return "".join(out)


def is_print(ch: str) -> bool:
    """Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols, ASCII space."""
    return ch.isprintable()


def _quote_rune_body(ch: str, quote: str, ascii_only: bool) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        # A lone surrogate is not valid UTF-8; Go would see U+FFFD.
        ch, code = RUNE_ERROR, 0xFFFD
    if ascii_only:
        if code < 0x80 and is_print(ch):
            return ch
    elif is_print(ch):
        return ch
    special = _ESCAPES.get(ch)
    if special is not None:
        return special
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteToASCII): a double-quoted Go string literal."""
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'  # every character stands for itself
    return '"' + "".join(_quote_rune_body(c, '"', ascii_only) for c in s) + '"'


def quote_rune(code: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune: a single-quoted Go character literal."""
    ch = rune_string(code)
    return "'" + _quote_rune_body(ch, "'", ascii_only) + "'"


def can_backquote(s: str) -> bool:
    """strconv.CanBackquote: s fits in a raw string literal unchanged."""
    for c in s:
        if c == "`" or c == "\ufeff":
            return False
        if c != "\t" and (ord(c) < 0x20 or ord(c) == 0x7F):
            return False
    return True


def rune_string(code: int) -> str:
    if code < 0 or code > MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        return RUNE_ERROR
    return chr(code)


def underscore_ok(s: str) -> bool:
    """strconv's underscoreOK: an underscore must sit between digits (or after a base prefix)."""
    if s[:1] in ("+", "-"):
        s = s[1:]
    saw = "^"
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i = 2
        saw = "0"
        hexa = s[1] in "xX"
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9" or (hexa and c in "abcdefABCDEF"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
        i += 1
    return saw != "_"


def parse_bool(text: str) -> bool | None:
    """Go's ``strconv.ParseBool``: its six spellings of each value; None for anything else."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None
