"""run(): read → find → decide → load config → render → merge → postprocess → write.

Documents stream through one at a time.  Output goes to a spooled temporary
file and reaches its destination only when every document succeeded, so a
failing run leaves nothing half-written for ``kubectl apply`` to consume.
The same loop serves ``kube-inject`` and ``kube-uninject`` (the step behind
the :class:`Injector` seam differs), and both the joined stream written to
stdout or ``-o`` (:func:`run`) and the one-output-per-file form that
``--in-place`` needs (:func:`run_per_source`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from pyinject.errors import InputError, PyinjectError, UsageError
from pyinject.model import Options, Outcome, Record
from pyinject.manifests.read import STDIN, RawDocument, expand_paths, read_documents
from pyinject.manifests.workloads import BUILT_IN, KindTable, Workload, find_unclaimed, find_workloads, get_path, parse_pod_templates
from pyinject.manifests.write import emit_json, emit_unchanged, emit_yaml
from pyinject.manifests.load import copy_plain, load_plain

#: Output beyond this many bytes spills from memory to a temporary file.
SPOOL_MEMORY = 8 * 1024 * 1024
#: The same for one file of ``--in-place``: many files may be staged at once.
SOURCE_SPOOL_MEMORY = 1024 * 1024

#: How documents read from stdin name their source.
STDIN_SOURCE = "<stdin>"

#: Actions after which the pod template differs from the input.
REWRITING_ACTIONS = frozenset({"injected", "re-injected", "uninjected"})

Warn = Callable[[str], None]


@dataclass
class PodResult:
    """What the injection step did to one pod template."""

    metadata: dict[str, Any]
    spec: dict[str, Any]
    action: str  # "injected" | "re-injected" | "skipped" | "unchanged" | "uninjected"
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


class Injector(Protocol):
    """The injection seam: one pod template (and its owner) in, the new one out."""

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult: ...


class EmitFn(Protocol):
    """Writes one document: its raw text, the data it was read as, and the data to write.

    ``changed`` says whether any pod template in it was rewritten; ``has_workloads``
    whether it holds pod templates at all.
    """

    def __call__(self, doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str: ...


@dataclass(frozen=True)
class OutputMode:
    """How documents are written: the output styles and formats differ only here."""

    name: str
    emit: EmitFn
    #: Documents are YAML, joined with ``---`` between input files.
    yaml: bool = True
    #: Every document is parsed and re-encoded, even ones that cannot hold a workload.
    parse_all: bool = False


def emit_preserving(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """pyinject's YAML: untouched documents byte for byte, rewritten ones keep comments and order."""
    return emit_yaml(doc, original, data) if changed else emit_unchanged(doc)


