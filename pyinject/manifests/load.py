"""Parse YAML the way kubectl reads it, and keep what a round trip must keep.

kubectl decodes manifests with go-yaml v2 semantics (YAML 1.1 scalars) and
turns them into JSON.  pyinject's output is consumed by kubectl, so what
pyinject *reads* must mean what kubectl would read:

- ``yes``/``no``/``on``/``off``/``y``/``n`` are booleans, ``0755`` is octal;
- timestamps stay strings (go-yaml v2 keeps them as text for ``interface{}``);
- there are no sexagesimal integers (``1:30`` is a string);
- the YAML 1.1 "value" scalar ``=`` is the string ``"="`` (CRD enums contain it);
- a duplicated key is accepted and the last value wins, with a warning.

:func:`load_plain` turns a document into plain Python data.  Its fast path
builds the data straight from libyaml's events, which is about twice as fast
as PyYAML's node-then-object construction; documents it does not handle (tags,
merge keys, duplicate keys, errors) go through the PyYAML loader below, which
also gives the error messages.  :func:`load_roundtrip` (ruamel.yaml) keeps
comments, key order and scalar text for the writer's fallback.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

import yaml

from pyinject.golang.encoding_json import JSONStruct
from pyinject.golang.yaml11 import BOOL, FLOAT, INT, MERGE, NULL
from pyinject.errors import InputError, Location
from pyinject.manifests.nodes import remember as remember_nodes

#: More nodes than this after expanding aliases is treated as an alias bomb.
MAX_EXPANDED_NODES = 2_000_000
#: Deepest nesting of mappings and sequences accepted in a document.  Real
#: manifests stay far below (a CRD's schema reaches a few dozen levels); the
#: stages after reading (copy, merge, splice, JSON) may then recurse freely.
MAX_DEPTH = 200

Warn = Callable[[str, int | None], None]

try:  # libyaml's parser when PyYAML was built with it (the wheels are)
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import BaseResolver


class KubeResolver(BaseResolver):
    """Implicit scalar types of go-yaml v2 (what kubectl uses)."""


KubeResolver.add_implicit_resolver("tag:yaml.org,2002:bool", BOOL, list("yYnNtTfFoO"))
KubeResolver.add_implicit_resolver("tag:yaml.org,2002:null", NULL, ["~", "n", "N", ""])
KubeResolver.add_implicit_resolver("tag:yaml.org,2002:int", INT, list("-+0123456789"))
KubeResolver.add_implicit_resolver("tag:yaml.org,2002:float", FLOAT, list("-+0123456789."))
KubeResolver.add_implicit_resolver("tag:yaml.org,2002:merge", MERGE, ["<"])

_TRUE = {"y", "yes", "true", "on"}


class KubeConstructor(SafeConstructor):
    """SafeConstructor with go-yaml v2 scalar values and last-wins duplicates."""

    warn: Warn | None = None

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() in _TRUE

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        return _go_int(str(self.construct_scalar(node)))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                    if key in seen and self.warn is not None:
                        self.warn(f"duplicate key {key!r}; the last value wins, as in kubectl", key_node.start_mark.line)
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Timestamps and the YAML 1.1 "value" scalar ("=") are plain strings to kubectl.
KubeConstructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)  # type: ignore[type-var]
KubeConstructor.add_constructor("tag:yaml.org,2002:value", SafeConstructor.construct_yaml_str)  # type: ignore[type-var]
KubeConstructor.add_constructor("tag:yaml.org,2002:bool", KubeConstructor.construct_yaml_bool)  # type: ignore[type-var]
KubeConstructor.add_constructor("tag:yaml.org,2002:int", KubeConstructor.construct_yaml_int)  # type: ignore[type-var]


class KubeLoader(_Parser, Composer, KubeConstructor, KubeResolver):
    """libyaml parser + go-yaml v2 scalar rules."""

    def __init__(self, stream: Any) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        KubeConstructor.__init__(self)
        KubeResolver.__init__(self)


def load_plain(text: str, location: Location, warn: Warn | None = None, *, keep_nodes: bool = False) -> Any:
    """Parse one document into plain Python data, as kubectl would read it.

    ``location`` is the document's (file, index, first line); YAML errors are
    turned into :class:`InputError` pointing at the line in the file.  With
    ``keep_nodes``, the same pass also keeps what the positioned node tree
    the splicing writer needs is made of (:func:`pyinject.manifests.nodes.compose`
    then finds it), so a document that will be rewritten is parsed once.
    """
    if _EventParser is not None:
        events: list[Any] | None = [] if keep_nodes else None
        closes: dict[int, int] = {}
        try:
            data, aliased = _load_events(text, events, closes)
        except (_Unsupported, yaml.YAMLError, KeyError):
            pass  # the full loader decides, and words any error
        except _TooDeep:
            raise _too_deep(location) from None
        else:
            if aliased:
                check_expansion(data, location)
                if nesting_depth(data) > MAX_DEPTH:
                    raise _too_deep(location)
            if events is not None:
                remember_nodes(text, events, closes, aliased)
            return data
    loader = KubeLoader(text)
    loader.warn = warn
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        raise _yaml_error(err, location) from None
    except yaml.reader.ReaderError as err:
        raise _reader_error(err, text, location) from None
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {' '.join(str(err).split())}", location) from None
    except RecursionError:
        raise _too_deep(location) from None
    finally:
        loader.dispose()
    check_expansion(data, location)
    if nesting_depth(data) > MAX_DEPTH:
        raise _too_deep(location)
    return data


#: How deep a piece of a rendered template may sit in it (root, spec, a list, an item).
PIECE_DEPTH = 4


def load_piece(text: str) -> Any:
    """Plain data of one small machine-made document, by the fast path only.

    Raises ValueError for what the fast path leaves to the full loader (tags,
    merge keys, duplicate keys, invalid YAML) and for aliases, so a caller that
    decodes a text in pieces never has to reason about them.
    """
    if _EventParser is None:  # pragma: no cover - PyYAML without libyaml
        raise ValueError("no libyaml")
    try:
        data, aliased = _load_events(text)
    except (_Unsupported, _TooDeep, yaml.YAMLError) as err:
        raise ValueError(str(err)) from None
    if aliased:
        raise ValueError("aliases")
    if nesting_depth(data) > MAX_DEPTH - PIECE_DEPTH:
        # A piece sits up to PIECE_DEPTH levels inside its document: near the
        # limit, only the whole document can say whether it is too deep.
        raise ValueError("deep")
    return data


class _TooDeep(Exception):
    """The document nests deeper than MAX_DEPTH."""


def _too_deep(location: Location) -> InputError:
    return InputError(f"nested deeper than {MAX_DEPTH} levels of mappings and lists; pyinject refuses such documents", location)


def nesting_depth(data: Any) -> int:
    """How many mappings and sequences deep ``data`` goes (iterative; stops counting past MAX_DEPTH)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen: dict[int, int] = {}
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        if seen.get(id(node), 0) >= depth:
            continue  # shared through an alias, and already walked from at least this deep
        seen[id(node)] = depth
        stack.extend((child, depth + 1) for child in children)
    return deepest


