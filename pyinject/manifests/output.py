"""How documents are written: the output modes (styles and formats) and the joined stream.

``--output-format`` and ``--output-style`` become an :class:`OutputMode` in one
place, :func:`output_mode`; the pipeline hands each document to the mode's
``emit`` and the text to a :class:`StreamWriter`.
"""

from __future__ import annotations

import hashlib
from typing import IO, Any

from pyinject.errors import OutputError, UsageError
from pyinject.manifests.read import RawDocument
from pyinject.manifests.workloads import LIST_KIND
from pyinject.manifests.write import emit_json, emit_unchanged, emit_yaml
from pyinject.model import OutputMode


def emit_preserving(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """pyinject's YAML: untouched documents byte for byte, rewritten ones keep comments and order."""
    return emit_yaml(doc, original, data) if changed else emit_unchanged(doc)


#: How the JSON ``List`` of the output documents opens, and how each item is indented in it.
LIST_HEAD = '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n'
LIST_INDENT = "    "


def emit_list_items(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """A document as items of the output List, indented to sit in it; a List's own items are lifted out."""
    if data is None:
        return ""
    items = data.get("items") if isinstance(data, dict) and data.get("kind") == LIST_KIND else None
    if not isinstance(items, list):
        items = [data]
    indent = "\n" + LIST_INDENT
    return ",\n".join(LIST_INDENT + emit_json(item).rstrip("\n").replace("\n", indent) for item in items)


def emit_json_if_changed(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """For a ``.json`` file rewritten in place: rewritten documents as JSON, the others as they were."""
    return doc.separator + emit_json(data) if changed else emit_unchanged(doc)


PRESERVING = OutputMode("pyinject", emit_preserving, splices=True)
JSON_IF_CHANGED = OutputMode("json-if-changed", emit_json_if_changed, yaml=False)
JSON_OUTPUT = OutputMode("json", emit_list_items, yaml=False, parse_all=True, as_list=True)

#: ``--output-style`` values.  The default keeps what users wrote; ``istioctl``
#: writes what ``istioctl kube-inject`` writes (see :mod:`pyinject.manifests.istioctl_style`).
OUTPUT_STYLES = ("pyinject", "istioctl")


def output_mode(output_format: str = "yaml", output_style: str = "pyinject", *,
                k8s_minor: int | None = None, yaml_fold: bool = True,
                registered: frozenset[tuple[str, str]] | None = None) -> OutputMode:
    """The one place that turns ``--output-format`` and ``--output-style`` into a writer.

    ``k8s_minor``, ``yaml_fold`` and ``registered``: the Go libraries and inject scheme of
    the istioctl release being reproduced (see ``istioctl_style.GoLibraries``); None: today's.
    """
    if output_style == "istioctl":
        if output_format != "yaml":
            raise UsageError("--output-style istioctl writes YAML only (istioctl has no JSON output)")
        from pyinject.manifests.istioctl_style import ISTIOCTL, GoLibraries, istioctl_mode

        if k8s_minor is None:
            return ISTIOCTL
        return istioctl_mode(GoLibraries(k8s_minor=k8s_minor, yaml_fold=yaml_fold, registered=registered))
    if output_style != "pyinject":
        raise UsageError(f"unknown output style {output_style!r}; have {', '.join(OUTPUT_STYLES)}")
    return JSON_OUTPUT if output_format == "json" else PRESERVING


class ChangeTracker:
    """Which sources' output differs from their text, compared as the documents stream by.

    Whole texts are compared (through digests, so memory stays flat), not
    document by document: an output style may move text between documents,
    as istioctl's puts the ``---`` at the end of each document, not the start.
    """

    def __init__(self) -> None:
        self.source: str | None = None
        self.read = hashlib.sha256()
        self.written = hashlib.sha256()
        self.changed: list[str] = []

    def add(self, doc: RawDocument, text: str) -> None:
        if doc.source != self.source or doc.first_in_source:
            self._close()
            self.source = doc.source
        self.read.update(doc.text.encode("utf-8", "surrogatepass"))
        self.written.update(text.encode("utf-8", "surrogatepass"))

    def finish(self) -> list[str]:
        """The changed sources so far, in input order (and start afresh)."""
        self._close()
        changed, self.changed = self.changed, []
        return changed

    def _close(self) -> None:
        if self.source is not None and self.read.digest() != self.written.digest() and self.source not in self.changed:
            self.changed.append(self.source)
        self.source = None
        self.read = hashlib.sha256()
        self.written = hashlib.sha256()


class StreamWriter:
    """Joins documents (and several input files) into one valid YAML stream, or the items of one JSON List."""

    def __init__(self, out: IO[str], yaml: bool, as_list: bool = False) -> None:
        self.out = out
        self.yaml = yaml
        self.as_list = as_list
        self.written = False
        self.tail = "\n"

    def write(self, doc: RawDocument, text: str) -> None:
        if not text:
            return
        if self.as_list:
            self._put((",\n" if self.written else LIST_HEAD) + text)
            self.written = True
            return
        if self.written and not self.tail.endswith("\n"):
            self._put("\n")
            self.tail += "\n"
        if self.yaml and self.written and doc.first_in_source and not doc.separator and not self.tail.endswith("\n---\n"):
            # Two files joined: keep their documents apart.
            self._put("---\n")
        self._put(text)
        self.written = True
        self.tail = (self.tail + text)[-5:]

    def finish(self) -> None:
        """Close the List (an empty one when no document was written)."""
        if self.as_list:
            self._put("\n  ]\n}\n" if self.written else '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": []\n}\n')

    def _put(self, text: str) -> None:
        try:
            self.out.write(text)
        except OSError as err:
            # The spool spilled to a file in TMPDIR, and that file system is full.
            raise OutputError(f"cannot hold the output in a temporary file (TMPDIR): {err.strerror}") from err
