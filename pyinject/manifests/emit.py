"""Write new YAML fragments: plain data as text that kubectl reads back as the same data.

The splicing writer (:mod:`pyinject.manifests.splice`) inserts these fragments into the
user's text, so they must fit any indentation and say exactly what the plain
data says to a YAML 1.1 reader (kubectl decodes with go-yaml v2): a string
that such a reader would take for a bool, number, null, timestamp or the
``=`` value scalar is quoted.  ``yes``, ``0755``, ``0o17``, ``1:30``, ``=``
and ``"15001"`` all stay strings.
"""

from __future__ import annotations

import base64
import marshal
import math
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.errors import InputError
from pyinject.golang.yaml11 import needs_quotes
from pyinject.records import dataclass

# Plain scalars are written only from this conservative alphabet.  Anything
# else (leading indicators, ": ", " #", flow punctuation) gets quotes.
_PLAIN_BLOCK = re.compile(r"(?:[A-Za-z0-9_./$(]|-(?=[^ ]))[A-Za-z0-9_./$()\-+=@~^;:<>,! ]*")
_PLAIN_FLOW = r"(?:[A-Za-z0-9_./$(]|-(?=[^ ]))[A-Za-z0-9_./$()\-+=@~^;<>! ]*"  # compiled on first use


@dataclass(frozen=True)
class Layout:
    """How a document indents: new fragments follow it."""

    #: Columns a nested mapping is indented under its key.
    mapping: int = 2
    #: Columns a block sequence's ``-`` is indented under its key (0: kubectl's style).
    offset: int = 0


def scalar(value: Any, *, flow: bool = False, quote: str = "") -> str:
    """One scalar on one line; ``quote`` (``'`` or ``"``) asks for that style for a string."""
    if type(value) is str:
        return _string(value, flow, quote)
    if isinstance(value, str):
        return _string(value, flow, quote)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, bytes):
        return "!!binary " + _double(base64.b64encode(value).decode("ascii"))
    raise InputError(f"cannot write a {type(value).__name__} value as YAML")


# Injected containers repeat the same strings pod after pod; the cache is
# bounded so a long stream of distinct values cannot grow it without end.
_STRING_CACHE: dict[tuple[str, bool, str], str] = {}
_STRING_CACHE_SIZE = 4_096


def _string(text: str, flow: bool, quote: str) -> str:
    key = (text, flow, quote)
    written = _STRING_CACHE.get(key)
    if written is None:
        if len(_STRING_CACHE) >= _STRING_CACHE_SIZE:
            _STRING_CACHE.clear()
        written = _STRING_CACHE[key] = _quote_string(text, flow, quote)
    return written


#: The commonest case, a string in block context with no style asked for, keyed on the string alone.
_BLOCK_CACHE: dict[str, str] = {}


def _block_string(text: str) -> str:
    """``_string(text, False, "")``, from a cache keyed on ``text`` alone."""
    written = _BLOCK_CACHE.get(text)
    if written is None:
        if len(_BLOCK_CACHE) >= _STRING_CACHE_SIZE:
            _BLOCK_CACHE.clear()
        written = _BLOCK_CACHE[text] = _quote_string(text, False, "")
    return written


def _quote_string(text: str, flow: bool, quote: str) -> str:
    ambiguous = needs_quotes(text)
    if quote == '"':
        return _double(text)
    if not ambiguous and not quote and _plain_ok(text, flow):
        return text
    # Kubernetes (and Istio) write strings that look like numbers or booleans
    # in double quotes ("15001", "true"); everything else reads best in single
    # quotes, which need no escapes for JSON annotation values.
    if ambiguous or not _printable(text):
        return _double(text)
    return "'" + text.replace("'", "''") + "'"


def _plain_ok(text: str, flow: bool) -> bool:
    if (re.fullmatch(_PLAIN_FLOW, text) if flow else _PLAIN_BLOCK.fullmatch(text)) is None:
        return False
    return not (text.endswith((" ", ":")) or ": " in text or " #" in text)


