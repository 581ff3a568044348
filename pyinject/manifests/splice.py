"""Rewrite a document by splicing the change into its original text.

Injection works on plain data; the user's text must come back with only the
change applied.  This module composes the original text with libyaml (every
node knows where it starts and ends), walks the original and the new plain
data alongside that node tree, and turns each difference into a text edit:

- a changed scalar is replaced where it stands (keeping its quote style);
- a changed single-line flow collection (``{app: web}``) is rewritten whole,
  still in flow style;
- a new mapping key goes after the mapping's last entry, at its indentation
  (new ``metadata`` goes before ``spec``, where Kubernetes readers expect it);
- a removed key or list item disappears with its lines;
- a new list item goes between the items it sits between in the new list;
  items are matched by their Kubernetes identity (``name``, ``mountPath``...),
  so a new container does not disturb its neighbours;
- anything else (a value changing type, reordered items, duplicate or merge
  keys) is rewritten whole at its place, in the document's indentation.

Everything outside the edits (comments, key order, quoting, blank lines, line
endings) is the user's text, byte for byte.  An alias (``*labels``) whose
value changes is expanded where it stands, so the anchor and its other uses
keep their value; an anchored node that changes gives its anchor to its first
unchanged alias.  :func:`splice` raises :class:`CannotSplice` where it has no
safe edit; the writer then falls back to a full round trip.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.golang.values import data_equal
from pyinject.manifests import emit as yamlemit
from pyinject.manifests.emit import Layout
from pyinject.manifests.nodes import ComposeError, Node, compose

#: Keys that identify an element of a Kubernetes list (strategic-merge keys).
IDENTITY_KEYS = ("name", "mountPath", "containerPort", "devicePath", "ip", "topologyKey", "type")


class CannotSplice(Exception):
    """The change cannot be written as edits of the original text."""


def splice(text: str, original: Any, new: Any, layout: Layout | None = None,
           read_back: Callable[[str], Any] | None = None) -> str:
    """``text`` (one document, parsed as ``original``) with the change to ``new`` applied.

    Edits that expand aliases or move anchors are checked with ``read_back``
    (a loader): if the result does not read as ``new``, :class:`CannotSplice`.
    """
    if data_equal(original, new):
        return text
    try:
        root, refs = compose(text)
    except ComposeError as err:
        raise CannotSplice(str(err)) from err
    if root is None:
        raise CannotSplice("empty document")
    if layout is None:
        from pyinject.manifests.load import guess_indent

        mapping, _, offset = guess_indent(text)
        layout = Layout(mapping=mapping, offset=offset)
    plan = _Plan(text, layout, refs)
    plan.walk(root, original, new, _Site("root"))
    plan.relocate_anchors()
    out = plan.apply()
    if plan.touched_anchors and read_back is not None and not data_equal(read_back(out), new):
        raise CannotSplice("the edited aliases do not read back as the new data")
    return out


class _Site:
    """Where a value sits, which decides how new text for it is written.

    A plain class: one is made for every changed value, and a record's generic
    ``__init__`` would cost several times as much.
    """

    __slots__ = ("kind", "col", "after")

    def __init__(self, kind: str, col: int = 0, after: int = 0) -> None:
        self.kind = kind  # "key" (block mapping value), "dash" (block sequence item), "root" (the document)
        self.col = col  # column of the key / of the dash
        self.after = after  # index just past the ":" / the "-"


class _Plan:
    """The edits that turn the original text into the new one."""

    def __init__(self, text: str, layout: Layout, refs: dict[int, list[Node]]) -> None:
        self.text = text
        self.layout = layout
        self.refs = refs
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[tuple[int, int, int, str]] = []  # start, end, order, replacement
        self.moved_anchors: list[tuple[Node, Any]] = []
        #: Aliases were expanded or anchors moved: the result deserves a check.
        self.touched_anchors = False

    # -- text geometry ---------------------------------------------------

    def line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def col(self, pos: int) -> int:
        return pos - self.line_start(pos)

    def at_line_start(self, pos: int) -> bool:
        start = self.line_start(pos)
        return self.text[start:pos].strip(" ") == ""

    def line_end_after(self, pos: int) -> int:
        found = self.text.find("\n", pos)
        return len(self.text) if found < 0 else found + 1

    def content_end(self, node: Node) -> int:
        """One past the node's last character of content (block scalars without trailing breaks)."""
        while node.kind in ("map", "seq") and not node.flow and node.children:
            node = node.children[-1]
        end = node.end
        if node.kind == "scalar" and node.style in ("|", ">"):
            while end > node.start and self.text[end - 1] in " \t\r\n":
                end -= 1
        return end

    def colon_after(self, key: Node) -> int:
        pos = key.end
        while pos < len(self.text) and self.text[pos] in " \t":
            pos += 1
        if pos >= len(self.text) or self.text[pos] != ":":
            raise CannotSplice("mapping key without a following ':'")
        return pos

    def dash_before(self, item: Node) -> int:
        pos = item.start - 1
        while pos >= 0 and self.text[pos] in " \t\r\n":
            pos -= 1
        if pos < 0 or self.text[pos] != "-":
            raise CannotSplice("sequence item without its '-'")
        return pos

    # -- edits -------------------------------------------------------------

    def edit(self, start: int, end: int, replacement: str) -> None:
        if self.newline != "\n":
            replacement = replacement.replace("\n", self.newline)
        self.edits.append((start, end, len(self.edits), replacement))

    def insert_lines(self, pos: int, lines: str) -> None:
        """Insert whole lines at ``pos`` (a line start, or the end of the text)."""
        if pos >= len(self.text) and self.text and not self.text.endswith("\n"):
            lines = "\n" + lines
        self.edit(pos, pos, lines)

    def apply(self) -> str:
        edits = sorted(self.edits)
        out: list[str] = []
        pos = 0
        for start, end, _, replacement in edits:
            if start < pos:
                raise CannotSplice("overlapping edits")
            out.append(self.text[pos:start])
            out.append(replacement)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    def covered(self, node: Node) -> bool:
        """Whether an edit replaces or deletes all of ``node``."""
        node_end = self.content_end(node)
        return any(start <= node.start and node_end <= end and start < end for start, end, _, _ in self.edits)

    # -- the walk ------------------------------------------------------------

    def walk(self, node: Node, old: Any, new: Any, site: _Site) -> None:
        """Record the edits for one value that changed from ``old`` to ``new``."""
        if node.kind == "alias":
            # Expand the alias here: its anchor and the other aliases keep the old value.
            self.touched_anchors = True
            self.replace(node, new, site)
            return
        if node.anchor is not None and id(node) in self.refs:
            self.touched_anchors = True
            self.replace(node, new, site)
            self.moved_anchors.append((node, old))
            return
        if node.kind == "map" and not node.flow and isinstance(old, dict) and isinstance(new, dict) and new:
            if self.edit_map(node, old, new):
                return
        elif node.kind == "seq" and not node.flow and isinstance(old, list) and isinstance(new, list) and new:
            if self.edit_seq(node, old, new):
                return
        self.replace(node, new, site)

    def replace(self, node: Node, new: Any, site: _Site) -> None:
        """Write ``new`` whole in place of ``node``."""
        quote = node.style if node.kind == "scalar" and node.style in ("'", '"') and isinstance(new, str) else ""
        one_line = "\n" not in self.text[node.start:node.end]
        if node.kind == "scalar" and node.start < node.end and node.style in ("", "'", '"') and one_line \
                and not isinstance(new, (dict, list)) and not (isinstance(new, str) and "\n" in new):
            self.edit(node.start, node.end, yamlemit.scalar(new, quote=quote))
            return
        if node.kind in ("map", "seq") and node.flow and node.children and one_line \
                and isinstance(new, dict if node.kind == "map" else list) and new:
            self.edit(node.start, node.end, yamlemit.flow(new))
            return
        end = self.content_end(node)
        if site.kind == "key":
            self.edit_lines(site.after, end, yamlemit.value_after_key(new, site.col, self.layout, quote))
        elif site.kind == "dash":
            self.edit_lines(site.after, end, yamlemit.value_after_dash(new, site.col, self.layout, quote))
        else:
            self.edit_lines(node.start, end, yamlemit.document(new, self.layout).rstrip("\n"))

    def edit_lines(self, start: int, end: int, replacement: str) -> None:
        """Replace with text that may span lines, keeping a comment that followed the old value.

        The comment moves to the first line of the new text: left where it
        was, after a new ``|`` block it would become part of the string.
        """
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end < 0 else line_end
        rest = self.text[end:line_end].rstrip("\r")
        if "\n" in replacement and rest.strip(" \t"):
            first, _, others = replacement.partition("\n")
            replacement = first + rest + "\n" + others
            end += len(rest)
        self.edit(start, end, replacement)

    def edit_map(self, node: Node, old: dict[Any, Any], new: dict[Any, Any]) -> bool:
        """Edit a block mapping entry by entry; False if its keys do not line up with ``old``."""
        children = node.children
        keys = children[0::2]
        if len(keys) != len(old):
            return False  # duplicate keys or merge keys ("<<"): rewrite it whole
        text = self.text
        colons: list[int] = []
        for key_node, key in zip(keys, old):
            if key_node.kind != "scalar" or (key_node.style == "" and key_node.value == "<<"):
                return False
            if isinstance(key, str) and key_node.value != key:
                return False
            end = key_node.end
            if text[end:end + 1] == ":":  # the usual place; colon_after also looks past blanks
                colons.append(end)
                continue
            try:
                colons.append(self.colon_after(key_node))
            except CannotSplice:
                return False
        values = children[1::2]
        col = self.col(keys[0].start)
        if old.keys() <= new.keys():  # the usual case: no key goes, no entry is deleted
            entries: Any = zip(keys, values, colons, old)
            kept_count = len(old)
        else:
            kept = [key in new for key in old]
            gone = self.delete_leading_entries(keys, values, kept)
            entries = islice(zip(keys, values, colons, old), gone, None)
            kept_count = kept.count(True)
        for key_node, value_node, colon, key in entries:
            if key not in new:
                self.delete_entry(key_node, value_node)
            else:
                before, after = old[key], new[key]
                if before is not after and not data_equal(before, after):
                    self.walk(value_node, before, after, _Site("key", col, colon + 1))
        if len(new) == kept_count:
            return True  # every new key was an old one
        added = {k: v for k, v in new.items() if k not in old}
        if "metadata" in added and "spec" in old:
            spec = keys[list(old).index("spec")]
            if self.at_line_start(spec.start):
                # Kubernetes objects read metadata before spec; keep new metadata there.
                self.insert_lines(self.line_start(spec.start),
                                  yamlemit.entries({"metadata": added.pop("metadata")}, col, self.layout))
        if added:
            end = self.line_end_after(self.content_end(values[-1]))
            self.insert_lines(end, yamlemit.entries(added, col, self.layout))
        return True

    def delete_leading_entries(self, keys: list[Node], values: list[Node], kept: list[bool]) -> int:
        """Delete the entries before the first kept one when they share the line of a ``-``.

        In ``- name: a`` the first key cannot go with its line; the next kept
        key moves up to the dash instead.  Returns how many entries were handled.
        """
        if kept[0] or self.at_line_start(keys[0].start):
            return 0
        first_kept = kept.index(True) if True in kept else len(keys)
        if first_kept < len(keys):
            self.edit(keys[0].start, keys[first_kept].start, "")
        else:
            end = self.line_end_after(self.content_end(values[-1]))
            if end > 0 and self.text[end - 1] == "\n":
                end -= 2 if self.text[end - 2:end] == "\r\n" else 1
            self.edit(keys[0].start, end, "")
        return first_kept

    def delete_entry(self, key: Node, value: Node) -> None:
        self.edit(self.line_start(key.start), self.line_end_after(self.content_end(value)), "")

    def edit_seq(self, node: Node, old: list[Any], new: list[Any]) -> bool:
        """Edit a block sequence item by item; False if items moved or dashes are not where expected."""
        items = node.children
        if len(items) != len(old):
            return False
        try:
            dashes = [self.dash_before(item) for item in items]
        except CannotSplice:
            return False
        if not all(self.at_line_start(d) for d in dashes):
            return False
        matches = match_items(old, new)
        order = [m for m in matches if m is not None]
        if order != sorted(order):
            return False  # reordered: rewrite the whole list
        col = self.col(dashes[0])
        used = set(order)
        for i, item in enumerate(items):
            if i not in used:
                self.edit(self.line_start(dashes[i]), self.line_end_after(self.content_end(item)), "")
        pending: list[Any] = []
        for j, match in enumerate(matches):
            if match is None:
                pending.append(new[j])
                continue
            if pending:
                self.insert_lines(self.line_start(dashes[match]), yamlemit.items(pending, col, self.layout))
                pending = []
            before, after = old[match], new[j]
            if before is not after and not data_equal(before, after):
                self.walk(items[match], before, after, _Site("dash", col, dashes[match] + 1))
        if pending:
            self.insert_lines(self.line_end_after(self.content_end(items[-1])), yamlemit.items(pending, col, self.layout))
        return True

    # -- anchors -------------------------------------------------------------

    def relocate_anchors(self) -> None:
        """An anchored node that changed hands its anchor to its first alias still in the text."""
        for node, old in self.moved_anchors:
            assert node.anchor is not None
            for alias in self.refs.get(id(node), []):
                if self.covered(alias):
                    continue
                self.anchor_at(alias, node.anchor, old)
                break
        self.check_anchors()

    def anchor_at(self, alias: Node, anchor: str, value: Any) -> None:
        parent, layout = alias.parent, self.layout
        collection = isinstance(value, (dict, list)) and bool(value)
        if parent is None:
            raise CannotSplice("an alias as the whole document")
        if parent.flow:
            self.edit(alias.start, alias.end, f"&{anchor} {yamlemit.flow(value)}")
        elif parent.kind == "map":
            if alias.key is None:
                raise CannotSplice("an alias as a mapping key")
            colon = self.colon_after(alias.key)
            col = self.col(parent.children[0].start)
            self.edit(colon + 1, alias.end, f" &{anchor}" + yamlemit.value_after_key(value, col, layout))
        else:
            dash = self.dash_before(alias)
            col = self.col(dash)
            if collection:
                body = (yamlemit.entries(value, col + 2, layout) if isinstance(value, dict)
                        else yamlemit.items(value, col + 2, layout))
                self.edit(dash + 1, alias.end, f" &{anchor}\n" + body.rstrip("\n"))
            else:
                self.edit(dash + 1, alias.end, f" &{anchor}" + yamlemit.value_after_dash(value, col, layout))

    def check_anchors(self) -> None:
        """Refuse edits that removed an anchor some remaining alias still needs."""
        moved = {id(node) for node, _ in self.moved_anchors}
        for aliases in self.refs.values():
            target = aliases[0].target
            assert target is not None
            if id(target) in moved or not self.covered(target):
                continue
            if any(not self.covered(alias) for alias in aliases):
                raise CannotSplice(f"an edit removes anchor &{target.anchor}, still used elsewhere")


def match_items(original: list[Any], new: list[Any]) -> list[int | None]:
    """For each new item, the index of the original item it continues (None: a new item).

    Items are matched by their Kubernetes identity first (``name``,
    ``mountPath``...), then items without one by position, then by equality.
    """
    used: set[int] = set()
    by_identity: dict[tuple[str, Any], int] = {}
    for i, item in enumerate(original):
        ident = identity(item)
        if ident is not None and ident not in by_identity:
            by_identity[ident] = i
    out: list[int | None] = []
    for position, item in enumerate(new):
        match = None
        ident = identity(item)
        if ident is not None and ident in by_identity and by_identity[ident] not in used:
            match = by_identity[ident]
        elif ident is None and position < len(original) and position not in used and identity(original[position]) is None:
            match = position
        if match is None:
            for i, old in enumerate(original):
                if i not in used and data_equal(old, item):
                    match = i
                    break
        if match is not None:
            used.add(match)
        out.append(match)
    return out


def identity(item: Any) -> tuple[str, Any] | None:
    """The strategic-merge identity of a list element (``("name", "web")``), if it has one."""
    if isinstance(item, dict):
        for key in IDENTITY_KEYS:
            value = item.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return key, value
    return None