_EventParser: Any
try:
    from yaml._yaml import CParser as _CEventParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _EventParser = None
else:
    _EventParser = _CEventParser

from yaml.events import (  # noqa: E402 - after the optional import above
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)


class _Unsupported(Exception):
    """Something only the full loader handles (or reports)."""


# Plain scalars starting with anything else are strings.
_MAYBE_NOT_STRING = frozenset("-+0123456789.yYnNtTfFoO~<")
_NO_KEY = object()


#: Short plain scalars read before (keys such as ``name`` and ``timeoutSeconds``,
#: ports, ``true``) and their values: a value depends on the text alone and is
#: immutable (None, a bool, an int, a float or the text), so one serves every
#: document.  Bounded in entries and in the length of each.
_PLAIN_VALUES: dict[str, Any] = {}
_PLAIN_VALUES_SIZE = 4_096
_PLAIN_VALUE_LENGTH = 64


def plain_scalar(text: str) -> Any:
    """A plain scalar's value under go-yaml v2 rules (see KubeResolver)."""
    if not text:
        return None
    if text[0] not in _MAYBE_NOT_STRING:
        return text
    known = _PLAIN_VALUES.get(text, _NO_KEY)
    if known is not _NO_KEY:
        return known
    value = _resolve_plain(text)  # raises for "<<" every time: never stored
    if len(text) > _PLAIN_VALUE_LENGTH:
        return value
    if len(_PLAIN_VALUES) >= _PLAIN_VALUES_SIZE:
        _PLAIN_VALUES.clear()
    _PLAIN_VALUES[text] = value
    return value


