"""How documents are written: the output modes (styles and formats) and the joined stream.

``--output-format`` and ``--output-style`` become an :class:`OutputMode` in one
place, :func:`output_mode`; the pipeline hands each document to the mode's
``emit`` and the text to a :class:`StreamWriter`.
"""

from __future__ import annotations

import io

TYPE_CHECKING = False
if TYPE_CHECKING:
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

    Whole texts are compared, not document by document: an output style may
    move text between documents, as istioctl's puts the ``---`` at the end of
    each document, not the start.  Only the part of one side that the other
    has not yet caught up with is kept, so memory stays flat.
    """

    def __init__(self) -> None:
        self.source: str | None = None
        self.changed: list[str] = []
        self._reset()

    def _reset(self) -> None:
        #: The read (or written) text not yet matched by the other side; at most one of them is not empty.
        self.read_ahead = ""
        self.written_ahead = ""
        self.differs = False

    def add(self, doc: RawDocument, text: str) -> None:
        if doc.source != self.source or doc.first_in_source:
            self._close()
            self.source = doc.source
        if self.differs:
            return
        read, written = self.read_ahead + doc.text, self.written_ahead + text
        if len(read) >= len(written):
            same, self.read_ahead, self.written_ahead = read.startswith(written), read[len(written):], ""
        else:
            same, self.read_ahead, self.written_ahead = written.startswith(read), "", written[len(read):]
        if not same:
            self.differs = True
            self.read_ahead = self.written_ahead = ""

    def finish(self) -> list[str]:
        """The changed sources so far, in input order (and start afresh)."""
        self._close()
        changed, self.changed = self.changed, []
        return changed

    def _close(self) -> None:
        differs = self.differs or self.read_ahead != self.written_ahead
        if self.source is not None and differs and self.source not in self.changed:
            self.changed.append(self.source)
        self.source = None
        self._reset()


class _Spool:
    """``tempfile.SpooledTemporaryFile(max_size, mode="w+", encoding="utf-8", newline="")``, in what the runs use.

    The same UTF-8 text file in memory, moved to an unnamed temporary file once
    it passes ``max_size``, without loading ``tempfile`` (and the modules it
    loads) at start-up: only an output that large needs it.
    """

    def __init__(self, max_size: int) -> None:
        self._file: IO[str] = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
        self._max_size = max_size
        self._rolled = False

    def write(self, text: str) -> int:
        written = self._file.write(text)
        if not self._rolled and self._max_size and self._file.tell() > self._max_size:
            self._rollover()
        return written

    def _rollover(self) -> None:
        import tempfile
        from typing import cast

        memory = self._file
        self._file = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")
        position = memory.tell()
        self._file.buffer.write(cast(io.BytesIO, memory.detach()).getvalue())  # type: ignore[attr-defined]
        self._file.seek(position, 0)
        self._rolled = True

    def read(self, size: int = -1) -> str:
        return self._file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


def spooled_output(max_size: int) -> IO[str]:
    """A text file for a run's output: in memory up to ``max_size``, beyond that in a temporary file."""
    return _Spool(max_size)  # type: ignore[return-value]  # a _Spool reads and writes as IO[str] does


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
        self.tail = (self.tail + text[-5:])[-5:]

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
