"""The node tree of a YAML document with the position of every node in its text.

libyaml reports where each event starts and ends; :func:`compose` keeps those
positions (PyYAML's nodes lose an alias's own position, which the splicing
writer needs to expand it in place) together with what the writer needs to
know about each node: kind, flow or block style, scalar style, anchor.

A tree built from the events the loader kept (:func:`remember`) makes the
children of a mapping or sequence only when first asked for: the writer walks
only what changed, and most of a document's nodes are never looked at.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from yaml import YAMLError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from pyinject.records import dataclass, field

try:
    from yaml._yaml import CParser as _EventParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import parse as _parse_events

    class _EventParser:  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            self._events = iter(_parse_events(text))

        def get_event(self) -> Any:
            return next(self._events, None)


class ComposeError(Exception):
    """The text is not one composable YAML document."""


@dataclass(eq=False, slots=True)
class Node:
    """Where one node of the original text is, and what it holds."""

    kind: str  # "scalar" | "map" | "seq" | "alias"
    start: int  # first character (its anchor or tag included)
    end: int  # one past the last character (a block collection's end is where the next token starts)
    flow: bool = False
    style: str = ""  # scalar style: "" plain, "'", '"', "|", ">"
    value: str = ""  # scalar text
    anchor: str | None = None
    children: list[Node] = field(default_factory=list)  # map: key, value, key, value...
    target: Node | None = None  # alias: the anchored node
    # Where an alias sits: the collection holding it and, in a mapping, its key.  The
    # builder sets them on aliases only, the one place the writer needs them: without
    # these links back up, a tree has no reference cycles and goes as soon as it is dropped.
    parent: Node | None = None
    key: Node | None = None

    def __init__(self, kind: str, start: int, end: int, flow: bool = False, style: str = "", value: str = "",
                 anchor: str | None = None, target: Node | None = None) -> None:
        # Written out: the record decorator's general __init__ costs four times as much
        # (NodeBuilder, which makes one per event, sets the fields itself: cheaper still).
        self.kind = kind
        self.start = start
        self.end = end
        self.flow = flow
        self.style = style
        self.value = value
        self.anchor = anchor
        self.children = []
        self.target = target
        self.parent = None
        self.key = None


class _Scalar(Node):
    """A scalar node: what every scalar has in common is kept once, on the class.

    The builder makes one per scalar event, the commonest by far; setting these
    six fields on each would cost more than the rest of its work.  Nothing
    changes a node once built, so sharing them is safe (they cannot be set).
    """

    __slots__ = ()
    kind = "scalar"
    flow = False
    #: Always empty (nothing ever adds to a scalar's children).
    children: list[Node] = []
    target: Node | None = None
    parent: Node | None = None
    key: Node | None = None


_new_node = object.__new__


def _scalar(event: Any) -> Node:
    """The node of a scalar event."""
    # Made field by field: calling the class costs a third more (see _Scalar for the rest).
    node: Node = _new_node(_Scalar)
    node.start = event.start_mark.index
    node.end = event.end_mark.index
    node.style = event.style or ""
    node.value = event.value
    node.anchor = event.anchor
    return node


class NodeBuilder:
    """Builds the node tree from libyaml's events, fed one by one.

    :func:`compose` feeds it its own parse, and :func:`remember` the events
    the plain-data loader (:func:`pyinject.manifests.load.load_plain`) kept of
    a document with aliases, so a document that will be spliced is parsed once.
    Raises KeyError for an alias to an anchor not yet seen.
    """

    __slots__ = ("refs", "_stack", "_anchors", "_siblings", "_top")

    def __init__(self) -> None:
        #: The aliases of each anchored node, by the node's id.
        self.refs: dict[int, list[Node]] = {}
        self._stack: list[Node] = []
        self._anchors: dict[str, Node] = {}
        #: What the document holds outside any collection: its root.
        self._top: list[Node] = []
        #: Where the next node goes: the children of the open collection (the stack's top), or ``_top``.
        self._siblings = self._top

    @property
    def root(self) -> Node | None:
        """The document's root node, once its first event is in."""
        return self._top[0] if self._top else None

    def add(self, event: Any) -> bool:
        """Take one event; True at the end of the (first) document."""
        # Called for every event of a document composed whole: attaching is inlined.
        kind = type(event)
        if kind is ScalarEvent:
            node = _scalar(event)
            self._siblings.append(node)
            if node.anchor is not None:
                self._anchors[node.anchor] = node
            return False
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            node = _new_node(Node)
            node.kind = "map" if kind is MappingStartEvent else "seq"
            node.start = event.start_mark.index
            node.end = event.end_mark.index
            node.flow = bool(event.flow_style)
            node.style = node.value = ""
            anchor = node.anchor = event.anchor
            node.children = []
            node.target = node.parent = node.key = None
            self._siblings.append(node)
            if anchor is not None:
                self._anchors[anchor] = node
            self._stack.append(node)
            self._siblings = node.children
            return False
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            stack = self._stack
            stack.pop().end = event.end_mark.index
            self._siblings = stack[-1].children if stack else self._top
            return False
        if kind is AliasEvent:
            target = self._anchors[event.anchor]
            node = Node("alias", event.start_mark.index, event.end_mark.index, anchor=event.anchor, target=target)
            self.refs.setdefault(id(target), []).append(node)
            if self._stack:  # only an alias needs to know where it sits (see Node.parent)
                parent = node.parent = self._stack[-1]
                if len(parent.children) & 1 and parent.kind == "map":
                    node.key = parent.children[-1]
            self._siblings.append(node)
            return False
        return kind is DocumentEndEvent


