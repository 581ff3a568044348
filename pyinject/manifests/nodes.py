"""The node tree of a YAML document with the position of every node in its text.

libyaml reports where each event starts and ends; :func:`compose` keeps those
positions (PyYAML's nodes lose an alias's own position, which the splicing
writer needs to expand it in place) together with what the writer needs to
know about each node: kind, flow or block style, scalar style, anchor.
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


class NodeBuilder:
    """Builds the node tree from libyaml's events, fed one by one.

    :func:`compose` feeds it its own parse; the plain-data loader
    (:func:`pyinject.manifests.load.load_plain`) can feed it the events it
    reads anyway, so a document that will be spliced is parsed once.
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
        # Called for every event of every document read for splicing: attaching is inlined.
        kind = type(event)
        if kind is ScalarEvent:
            # Made field by field: calling the class costs a third more (see _Scalar for the rest).
            node: Node = _new_node(_Scalar)
            node.start = event.start_mark.index
            node.end = event.end_mark.index
            node.style = event.style or ""
            node.value = event.value
            anchor = node.anchor = event.anchor
            self._siblings.append(node)
            if anchor is not None:
                self._anchors[anchor] = node
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


#: The last document the loader composed while reading it: (text, root, refs).
_COMPOSED: tuple[str, Node | None, dict[int, list[Node]]] | None = None


def remember(text: str, builder: NodeBuilder) -> None:
    """Keep the tree a loader built for ``text`` (one document), for the next :func:`compose` of that text.

    Only the last one is kept: the pipeline reads a document, then writes it,
    before it reads the next.
    """
    global _COMPOSED
    _COMPOSED = (text, builder.root, builder.refs)


def compose(text: str) -> tuple[Node | None, dict[int, list[Node]]]:
    """The first document of ``text`` as a node tree, and the aliases of each anchored node.

    Callers only read the tree, so the one the loader kept for the same text serves.
    """
    kept = _COMPOSED
    if kept is not None and kept[0] == text:
        return kept[1], kept[2]
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
