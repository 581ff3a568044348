"""sigs.k8s.io/yaml's output: Go's encoding/json, then go-yaml v2 re-encoding it.

Istio's ``toYaml`` and istioctl's own output are written this way, and
goldens compare the text verbatim: key order, quoting, block scalars and
line folding at 80 columns all follow go-yaml v2.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import re
from collections.abc import Iterator
from typing import Any

from pyinject.golang import memo
from pyinject.golang.encoding_json import go_json
from pyinject.golang.yaml11 import resolves_to_string

_YAML_WIDTH = 80
#: go-yaml v2.3.0 (and so sigs.k8s.io/yaml in programs that pinned it, Istio 1.7–1.9 among them)
#: did not fold long lines; :func:`line_width` sets that for a stretch of code.
_WIDTH: contextvars.ContextVar[float] = contextvars.ContextVar("go_yaml_width", default=_YAML_WIDTH)


@contextlib.contextmanager
def line_width(fold: bool) -> Iterator[None]:
    """Within the block, fold long plain and quoted scalars at 80 columns (go-yaml's default) or never."""
    token = _WIDTH.set(_YAML_WIDTH if fold else math.inf)
    try:
        yield
    finally:
        _WIDTH.reset(token)


def fold_width() -> float:
    """The column long scalars fold at here (see :func:`line_width`): part of what toYaml's text depends on."""
    return _WIDTH.get()


def _is_printable(ch: str) -> bool:
    o = ord(ch)
    return (
        o in (0x09, 0x0A, 0x0D, 0x85)
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or 0xE000 <= o <= 0xFFFD
        or 0x10000 <= o <= 0x10FFFF
    ) and o != 0xFEFF


_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./(][A-Za-z0-9_./()=+-]*")


def _scalar_style(s: str) -> str:
    """go-yaml's choice for a string in block context: plain, single, double or literal."""
    if "\n" in s:
        return "literal" if _literal_allowed(s) else "double"
    if not resolves_to_string(s):
        return "double"
    if s.startswith(("---", "...")):
        return "single"
    if _PLAIN_SAFE.fullmatch(s):
        # Printable, no whitespace, no ':' or '#', no indicator first: plain (most strings).
        return "plain"
    block_ind = special = False
    leading = s[0] in " \t"
    trailing = s[-1] in " \t"
    n = len(s)
    preceded_ws = True
    for i, ch in enumerate(s):
        followed_ws = i + 1 >= n or s[i + 1] in " \t\r\n"
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                block_ind = True
            elif ch in "?:" and followed_ws:
                block_ind = True
            elif ch == "-" and followed_ws:
                block_ind = True
        else:
            if ch == ":" and followed_ws:
                block_ind = True
            elif ch == "#" and preceded_ws:
                block_ind = True
        if not _is_printable(ch) or ch in "\r\x85":
            special = True
        preceded_ws = ch in " \t\r\n"
    if special:
        return "double"
    if leading or trailing or block_ind:
        return "single"
    return "plain"


def _literal_allowed(s: str) -> bool:
    if any(not _is_printable(ch) for ch in s):
        return False
    # Trailing spaces before a line break cannot survive a block scalar.
    return not (re.search(r"[ \t]\n", s) or s.endswith((" ", "\t")))


class _YamlWriter:
    """A small go-yaml v2 emitter for JSON trees in block style."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def node(self, v: Any, indent: int) -> None:
        # Called for a value at the start of a fresh line (document root).
        if isinstance(v, dict):
            if not v:
                self.lines.append(" " * indent + "{}")
            else:
                self.mapping(v, indent)
        elif isinstance(v, list):
            if not v:
                self.lines.append(" " * indent + "[]")
            else:
                self.sequence(v, indent)
        else:
            self.scalar_line(" " * indent, v, indent)

    def mapping(self, m: dict[str, Any], indent: int, first_prefix: str | None = None) -> None:
        for i, key in enumerate(sorted(m, key=_yaml_key_sort)):
            prefix = first_prefix if (i == 0 and first_prefix is not None) else " " * indent
            head = prefix + self.key_text(key) + ":"
            self.value_after(head, m[key], indent, in_mapping=True)

    def sequence(self, seq: list[Any], indent: int, first_prefix: str | None = None) -> None:
        for i, item in enumerate(seq):
            prefix = first_prefix if (i == 0 and first_prefix is not None) else " " * indent
            head = prefix + "-"
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, first_prefix=head + " ")
            elif isinstance(item, list) and item:
                self.sequence(item, indent + 2, first_prefix=head + " ")
            else:
                self.value_after(head, item, indent, in_mapping=False)

    def value_after(self, head: str, v: Any, indent: int, in_mapping: bool) -> None:
        if isinstance(v, dict) and v:
            self.lines.append(head)
            self.mapping(v, indent + 2)
        elif isinstance(v, list) and v:
            self.lines.append(head)
            # go-yaml v2 does not indent a sequence that is a mapping value.
            self.sequence(v, indent if in_mapping else indent + 2)
        elif isinstance(v, dict):
            self.lines.append(head + " {}")
        elif isinstance(v, list):
            self.lines.append(head + " []")
        else:
            self.scalar_line(head + " ", v, indent + 2)

    def key_text(self, key: str) -> str:
        style = _scalar_style(key)
        if style == "plain":
            return key
        if style == "single":
            return _single_quoted(key, None, 0)
        return _double_quoted(key, None, 0)

    def scalar_line(self, head: str, v: Any, indent: int) -> None:
        if v is None:
            self.lines.append(head + "null")
        elif v is True:
            self.lines.append(head + "true")
        elif v is False:
            self.lines.append(head + "false")
        elif isinstance(v, int):
            self.lines.append(head + str(v))
        elif isinstance(v, float):
            self.lines.append(head + _yaml_float(v))
        else:
            s = str(v)
            style = _scalar_style(s)
            if style == "literal":
                self.literal(head, s, indent)
            elif style == "plain":
                self.lines.append(_wrapped(head, s, indent))
            elif style == "single":
                self.lines.append(_single_quoted(s, head, indent))
            else:
                self.lines.append(_double_quoted(s, head, indent))

    def literal(self, head: str, s: str, indent: int) -> None:
        if s.endswith("\n\n") or s == "\n":
            chomp = "+"
        elif s.endswith("\n"):
            chomp = ""
        else:
            chomp = "-"
        indicator = str(2) if s[:1] in (" ", "\n") else ""
        self.lines.append(head + "|" + indicator + chomp)
        body = s[:-1] if s.endswith("\n") else s
        for line in body.split("\n"):
            self.lines.append((" " * indent + line) if line else "")


def _yaml_key_sort(key: str) -> Any:
    return _NaturalKey(key)


class _NaturalKey:
    """go-yaml v2's map key order: digit runs compare as numbers, letters after other runes."""

    __slots__ = ("s",)

    def __init__(self, s: str) -> None:
        self.s = s

    def __lt__(self, other: _NaturalKey) -> bool:
        ar, br = self.s, other.s
        for i in range(min(len(ar), len(br))):
            if ar[i] == br[i]:
                continue
            al, bl = ar[i].isalpha(), br[i].isalpha()
            if al and bl:
                return ar[i] < br[i]
            if al or bl:
                return bl
            an = bn = 0
            if ar[i] == "0" or br[i] == "0":
                j = i - 1
                while j >= 0 and ar[j].isdigit():
                    if ar[j] != "0":
                        an = bn = 1
                        break
                    j -= 1
            ai = i
            while ai < len(ar) and ar[ai].isdigit():
                an = an * 10 + int(ar[ai])
                ai += 1
            bi = i
            while bi < len(br) and br[bi].isdigit():
                bn = bn * 10 + int(br[bi])
                bi += 1
            if an != bn:
                return an < bn
            if ai != bi:
                return ai < bi
            return ar[i] < br[i]
        return len(ar) < len(br)


def _yaml_float(x: float) -> str:
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    from pyinject.golang.strconv import format_float

    return format_float(x, "g", -1)


def _folded(s: str, column: int, indent: int, *, fold: bool, quote: str = "") -> str:
    """``s`` from ``column`` on, folded at single inner spaces once a line passes the width
    (go-yaml's rule for plain and single-quoted scalars); ``quote`` is doubled inside."""
    doubled = s.count(quote) if quote else 0
    if not fold or " " not in s or column + len(s) + doubled <= _WIDTH.get():
        # No line can pass the width at a space: nothing folds.
        return s.replace(quote, quote + quote) if doubled else s
    return _fold_spaces(s, column, indent, fold=fold, quote=quote)


def _fold_spaces(s: str, column: int, indent: int, *, fold: bool, quote: str) -> str:
    """:func:`_folded`, character by character."""
    out: list[str] = []
    spaces = False
    for i, ch in enumerate(s):
        if ch == " " and fold:
            nxt_space = i + 1 < len(s) and s[i + 1] == " "
            if not spaces and column > _WIDTH.get() and 0 < i < len(s) - 1 and not nxt_space:
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(ch)
                column += 1
            spaces = True
            continue
        spaces = False
        if quote and ch == quote:
            out.append(ch + ch)
            column += 2
        else:
            out.append(ch)
            column += 1
    return "".join(out)


def _wrapped(head: str, s: str, indent: int) -> str:
    """Plain scalar text; go-yaml folds at spaces once a line passes 80 columns."""
    return head + _folded(s, len(head), indent, fold=True)


def _single_quoted(s: str, head: str | None, indent: int) -> str:
    lead = (head or "") + "'"
    return lead + _folded(s, len(lead), indent, fold=head is not None, quote="'") + "'"


_DQ_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
    "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\",
    "\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P",
}