class _Collection(Node):
    """A mapping or sequence of a kept document, whose children are made from its events when first read.

    Its events are ``events[first:stop]`` (``stop``: its end event); ``closes``
    maps the index of each collection's start event to that of its end event.
    Only documents without aliases are built this way (aliases need the whole
    tree to know their targets and neighbours), so nothing links back up.
    """

    __slots__ = ("_events", "_closes", "_first", "_stop", "_made")

    _events: list[Any]
    _closes: dict[int, int]
    _first: int
    _stop: int
    _made: list[Node] | None

    @property
    def children(self) -> list[Node]:
        made = self._made
        if made is None:
            made = self._made = _children(self._events, self._closes, self._first, self._stop)
        return made

    @children.setter
    def children(self, value: list[Node]) -> None:
        self._made = value


def _collection(events: list[Any], closes: dict[int, int], at: int) -> Node:
    """The collection whose start event is ``events[at]``, its children not yet made."""
    event = events[at]
    stop = closes[at]
    node: _Collection = _new_node(_Collection)
    node.kind = "map" if type(event) is MappingStartEvent else "seq"
    node.start = event.start_mark.index
    node.end = events[stop].end_mark.index
    node.flow = bool(event.flow_style)
    node.style = node.value = ""
    node.anchor = event.anchor
    node.target = node.parent = node.key = None
    node._events, node._closes, node._first, node._stop, node._made = events, closes, at + 1, stop, None
    return node


def _children(events: list[Any], closes: dict[int, int], first: int, stop: int) -> list[Node]:
    """The nodes of ``events[first:stop]``: scalars, and collections whose own children wait."""
    made: list[Node] = []
    at = first
    while at < stop:
        event: Any = events[at]
        kind = type(event)
        if kind is ScalarEvent:
            made.append(_scalar(event))
            at += 1
        else:  # a mapping or sequence start: a kept document has no aliases
            made.append(_collection(events, closes, at))
            at = closes[at] + 1
    return made


class _Kept:
    """The last document a loader read with its events kept, and its tree once :func:`compose` made it."""

    __slots__ = ("text", "events", "closes", "tree")

    def __init__(self, text: str, events: list[Any], closes: dict[int, int],
                 tree: tuple[Node | None, dict[int, list[Node]]] | None) -> None:
        self.text = text
        self.events = events
        self.closes = closes
        self.tree = tree

    def built(self) -> tuple[Node | None, dict[int, list[Node]]]:
        """The root (made on demand below it) and, there being no aliases, no references."""
        if self.tree is None:
            events, root = self.events, None
            if len(events) > 2:  # stream start, document start, the root
                kind = type(events[2])
                if kind is MappingStartEvent or kind is SequenceStartEvent:
                    root = _collection(events, self.closes, 2)
                elif kind is ScalarEvent:
                    root = _children(events, self.closes, 2, 3)[0]
            self.tree = (root, {})
        return self.tree


_KEPT: _Kept | None = None


def remember(text: str, events: list[Any], closes: dict[int, int], aliased: bool) -> None:
    """Keep the events a loader read for ``text`` (one document), for the next :func:`compose` of that text.

    ``closes`` maps the index of each collection's start event to its end
    event's; ``aliased``: the document uses aliases (its tree is then built
    whole, now).  Only the last document is kept: the pipeline reads a
    document, then writes it, before it reads the next.
    """
    global _KEPT
    tree = None
    if aliased:
        builder = NodeBuilder()
        for event in events:
            if builder.add(event):
                break
        tree = (builder.root, builder.refs)
        events, closes = [], {}  # the tree holds all it needs
    _KEPT = _Kept(text, events, closes, tree)


def compose(text: str) -> tuple[Node | None, dict[int, list[Node]]]:
    """The first document of ``text`` as a node tree, and the aliases of each anchored node.

    Callers only read the tree, so the one the loader kept for the same text serves.
    """
    kept = _KEPT
    if kept is not None and kept.text == text:
        return kept.built()
    parser = _EventParser(text)
    builder = NodeBuilder()
    try:
        while True:
            event: Any = parser.get_event()
            if event is None or builder.add(event):
                break
    except (YAMLError, KeyError) as err:
        raise ComposeError(f"cannot compose the document: {err}") from err
    return builder.root, builder.refs