def _resolve_plain(text: str) -> Any:
    """:func:`plain_scalar` of a text that may be something other than a string."""
    if NULL.match(text):
        return None
    if BOOL.match(text):
        return text.lower() in _TRUE
    if INT.match(text):
        return _go_int(text)
    if FLOAT.match(text):
        lowered = text.lower()
        if lowered.lstrip("+-") == ".inf":
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")
        return float(text)
    if text == "<<":
        raise _Unsupported("merge key")
    return text


def _go_int(text: str) -> int:
    """go-yaml v2's integer: ``_`` removed, then Go's ParseInt with base prefixes (and leading-0 octal)."""
    text = text.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    lowered = digits.lower()
    if lowered.startswith("0x"):
        return sign * int(digits[2:], 16)
    if lowered.startswith("0b"):
        return sign * int(digits[2:], 2)
    if lowered.startswith("0o"):
        return sign * int(digits[2:], 8)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _load_events(text: str, events: list[Any] | None = None, closes: dict[int, int] | None = None) -> tuple[Any, bool]:
    """Plain data built directly from libyaml's event stream (one document, no tags).

    Also says whether the document used aliases (only then can it be an alias
    bomb).  ``events``, when given, gets every event, and ``closes`` the index
    there of each mapping's and sequence's end event, by that of its start
    event (what :func:`pyinject.manifests.nodes.remember` needs).
    """
    assert _EventParser is not None
    parser = _EventParser(text)
    next_event = parser.get_event
    feed = events.append if events is not None else None
    opened_at: list[int] = []  # with ``events``: where each open collection started
    ends = closes if closes is not None else {}
    read_before = _PLAIN_VALUES.get
    anchors: dict[str, Any] = {}
    stack: list[tuple[Any, Any, bool]] = []
    current: Any = None  # the open mapping or sequence
    key: Any = _NO_KEY
    in_map = False
    root: Any = None
    aliased = False
    while True:
        event: Any = next_event()
        if feed is not None:
            feed(event)
        kind = type(event)
        if kind is ScalarEvent:
            if event.tag is not None:
                raise _Unsupported("tag")
            value: Any = event.value
            if not event.style and event.implicit[0] and (not value or value[0] in _MAYBE_NOT_STRING):
                # The other plain scalars are strings as they stand; most of these were read before.
                known = read_before(value, _NO_KEY)
                value = plain_scalar(value) if known is _NO_KEY else known
            if event.anchor is not None:
                anchors[event.anchor] = value
            if current is not None:
                # Placed here, as below, less the check a scalar never needs.
                if not in_map:
                    current.append(value)
                elif key is _NO_KEY:
                    key = value
                else:
                    if key in current:
                        raise _Unsupported("duplicate key")
                    current[key] = value
                    key = _NO_KEY
                continue
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag is not None:
                raise _Unsupported("tag")
            opened: Any = {} if kind is MappingStartEvent else []
            if events is not None:
                opened_at.append(len(events) - 1)
            if event.anchor is not None:
                anchors[event.anchor] = opened
            if current is not None:
                stack.append((current, key, in_map))
                if len(stack) >= MAX_DEPTH:
                    raise _TooDeep()
            else:
                root = opened
            current, key, in_map = opened, _NO_KEY, kind is MappingStartEvent
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            if events is not None:
                ends[opened_at.pop()] = len(events) - 1
            if not stack:
                current = None
                continue
            value = current
            current, key, in_map = stack.pop()
        elif kind is AliasEvent:
            try:
                value = anchors[event.anchor]
            except KeyError:
                raise _Unsupported("undefined alias") from None
            aliased = True
        elif kind is DocumentEndEvent:
            if type(next_event()) is not StreamEndEvent:
                raise _Unsupported("more than one document")
            return root, aliased
        elif event is None or kind is StreamEndEvent:
            return root, aliased
        else:
            continue
        if current is None:
            root = value
        elif not in_map:
            current.append(value)
        elif key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise _Unsupported("collection as a key")
            key = value
        else:
            if key in current:
                raise _Unsupported("duplicate key")  # the full loader warns about it
            current[key] = value
            key = _NO_KEY