def _printable(text: str) -> bool:
    return text.isprintable() and "\ufeff" not in text


def _double(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch.isprintable() and ch != "\ufeff":
            out.append(ch)
        else:
            out.append(_ESCAPES.get(ch) or _code_escape(ch))
    out.append('"')
    return "".join(out)


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0", "\x07": "\\a", "\b": "\\b", "\x1b": "\\e",
            "\f": "\\f", "\v": "\\v"}


def _code_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def _literal(text: str) -> str | None:
    """A ``|`` block scalar header for multi-line text, or None if quotes are safer."""
    if "\n" not in text or "\r" in text or not text.strip("\n"):
        return None
    lines = text.split("\n")
    if any(line and not _printable(line) for line in lines):
        return None
    first = next(line for line in lines if line)
    if first.startswith(" "):
        return None  # would need an indentation indicator
    if any(line.strip(" ") == "" and line for line in lines):
        return None  # space-only lines are easy to misread; quote instead
    if not text.endswith("\n"):
        return "|-"
    return "|+" if text.endswith("\n\n") else "|"


def flow(value: Any) -> str:
    """A value in flow style, on one line (``{a: b, c: [d]}``)."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + ", ".join(f"{_key(k, flow=True)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value, flow=True)


def _key(key: Any, *, flow: bool = False) -> str:
    if isinstance(key, (dict, list)):
        raise InputError("cannot write a mapping or list as a mapping key")
    return scalar(key, flow=flow)


def value_after_key(value: Any, col: int, layout: Layout, quote: str = "") -> str:
    """Text that follows ``key:`` for a key at column ``col`` (no final newline)."""
    if type(value) is str and not quote and "\n" not in value:
        return " " + _block_string(value)
    if isinstance(value, dict) and value:
        return "\n" + entries(value, col + layout.mapping, layout).rstrip("\n")
    if isinstance(value, list) and value:
        return "\n" + items(value, col + layout.offset, layout).rstrip("\n")
    if isinstance(value, str) and not quote:
        header = _literal(value)
        if header is not None:
            return " " + header + _literal_body(value, col + max(layout.mapping, 1))
    return " " + (flow(value) if isinstance(value, (dict, list)) else scalar(value, quote=quote))


def value_after_dash(value: Any, col: int, layout: Layout, quote: str = "") -> str:
    """Text that follows ``-`` for an item whose dash is at column ``col`` (no final newline)."""
    if type(value) is str and not quote and "\n" not in value:
        return " " + _block_string(value)
    inner = col + 2
    if isinstance(value, dict) and value:
        return " " + entries(value, inner, layout)[inner:].rstrip("\n")
    if isinstance(value, list) and value:
        return " " + items(value, inner, layout)[inner:].rstrip("\n")
    if isinstance(value, str) and not quote:
        header = _literal(value)
        if header is not None:
            return " " + header + _literal_body(value, inner)
    return " " + (flow(value) if isinstance(value, (dict, list)) else scalar(value, quote=quote))


def _literal_body(text: str, col: int) -> str:
    pad = " " * col
    body = text[:-1] if text.endswith("\n") else text
    return "".join("\n" + (pad + line if line else "") for line in body.split("\n"))


def entries(mapping: dict[Any, Any], col: int, layout: Layout) -> str:
    """Block mapping entries at column ``col``, every line indented and ended with a newline."""
    pad = " " * col
    out: list[str] = []
    for k, v in mapping.items():
        # Most keys and values are one-line strings: written here, without the general calls.
        key = _block_string(k) if type(k) is str else _key(k)
        if type(v) is str and "\n" not in v:
            out.append(f"{pad}{key}: {_block_string(v)}\n")
        else:
            out.append(f"{pad}{key}:{_after_key(v, col, layout)}\n")
    return "".join(out)


def items(values: list[Any], col: int, layout: Layout) -> str:
    """Block sequence items with their dash at column ``col``, each line ended with a newline."""
    pad = " " * col
    out: list[str] = []
    for v in values:
        if type(v) is str and "\n" not in v:
            out.append(f"{pad}- {_block_string(v)}\n")
        else:
            out.append(f"{pad}-{_after_dash(v, col, layout)}\n")
    return "".join(out)


# Injected pods repeat whole subtrees workload after workload (init containers,
# volumes, probes, environment entries): their text is kept, keyed on what
# decides it.  marshal's encoding is the key for the value: it accepts only the
# exact built-in types (a subclass, which might be written otherwise, raises
# ValueError and is written afresh) and two values with the same encoding are
# the same data, types included (``1``, ``1.0``, ``True`` and ``"1"`` differ).
# Version 2 writes equal values as equal bytes, however they share objects.
# The column and the layout are the rest of what the text depends on.
_SUBTREE_CACHE: dict[tuple[bytes, bool, int, int, int], str] = {}
_SUBTREE_CACHE_SIZE = 2_048

# Some subtrees differ in every workload (the proxy container, its environment
# list: they hold the workload's name), and encoding a key that never hits
# costs as much as a hit saves.  So each kind of subtree (after a key or a
# dash, its column, its length, mapping or list) counts its misses in a row:
# after _TRUST of them, only every _SAMPLE-th subtree of that kind is looked
# up (and stored), the others are written directly; one hit and every one is
# looked up again, so a stream whose workloads start repeating is soon served
# from the cache.  Skipping the cache never changes the text: a hit is exactly
# what writing the value afresh gives.
_MISSES: dict[tuple[bool, int, int, bool], int] = {}
_MISSES_SIZE = 4_096
_TRUST = 8
_SAMPLE = 16


def _after_key(value: Any, col: int, layout: Layout) -> str:
    if (type(value) is dict or type(value) is list) and value:
        return _cached(value, True, col, layout)
    return value_after_key(value, col, layout)


def _after_dash(value: Any, col: int, layout: Layout) -> str:
    if (type(value) is dict or type(value) is list) and value:
        return _cached(value, False, col, layout)
    return value_after_dash(value, col, layout)


def _cached(value: dict[Any, Any] | list[Any], after_key: bool, col: int, layout: Layout) -> str:
    """``value_after_key`` (or ``value_after_dash``) of a collection, from the cache when it was written before."""
    kind = (after_key, col, len(value), type(value) is dict)
    misses = _MISSES.get(kind, 0)
    if misses >= _TRUST and (misses - _TRUST) % _SAMPLE:
        _MISSES[kind] = misses + 1
        return value_after_key(value, col, layout) if after_key else value_after_dash(value, col, layout)
    try:
        key = (marshal.dumps(value, 2), after_key, col, layout.mapping, layout.offset)
    except ValueError:  # a subclass or another type inside; or nested past marshal's limit
        return value_after_key(value, col, layout) if after_key else value_after_dash(value, col, layout)
    text = _SUBTREE_CACHE.get(key)
    if text is None:
        if len(_MISSES) >= _MISSES_SIZE:
            _MISSES.clear()
        _MISSES[kind] = misses + 1
        text = value_after_key(value, col, layout) if after_key else value_after_dash(value, col, layout)
        if len(_SUBTREE_CACHE) >= _SUBTREE_CACHE_SIZE:
            _SUBTREE_CACHE.clear()
        _SUBTREE_CACHE[key] = text
    elif misses:
        _MISSES[kind] = 0
    return text


def document(value: Any, layout: Layout) -> str:
    """A whole document body (root node at column 0), ending with a newline."""
    if isinstance(value, dict) and value:
        return entries(value, 0, layout)
    if isinstance(value, list) and value:
        return items(value, 0, layout)
    text = value_after_key(value, 0, layout)
    return text[1:] + "\n"
