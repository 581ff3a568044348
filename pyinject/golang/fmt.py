"""Go's fmt package for template values: Sprint, Sprintln, Sprintf and ``%v``.

Output matches Go byte for byte for the values of ``values.py``: shortest
float64 digits with Go's exponent rule, maps in sorted key order, the
``%!verb(type=value)`` error forms, ``strconv.Quote`` escaping (the strconv part lives in ``strconv.py``).
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.golang.strconv import (
    MAX_RUNE,
    can_backquote,
    format_float,
    is_print,
    quote,
    quote_rune,
    rune_string,
)
from pyinject.golang.values import MISSING, GoInt, GoObject, type_name



# --------------------------------------------------------------------------
# The printer


class _Printer:
    """One Sprint/Sprintf call: output buffer plus the current verb's flags."""

    __slots__ = (
        "buf", "plus", "minus", "sharp", "space", "zero", "plus_v", "sharp_v",
        "wid", "prec",
    )

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.clear_flags()

    def clear_flags(self) -> None:
        self.plus = self.minus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid: int | None = None
        self.prec: int | None = None

    # -- padding -----------------------------------------------------------

    def pad(self, s: str) -> None:
        wid = self.wid
        if wid is None or wid <= len(s):
            self.buf.append(s)
            return
        fill = wid - len(s)
        if self.minus:
            self.buf.append(s + " " * fill)
        else:
            self.buf.append(("0" if self.zero else " ") * fill + s)

    def pad_nozero(self, s: str) -> None:
        zero = self.zero
        self.zero = False
        self.pad(s)
        self.zero = zero

    def truncate(self, s: str) -> str:
        if self.prec is not None and self.prec < len(s):
            return s[: self.prec]
        return s

    # -- arguments ---------------------------------------------------------

    def print_arg(self, arg: Any, verb: str) -> None:
        if arg is None or arg is MISSING:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, arg)
            return
        if verb == "T":
            self.pad(self.truncate(type_name(arg)))
            return
        self.print_value(arg, verb, 0)

    def print_value(self, v: Any, verb: str, depth: int) -> None:
        t = type(v)
        if t is str:
            self.fmt_string(v, verb)
        elif t is float:
            self.fmt_float(v, verb)
        elif t is bool:
            self.fmt_bool(v, verb)
        elif t is int or isinstance(v, GoInt):
            self.fmt_integer(v, verb)
        elif v is None or v is MISSING:
            if self.sharp_v:
                self.buf.append("interface {}(nil)")
            else:
                self.buf.append("<nil>")
        elif isinstance(v, dict):
            self.fmt_map(v, verb, depth)
        elif isinstance(v, (list, tuple)):
            self.fmt_list(v, verb, depth)
        elif isinstance(v, complex):
            self.fmt_complex(v, verb)
        elif isinstance(v, GoObject):
            if v.go_is_nil() and not self.sharp_v:
                self.pad("<nil>")
            else:
                self.pad(v.go_format())
        elif isinstance(v, str):
            self.fmt_string(str(v), verb)
        elif isinstance(v, float):
            self.fmt_float(float(v), verb)
        elif isinstance(v, int):
            self.fmt_integer(v, verb)
        elif callable(v):
            self.pad("0x1")
        else:
            self.pad(str(v))

    def fmt_map(self, m: dict[Any, Any], verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(type_name(m) + "{")
        else:
            self.buf.append("map[")
        for i, key in enumerate(sorted(m, key=_map_key_order)):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            self.print_value(key, verb, depth + 1)
            self.buf.append(":")
            self.print_value(m[key], verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def fmt_list(self, lst: list[Any] | tuple[Any, ...], verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(type_name(lst) + "{")
            for i, item in enumerate(lst):
                if i > 0:
                    self.buf.append(", ")
                self.print_value(item, verb, depth + 1)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, item in enumerate(lst):
            if i > 0:
                self.buf.append(" ")
            self.print_value(item, verb, depth + 1)
        self.buf.append("]")

    def bad_verb(self, verb: str, arg: Any) -> None:
        self.buf.append("%!" + verb + "(")
        if arg is None or arg is MISSING:
            self.buf.append("<nil>")
        else:
            self.buf.append(type_name(arg) + "=")
            self.print_arg(arg, "v")
        self.buf.append(")")

    # -- scalars -----------------------------------------------------------

    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb, v)

    def fmt_integer(self, v: int, verb: str) -> None:
        if verb in "vd":
            self._integer(v, 10, verb, "0123456789abcdefx")
        elif verb == "b":
            self._integer(v, 2, verb, "0123456789abcdefx")
        elif verb in "oO":
            self._integer(v, 8, verb, "0123456789abcdefx")
        elif verb == "x":
            self._integer(v, 16, verb, "0123456789abcdefx")
        elif verb == "X":
            self._integer(v, 16, verb, "0123456789ABCDEFX")
        elif verb == "c":
            self.pad(rune_string(int(v)))
        elif verb == "q":
            code = int(v)
            ch = rune_string(code)
            if self.sharp and is_print(ch):
                self.pad("'" + ch + "'")
            else:
                self.pad(quote_rune(code, ascii_only=self.plus))
        elif verb == "U":
            self._unicode(int(v))
        else:
            self.bad_verb(verb, v)

    def _integer(self, v: int, base: int, verb: str, digits: str) -> None:
        negative = v < 0
        u = -int(v) if negative else int(v)
        prec = 0
        if self.prec is not None:
            prec = self.prec
            if prec == 0 and u == 0:
                # Precision 0 and value 0 print nothing but the padding.
                self.pad_nozero("")
                return
        elif self.zero and self.wid is not None:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        if base == 10:
            body = str(u)
        else:
            body = ""
            while True:
                body = digits[u % base] + body
                u //= base
                if u == 0:
                    break
        if len(body) < prec:
            body = "0" * (prec - len(body)) + body
        if self.sharp:
            if base == 2:
                body = "0b" + body
            elif base == 8 and not body.startswith("0"):
                body = "0" + body
            elif base == 16:
                body = "0" + digits[16] + body
        if verb == "O":
            body = "0o" + body
        if negative:
            body = "-" + body
        elif self.plus:
            body = "+" + body
        elif self.space:
            body = " " + body
        self.pad_nozero(body)

    def _unicode(self, code: int) -> None:
        prec = 4
        if self.prec is not None and self.prec > 4:
            prec = self.prec
        text = "U+" + format(code, "X").rjust(prec, "0")
        if self.sharp and 0 <= code <= MAX_RUNE and is_print(rune_string(code)):
            text += " '" + rune_string(code) + "'"
        self.pad_nozero(text)

    def fmt_float(self, v: float, verb: str) -> None:
        if verb == "v":
            self._float(v, "g", -1)
        elif verb in "bgGxX":
            self._float(v, verb, -1)
        elif verb in "feE":
            self._float(v, verb, 6)
        elif verb == "F":
            self._float(v, "f", 6)
        else:
            self.bad_verb(verb, v)

    def _float(self, v: float, verb: str, prec: int) -> None:
        if self.prec is not None:
            prec = self.prec
        num = format_float(v, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            # Infinities and NaN are never zero padded.
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self.pad_nozero(num)
            return
        if self.sharp and verb != "b":
            num = _sharp_float(num, verb, prec)
        if self.plus or num[0] != "+":
            if self.zero and self.wid is not None and self.wid > len(num):
                self.buf.append(num[0] + "0" * (self.wid - len(num)) + num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    def fmt_complex(self, v: complex, verb: str) -> None:
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb, v)
            return
        # Go prints (real+imagi); the imaginary part always carries its sign.
        old_plus = self.plus
        self.buf.append("(")
        self.fmt_float(v.real, verb)
        self.plus = True
        self.fmt_float(v.imag, verb)
        self.buf.append("i)")
        self.plus = old_plus

    def fmt_string(self, s: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.pad(quote(self.truncate(s)))
            else:
                self.pad(self.truncate(s))
        elif verb == "s":
            self.pad(self.truncate(s))
        elif verb in "xX":
            self._hex_string(s, verb)
        elif verb == "q":
            s = self.truncate(s)
            if self.sharp and can_backquote(s):
                self.pad("`" + s + "`")
            else:
                self.pad(quote(s, ascii_only=self.plus))
        else:
            self.bad_verb(verb, s)

    def _hex_string(self, s: str, verb: str) -> None:
        data = s.encode("utf-8", "surrogatepass")
        if self.prec is not None and self.prec < len(data):
            data = data[: self.prec]
        n = len(data)
        if n == 0:
            if self.wid is not None:
                self.buf.append(("0" if self.zero else " ") * self.wid)
            return
        width = 2 * n
        if self.space:
            if self.sharp:
                width *= 2
            width += n - 1
        elif self.sharp:
            width += 2
        prefix = "0x" if verb == "x" else "0X"
        parts: list[str] = []
        for i, byte in enumerate(data):
            if self.space and i > 0:
                parts.append(" ")
                if self.sharp:
                    parts.append(prefix)
            elif i == 0 and self.sharp:
                parts.append(prefix)
            parts.append(format(byte, "02x" if verb == "x" else "02X"))
        body = "".join(parts)
        fill = (self.wid or 0) - width
        if fill > 0 and not self.minus:
            self.buf.append(("0" if self.zero else " ") * fill)
        self.buf.append(body)
        if fill > 0 and self.minus:
            self.buf.append(" " * fill)


def _sharp_float(num: str, verb: str, prec: int) -> str:
    """The '#' flag: always a decimal point; %g and %x keep trailing zeros."""
    digits = 0
    if verb in "gGx":
        digits = 6 if prec == -1 else prec
    tail = ""
    has_point = False
    saw_nonzero = False
    i = 1  # num[0] is the sign
    while i < len(num):
        c = num[i]
        if c == ".":
            has_point = True
        elif c in "pP" or (c in "eE" and verb not in "xX"):
            num, tail = num[:i], num[i:]
            break
        else:
            if c != "0":
                saw_nonzero = True
            if saw_nonzero:
                digits -= 1
        i += 1
    if not has_point:
        # A lone leading zero still counts as one significant digit.
        if len(num) == 2 and num[1] == "0":
            digits -= 1
        num += "."
    if digits > 0:
        num += "0" * digits
    return num + tail


def _map_key_order(key: Any) -> tuple[int, Any]:
    # fmt sorts map keys by value within a type; string order is byte order,
    # which for Python str equals code point order.
    if isinstance(key, str):
        return (2, key)
    if isinstance(key, bool):
        return (0, key)
    if isinstance(key, (int, float)):
        return (1, key)
    return (3, repr(key))


# --------------------------------------------------------------------------
# Public entry points


def format_value(v: Any) -> str:
    """Go's ``%v`` of a value; MISSING prints as ``<no value>``."""
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if v is MISSING:
        return "<no value>"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        if v.is_integer() and -1e6 < v < 1e6 and not (v == 0 and math.copysign(1, v) < 0):
            return str(int(v))
        return format_float(v, "g", -1)
    # What a fresh printer's %v gives, without one: a sized integer's decimal, a
    # Go object's own format (that is not also a map, slice or complex).
    if isinstance(v, GoInt):
        return int.__repr__(v)
    if isinstance(v, GoObject) and not isinstance(v, (dict, list, tuple, complex)):
        return "<nil>" if v.go_is_nil() else v.go_format()
    p = _Printer()
    p.print_arg(v, "v")
    return "".join(p.buf)


def sprint(*args: Any) -> str:
    """fmt.Sprint: spaces between operands when neither side is a string."""
    out: list[str] = []
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(format_value(None if arg is MISSING else arg))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: Any) -> str:
    """fmt.Sprintln: operands always separated by spaces, newline appended."""
    return " ".join(format_value(None if a is MISSING else a) for a in args) + "\n"


def _parse_num(fmt: str, i: int, end: int) -> tuple[int | None, int]:
    start = i
    while i < end and "0" <= fmt[i] <= "9":
        i += 1
        if i - start > 6:
            # Go rejects absurd widths rather than allocating them.
            return None, i
    if i == start:
        return None, i
    return int(fmt[start:i]), i


def _int_from_arg(args: tuple[Any, ...], n: int) -> tuple[int | None, int]:
    if n >= len(args):
        return None, n
    a = args[n]
    if isinstance(a, int) and not isinstance(a, bool) and -1_000_000 <= a <= 1_000_000:
        return int(a), n + 1
    return None, n + 1


class _State:
    __slots__ = ("reordered", "good_arg_num")

    def __init__(self) -> None:
        self.reordered = False
        self.good_arg_num = True


def _arg_number(
    st: _State, arg_num: int, fmt: str, i: int, nargs: int
) -> tuple[int, int, bool]:
    if i >= len(fmt) or fmt[i] != "[":
        return arg_num, i, False
    st.reordered = True
    # Parse "[n]": one-based index of the operand to use.
    close = fmt.find("]", i + 1)
    if len(fmt) - i < 3 or close < 0:
        st.good_arg_num = False
        return arg_num, i + 1, False
    num, j = _parse_num(fmt, i + 1, close)
    if num is None or j != close:
        st.good_arg_num = False
        return arg_num, close + 1, False
    index = num - 1
    if 0 <= index < nargs:
        return index, close + 1, True
    st.good_arg_num = False
    return arg_num, close + 1, True


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf with Go's verbs, flags, widths, precisions and error forms."""
    args = tuple(None if a is MISSING else a for a in args)
    p = _Printer()
    st = _State()
    buf = p.buf
    end = len(fmt)
    nargs = len(args)
    arg_num = 0
    after_index = False
    i = 0
    while i < end:
        st.good_arg_num = True
        pct = fmt.find("%", i)
        if pct < 0:
            buf.append(fmt[i:])
            break
        if pct > i:
            buf.append(fmt[i:pct])
        i = pct + 1
        p.clear_flags()
        fast = False
        while i < end:
            c = fmt[i]
            if c == "#":
                p.sharp = True
            elif c == "0":
                p.zero = not p.minus
            elif c == "+":
                p.plus = True
            elif c == "-":
                p.minus = True
                p.zero = False
            elif c == " ":
                p.space = True
            else:
                if "a" <= c <= "z" and arg_num < nargs:
                    if c == "v":
                        p.sharp_v, p.sharp = p.sharp, False
                        p.plus_v, p.plus = p.plus, False
                    p.print_arg(args[arg_num], c)
                    arg_num += 1
                    i += 1
                    fast = True
                break
            i += 1
        if fast:
            continue
        arg_num, i, after_index = _arg_number(st, arg_num, fmt, i, nargs)
        if i < end and fmt[i] == "*":
            i += 1
            p.wid, arg_num = _int_from_arg(args, arg_num)
            if p.wid is None:
                buf.append("%!(BADWIDTH)")
            elif p.wid < 0:
                p.wid = -p.wid
                p.minus = True
                p.zero = False
            after_index = False
        else:
            p.wid, i = _parse_num(fmt, i, end)
            if after_index and p.wid is not None:
                st.good_arg_num = False
        if i + 1 < end and fmt[i] == ".":
            i += 1
            if after_index:
                st.good_arg_num = False
            arg_num, i, after_index = _arg_number(st, arg_num, fmt, i, nargs)
            if i < end and fmt[i] == "*":
                i += 1
                p.prec, arg_num = _int_from_arg(args, arg_num)
                if p.prec is not None and p.prec < 0:
                    p.prec = None
                if p.prec is None:
                    buf.append("%!(BADPREC)")
                after_index = False
            else:
                p.prec, i = _parse_num(fmt, i, end)
                if p.prec is None:
                    p.prec = 0
        if not after_index:
            arg_num, i, after_index = _arg_number(st, arg_num, fmt, i, nargs)
        if i >= end:
            buf.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            buf.append("%")
        elif not st.good_arg_num:
            buf.append("%!" + verb + "(BADINDEX)")
        elif arg_num >= nargs:
            buf.append("%!" + verb + "(MISSING)")
        else:
            if verb == "v":
                p.sharp_v, p.sharp = p.sharp, False
                p.plus_v, p.plus = p.plus, False
            p.print_arg(args[arg_num], verb)
            arg_num += 1
    if not st.reordered and arg_num < nargs:
        p.clear_flags()
        buf.append("%!(EXTRA ")
        for k, arg in enumerate(args[arg_num:]):
            if k > 0:
                buf.append(", ")
            if arg is None:
                buf.append("<nil>")
            else:
                buf.append(type_name(arg) + "=")
                p.print_arg(arg, "v")
        buf.append(")")
    return "".join(buf)