def _reader_error(err: yaml.reader.ReaderError, text: str, location: Location) -> InputError:
    """A character YAML does not allow, at its line and column (libyaml says only "position N")."""
    from pyinject.records import replace

    before = text[: err.position]
    line = (location.line or 1) + before.count("\n")
    col = err.position - (before.rfind("\n") + 1) + 1
    char = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
    return InputError(f"invalid YAML: character {char} is not allowed ({err.reason})", replace(location, line=line, col=col))


def _yaml_error(err: yaml.MarkedYAMLError, location: Location) -> InputError:
    mark = err.problem_mark or err.context_mark
    problem = err.problem or err.context or "invalid YAML"
    line = col = None
    if mark is not None:
        base = location.line or 1
        line, col = base + mark.line, mark.column + 1
    from pyinject.records import replace

    return InputError(f"invalid YAML: {problem}", replace(location, line=line, col=col))


def check_expansion(data: Any, location: Location, limit: int = MAX_EXPANDED_NODES) -> None:
    """Refuse documents whose aliases expand beyond ``limit`` nodes.

    Loaders share aliased objects, so a "billion laughs" document is small in
    memory; it explodes in whatever walks it later (JSON output, templates).
    Count the expanded size once, memoised per shared object.
    """
    sizes: dict[int, int] = {}

    def size(value: Any) -> int:
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            return 1
        key = id(value)
        known = sizes.get(key)
        if known is not None:
            return known
        sizes[key] = 1  # a cycle counts once (YAML cannot build one, but be safe)
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                break
        sizes[key] = total
        return total

    if size(data) > limit:
        raise InputError(f"YAML aliases expand to more than {limit} nodes; refusing to process (alias bomb?)", location)


# --------------------------------------------------------------------------
# Round trip (ruamel.yaml) for the documents injection rewrites.
# --------------------------------------------------------------------------

_ROUNDTRIP: Any = None


def _roundtrip_yaml() -> Any:
    """One configured ruamel.yaml instance per process (building it is slow)."""
    global _ROUNDTRIP
    if _ROUNDTRIP is None:
        from ruamel.yaml import YAML
        from ruamel.yaml.constructor import RoundTripConstructor

        class LastWinsConstructor(RoundTripConstructor):
            """kubectl keeps the last of duplicated keys; ruamel keeps the first."""

            def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
                if key in mapping:
                    del mapping[key]
                return True

        rt = YAML(typ="rt")
        rt.Constructor = LastWinsConstructor
        rt.preserve_quotes = True
        rt.width = 4096
        rt.indent(mapping=2, sequence=2, offset=0)
        _ROUNDTRIP = rt
    return _ROUNDTRIP