def emit_as_json(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """Every document as indented JSON."""
    return "" if data is None else emit_json(data)


def emit_json_if_changed(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """For a ``.json`` file rewritten in place: rewritten documents as JSON, the others as they were."""
    return doc.separator + emit_json(data) if changed else emit_unchanged(doc)


PRESERVING = OutputMode("pyinject", emit_preserving)
JSON_IF_CHANGED = OutputMode("json-if-changed", emit_json_if_changed, yaml=False)
JSON_OUTPUT = OutputMode("json", emit_as_json, yaml=False, parse_all=True)

#: ``--output-style`` values.  The default keeps what users wrote; ``istioctl``
#: writes what ``istioctl kube-inject`` writes (see :mod:`pyinject.manifests.istioctl_style`).
OUTPUT_STYLES = ("pyinject", "istioctl")


def output_mode(output_format: str = "yaml", output_style: str = "pyinject") -> OutputMode:
    """The one place that turns ``--output-format`` and ``--output-style`` into a writer."""
    if output_style == "istioctl":
        if output_format != "yaml":
            raise UsageError("--output-style istioctl writes YAML only (istioctl has no JSON output)")
        from pyinject.manifests.istioctl_style import ISTIOCTL

        return ISTIOCTL
    if output_style != "pyinject":
        raise UsageError(f"unknown output style {output_style!r}; have {', '.join(OUTPUT_STYLES)}")
    return JSON_OUTPUT if output_format == "json" else PRESERVING


@dataclass
class RunResult:
    """The finished output (not yet delivered) and the per-workload report."""

    output: IO[str]
    outcomes: list[Outcome]
    #: Sources (file paths, ``<stdin>``) whose text the run would change, in input order.
    changed_sources: list[str] = field(default_factory=list)
    #: Every source read, in input order.
    sources: list[str] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        return [o.record for o in self.outcomes]

    def close(self) -> None:
        self.output.close()


@dataclass
class SourceResult:
    """One input file's finished output, for ``--in-place``."""

    source: str
    output: IO[str]
    #: False when the output is the file's text unchanged.
    changed: bool
    outcomes: list[Outcome]

    def close(self) -> None:
        self.output.close()


def run(
    options: Options,
    injector: Injector,
    *,
    stdin: IO[str] | None = None,
    warn: Warn | None = None,
    mode: OutputMode | None = None,
) -> RunResult:
    """Process every input document into one stream; raise PyinjectError on the first failure."""
    mode = mode or output_mode(options.output_format)
    table = kind_table(options)
    paths = expand_paths(options.filenames)
    spool: IO[str] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY, mode="w+", encoding="utf-8", newline="")
    outcomes: list[Outcome] = []
    try:
        writer = _StreamWriter(spool, yaml=mode.yaml)
        tracker = _ChangeTracker()
        for doc in read_documents(paths, stdin):
            text = process_document(doc, injector, outcomes, warn, mode, table)
            tracker.add(doc, text)
            writer.write(doc, text)
        changed_sources = tracker.finish()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    sources = [STDIN_SOURCE if p == STDIN else p for p in paths]
    return RunResult(spool, outcomes, changed_sources, sources)


def run_per_source(
    options: Options,
    injector: Injector,
    *,
    stdin: IO[str] | None = None,
    warn: Warn | None = None,
    mode_for: Callable[[str], OutputMode] | None = None,
) -> Iterator[SourceResult]:
    """Process each input file on its own, yielding its output when its last document is done.

    ``mode_for(source)`` picks each file's writer (a ``.json`` file may stay
    JSON).  ``changed`` compares the file's output with its text as both stream
    by, without reading the file twice.
    """
    default = output_mode(options.output_format)
    table = kind_table(options)
    current: SourceResult | None = None
    writer: _StreamWriter | None = None
    tracker = _ChangeTracker()
    mode = default
    try:
        for doc in read_documents(expand_paths(options.filenames), stdin):
            if current is None or doc.source != current.source or doc.first_in_source:
                if current is not None:
                    current.changed = bool(tracker.finish())
                    current.output.seek(0)
                    yield current
                spool: IO[str] = tempfile.SpooledTemporaryFile(
                    max_size=SOURCE_SPOOL_MEMORY, mode="w+", encoding="utf-8", newline=""
                )
                current = SourceResult(doc.source, spool, False, [])
                mode = mode_for(doc.source) if mode_for is not None else default
                writer = _StreamWriter(spool, yaml=mode.yaml)
            assert writer is not None
            text = process_document(doc, injector, current.outcomes, warn, mode, table)
            tracker.add(doc, text)
            writer.write(doc, text)
        if current is not None:
            current.changed = bool(tracker.finish())
            current.output.seek(0)
            finished, current = current, None
            yield finished
    finally:
        if current is not None:
            current.close()


class _ChangeTracker:
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


class _StreamWriter:
    """Joins documents (and several input files) into one valid YAML stream."""

    def __init__(self, out: IO[str], yaml: bool) -> None:
        self.out = out
        self.yaml = yaml
        self.written = False
        self.tail = "\n"

    def write(self, doc: RawDocument, text: str) -> None:
        if not text:
            return
        if self.written and not self.tail.endswith("\n"):
            self.out.write("\n")
            self.tail += "\n"
        if self.yaml and self.written and doc.first_in_source and not doc.separator and not self.tail.endswith("\n---\n"):
            # Two files joined: keep their documents apart.
            self.out.write("---\n")
        self.out.write(text)
        self.written = True
        self.tail = (self.tail + text)[-5:]


def kind_table(options: Options) -> KindTable:
    """The kinds whose pod templates this run injects: the built-ins and those ``--pod-template`` adds."""
    if not options.pod_templates and not options.known_kinds:
        return BUILT_IN
    return KindTable(parse_pod_templates(options.pod_templates, options.known_kinds))


def process_document(
    doc: RawDocument,
    injector: Injector,
    outcomes: list[Outcome],
    warn: Warn | None,
    mode: OutputMode = PRESERVING,
    table: KindTable = BUILT_IN,
) -> str:
    """One document in, its output text out; one Outcome per workload appended to ``outcomes``."""
    # Every document is parsed, so bad YAML anywhere is an error, as in kubectl.
    data = load_plain(doc.text, doc.location(), _line_warner(doc, warn))
    if not mode.parse_all and not table.words.search(doc.body) and not doc.body.strip(" \t\r\n").startswith(("{", "[")):
        # Names no kind we inject: pass it through without copying or walking it,
        # but say so when a custom kind in it holds a pod template.
        if "containers" in doc.body:
            outcomes.extend(unclaimed_outcomes(doc, data, table))
        return mode.emit(doc, data, data, changed=False, has_workloads=False)
    original = copy_plain(data)
    changed = False
    has_workloads = False
    for workload in _workloads(doc, data, table):
        has_workloads = True
        outcome, rewritten = process_workload(doc, workload, injector, warn)
        outcomes.append(outcome)
        changed = changed or rewritten
    outcomes.extend(unclaimed_outcomes(doc, original, table))
    return mode.emit(doc, original, data, changed=changed, has_workloads=has_workloads)


def unclaimed_outcomes(doc: RawDocument, data: Any, table: KindTable) -> list[Outcome]:
    """A "skipped" report entry for each custom kind in the document that holds a pod template we were not told to inject."""
    try:
        found = list(find_unclaimed(data, table))
    except PyinjectError as err:
        raise err.with_location(file=doc.source, document=doc.index, line=doc.line)
    return [
        Outcome(Record(doc.source, doc.index, item.kind, f"{item.namespace}/{item.name}" if item.namespace else item.name,
                       "skipped", item.reason))
        for item in found
    ]


def process_workload(doc: RawDocument, workload: Workload, injector: Injector, warn: Warn | None) -> tuple[Outcome, bool]:
    """Run the injection step on one pod template and store the result; True when it was rewritten."""
    from pyinject.report.changes import describe_changes, same_data

    where = f"{workload.kind} {_qualified(workload)}".strip()
    try:
        metadata, spec = workload.get_pod()
        # Copy first: the template may share nodes with the rest of the
        # document through YAML aliases (labels aliased from the selector).
        result = injector.inject(workload, copy_plain(metadata), copy_plain(spec))
    except PyinjectError as err:
        raise err.with_location(file=doc.source, document=doc.index, line=doc.line, workload=where)
    for message in result.warnings:
        if warn is not None:
            warn(message)
    action, reason = result.action, result.reason
    rewritten = action in REWRITING_ACTIONS
    changes: tuple[str, ...] = ()
    if rewritten:
        before = {"metadata": metadata, "spec": spec}
        after = {"metadata": result.metadata, "spec": result.spec}
        if same_data(before, after):
            # Re-injecting with the same settings gives back the same pod.
            action, reason, rewritten = "unchanged", "already up to date", False
        else:
            changes = describe_changes(before, after)
            _store_pod(workload, result)
    record = Record(doc.source, doc.index, workload.kind, _qualified(workload), action, reason)
    return Outcome(record, changes, tuple(result.warnings)), rewritten


def _store_pod(workload: Workload, result: PodResult) -> None:
    """Put the new pod template back; a metadata the step emptied goes away.

    Uninjecting a template whose only metadata was Istio's leaves an empty
    mapping that the user never wrote; one the user wrote as ``{}`` stays.
    """
    path = workload.paths.metadata
    written = get_path(workload.obj, path)
    workload.set_pod(result.metadata, result.spec)
    parent = get_path(workload.obj, path[:-1])
    if not result.metadata and written != {} and isinstance(parent, dict) and parent.get(path[-1]) == {}:
        del parent[path[-1]]


def _workloads(doc: RawDocument, data: Any, table: KindTable) -> Iterator[Workload]:
    try:
        yield from find_workloads(data, table=table)
    except PyinjectError as err:
        raise err.with_location(file=doc.source, document=doc.index, line=doc.line)


def _qualified(workload: Workload) -> str:
    ns = workload.namespace
    return f"{ns}/{workload.name}" if ns else workload.name


def _line_warner(doc: RawDocument, warn: Warn | None) -> Callable[[str, int | None], None] | None:
    if warn is None:
        return None

    def emit(message: str, line: int | None) -> None:
        where = f"{doc.source}:{doc.line + line}" if line is not None else doc.source
        warn(f"{where}: document {doc.index}: {message}")

    return emit


def deliver(result: RunResult, output: str | None, stdout: IO[str]) -> None:
    """Copy the finished output to stdout, or atomically replace the file ``output``."""
    if output is None or output == "-":
        shutil.copyfileobj(result.output, stdout)
        stdout.flush()
        return
    replace_file(output, result.output)


def replace_file(target: str, content: IO[str]) -> None:
    """Atomically replace ``target`` with ``content``, keeping its permissions.

    The temporary file sits beside the target so the final rename stays on one
    file system; an input named as the output was read in full before this.
    """
    tmp = stage_file(target, content)
    commit_file(tmp, target)


def stage_file(target: str, content: IO[str]) -> str:
    """Write ``content`` to a new temporary file beside ``target``; return its path."""
    directory = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".pyinject-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror}") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            shutil.copyfileobj(content, handle)
        if os.path.exists(target):
            shutil.copymode(target, tmp)
    except OSError as err:
        discard_files([tmp])
        raise InputError(f"cannot write {target}: {err.strerror}") from err
    except BaseException:
        discard_files([tmp])
        raise
    return tmp


def commit_file(tmp: str, target: str) -> None:
    """Rename a staged file over its target (atomic on POSIX)."""
    try:
        os.replace(tmp, target)
    except OSError as err:
        discard_files([tmp])
        raise InputError(f"cannot write {target}: {err.strerror}") from err


def discard_files(paths: Iterable[str]) -> None:
    """Remove staged files that will not be used; missing ones are fine."""
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
