"""The node tree of a YAML document with the position of every node in its text.

libyaml reports where each event starts and ends; :func:`compose` keeps those
positions (PyYAML's nodes lose an alias's own position, which the splicing
writer needs to expand it in place) together with what the writer needs to
know about each node: kind, flow or block style, scalar style, anchor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(eq=False)
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
    parent: Node | None = None
    key: Node | None = None  # for a mapping value: its key


def compose(text: str) -> tuple[Node | None, dict[int, list[Node]]]:
    """The first document of ``text`` as a node tree, and the aliases of each anchored node."""
    parser = _EventParser(text)
    root: Node | None = None
    stack: list[Node] = []
    anchors: dict[str, Node] = {}
    refs: dict[int, list[Node]] = {}

    def attach(node: Node) -> None:
        nonlocal root
        if stack:
            parent = stack[-1]
            node.parent = parent
            if parent.kind == "map" and len(parent.children) % 2 == 1:
                node.key = parent.children[-1]
            parent.children.append(node)
        elif root is None:
            root = node
        if node.anchor is not None and node.kind != "alias":
            anchors[node.anchor] = node

    try:
        while True:
            event: Any = parser.get_event()
            if event is None:
                break
            kind = type(event)
            if kind is ScalarEvent:
                attach(Node("scalar", event.start_mark.index, event.end_mark.index, style=event.style or "",
                            value=event.value, anchor=event.anchor))
            elif kind is AliasEvent:
                target = anchors[event.anchor]
                node = Node("alias", event.start_mark.index, event.end_mark.index, anchor=event.anchor, target=target)
                refs.setdefault(id(target), []).append(node)
                attach(node)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                node = Node("map" if kind is MappingStartEvent else "seq", event.start_mark.index,
                            event.end_mark.index, flow=bool(event.flow_style), anchor=event.anchor)
                attach(node)
                stack.append(node)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop().end = event.end_mark.index
            elif kind is DocumentEndEvent:
                break
    except (YAMLError, KeyError) as err:
        raise ComposeError(f"cannot compose the document: {err}") from err
    return root, refs