def load_roundtrip(text: str, location: Location) -> Any:
    """Parse one document keeping comments, order and scalar text (ruamel)."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    rt = _roundtrip_yaml()
    try:
        return rt.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        from pyinject.records import replace

        where = location
        if mark is not None:
            where = replace(location, line=(location.line or 1) + mark.line, col=mark.column + 1)
        raise InputError(f"invalid YAML: {err.problem or err.context}", where) from None
    except YAMLError as err:  # pragma: no cover - other ruamel failures
        raise InputError(f"invalid YAML: {err}", location) from None


def guess_indent(text: str) -> tuple[int, int, int]:
    """Guess ruamel's (mapping, sequence, offset) indentation for a block document.

    ruamel re-indents a whole document with one setting; taking it from the
    document's first nested mapping and first block sequence keeps untouched
    parts of a rewritten workload looking as the user wrote them.  Both come
    from a block's opener ("key:") and the next line that says something: the
    mapping from the first such line indented deeper, the offset from the
    first such ``-`` line indented at least as deep.
    """
    if any(brk in text for brk in _OTHER_BREAKS):
        mapping, offset = _indents_line_by_line(text)
    else:
        # Lines end with "\n" only: the first ``-`` line usually follows its opener
        # far down, and a look back from each is cheaper than reading every line.
        mapping, offset = _nested_mapping(text), _sequence_offset(text)
    mapping = mapping or 2
    offset = offset or 0
    return mapping, offset + 2, offset


#: What str.splitlines breaks lines at besides "\n".
_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _indents_line_by_line(text: str) -> tuple[int | None, int | None]:
    """:func:`guess_indent`'s (mapping, offset) found in one pass over the lines (None: none found)."""
    mapping: int | None = None
    offset: int | None = None
    opener = -1  # the indentation of the last line read if it opens a block ("key:"), else -1
    for line in text.splitlines():
        body = line.lstrip()
        if not body or body[0] == "#":
            continue  # blank lines and comments say nothing
        if opener >= 0:
            child_body = line.lstrip(" ")
            delta = len(line) - len(child_body) - opener
            if child_body.startswith("- "):
                if offset is None and delta >= 0:
                    offset = delta
            elif mapping is None and delta > 0:
                mapping = delta
            if mapping is not None and offset is not None:
                break  # both are usually found in the document's first lines
        opener = _opener(line, body)
    return mapping, offset


def _opener(line: str, body: str) -> int:
    """The indentation of ``line`` (``body``: without leading blanks) if it opens a block, else -1."""
    return len(line) - len(line.lstrip(" ")) if line.rstrip().endswith(":") and not body.startswith("- ") else -1


def _nested_mapping(text: str) -> int | None:
    """The mapping of :func:`_indents_line_by_line`, for a text whose lines end with "\n" only."""
    opener = -1
    start, size = 0, len(text)
    while start <= size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        line = text[start:end]
        start = end + 1
        body = line.lstrip()
        if not body or body[0] == "#":
            continue
        if opener >= 0:
            child_body = line.lstrip(" ")
            delta = len(line) - len(child_body) - opener
            if delta > 0 and not child_body.startswith("- "):
                return delta
        opener = _opener(line, body)
    return None


def _sequence_offset(text: str) -> int | None:
    """The offset of :func:`_indents_line_by_line`, for a text whose lines end with "\n" only.

    Only a ``-`` line can give it: each, in order, is paired with the line
    that says something before it (skipping blank lines and comments).
    """
    found = text.find("- ")
    while found >= 0:
        start = text.rfind("\n", 0, found) + 1
        if text.count(" ", start, found) == found - start:  # only spaces before the "- "
            indent = found - start
            end = start - 1  # the "\n" that ends the line before
            while end >= 0:
                before = text.rfind("\n", 0, end) + 1
                line = text[before:end]
                body = line.lstrip()
                if body and body[0] != "#":
                    opener = _opener(line, body)
                    if opener >= 0 and indent >= opener:
                        return indent - opener
                    break
                end = before - 1
            found = text.find("\n", found)  # the next line
            if found < 0:
                return None
        found = text.find("- ", found + 1)
    return None


def copy_plain(value: Any) -> Any:
    """A deep copy of plain YAML data (dicts, lists, scalars); several times faster than copy.deepcopy.

    Shared (aliased) parts come out as separate copies, which plain data allows.
    """
    kind = type(value)
    # Most values are scalars, kept as they are without a call each.
    if kind is dict:
        return {k: v if type(v) in _IMMUTABLE else copy_plain(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _IMMUTABLE else copy_plain(v) for v in value]
    if kind in _IMMUTABLE:
        return value
    if kind is JSONStruct:  # decoded Go structs (rendered containers) stay structs
        return JSONStruct((k, copy_plain(v)) for k, v in value.items())
    if isinstance(value, dict):
        # Any other dict subclass: the copy is plain data.
        return {k: copy_plain(v) for k, v in value.items()}
    return copy.deepcopy(value)


_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes})