def _double_quoted(s: str, head: str | None, indent: int) -> str:
    out = [head or "", '"']
    column = len(head or "") + 1
    spaces = False
    for i, ch in enumerate(s):
        if ch == " ":
            if (head is not None and not spaces and column > _WIDTH.get()
                    and 0 < i < len(s) - 1):
                # A folded line break; the leading space of the next line is escaped.
                out.append("\n" + " " * indent)
                column = indent
                if i + 1 < len(s) and s[i + 1] == " ":
                    out.append("\\")
                    column += 1
            else:
                out.append(" ")
                column += 1
            spaces = True
            continue
        spaces = False
        esc = _DQ_ESCAPES.get(ch)
        if esc is None and (not _is_printable(ch) or ch == "\ufeff"):
            o = ord(ch)
            esc = f"\\x{o:02X}" if o <= 0xFF else (f"\\u{o:04X}" if o <= 0xFFFF else f"\\U{o:08X}")
        text = esc if esc is not None else ch
        out.append(text)
        column += len(text)
    out.append('"')
    return "".join(out)


@memo.by_data(256, _WIDTH.get)
def go_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml.Marshal: JSON first (Go field/map rules), then go-yaml v2 block YAML."""
    tree = _JSON_TREE.decode(go_json(value))
    w = _YamlWriter()
    if isinstance(tree, dict) and tree:
        w.mapping(tree, 0)
    elif isinstance(tree, list) and tree:
        w.sequence(tree, 0)
    else:
        w.node(tree, 0)
    return "\n".join(w.lines) + "\n"


def _json_number_float(text: str) -> float | int:
    # go-yaml resolves "1e+06"-style JSON numbers; integral mantissas without
    # an exponent never reach here because encoding/json prints them as ints.
    return float(text)


#: json.loads with these hooks builds a decoder per call; one serves every call.
_JSON_TREE = json.JSONDecoder(parse_float=_json_number_float, parse_int=int)
