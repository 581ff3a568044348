"""run(): read → find → decide → load config → render → merge → postprocess → write.

Documents stream through one at a time.  Output goes to a spooled temporary
file and reaches its destination only when every document succeeded, so a
failing run leaves nothing half-written for ``kubectl apply`` to consume.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from pyinject.errors import InputError, PyinjectError
from pyinject.model import Options, Record
from pyinject.read import RawDocument, expand_paths, read_documents
from pyinject.workloads import KIND_WORDS, Workload, find_workloads
from pyinject.write import emit_json, emit_unchanged, emit_yaml
from pyinject.yamlkube import load_plain

#: Output beyond this many bytes spills from memory to a temporary file.
SPOOL_MEMORY = 8 * 1024 * 1024

Warn = Callable[[str], None]


@dataclass
class PodResult:
    """What the injection step did to one pod template."""

    metadata: dict[str, Any]
    spec: dict[str, Any]
    action: str  # "injected" | "re-injected" | "skipped" | "unchanged"
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


class Injector(Protocol):
    """The injection seam: one pod template (and its owner) in, the new one out."""

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult: ...


class PassThrough:
    """An injector that changes nothing (used where no injection is wanted)."""

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult:
        return PodResult(metadata, spec, "unchanged")


@dataclass
class RunResult:
    """The finished output (not yet delivered) and the per-workload report."""

    output: IO[str]
    records: list[Record]

    def close(self) -> None:
        self.output.close()


def run(options: Options, injector: Injector, *, stdin: IO[str] | None = None, warn: Warn | None = None) -> RunResult:
    """Process every input document; raise PyinjectError on the first failure."""
    paths = expand_paths(options.filenames)
    spool: IO[str] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY, mode="w+", encoding="utf-8", newline="")
    records: list[Record] = []
    try:
        writer = _StreamWriter(spool, yaml=options.output_format == "yaml")
        for doc in read_documents(paths, stdin):
            text = process_document(doc, injector, options, records, warn)
            writer.write(doc, text)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return RunResult(spool, records)


class _StreamWriter:
    """Joins documents (and several input files) into one valid YAML stream."""

    def __init__(self, out: IO[str], yaml: bool) -> None:
        self.out = out
        self.yaml = yaml
        self.written = False
        self.last = "\n"

    def write(self, doc: RawDocument, text: str) -> None:
        if not text:
            return
        if self.written and self.last != "\n":
            self.out.write("\n")
        if self.yaml and self.written and doc.first_in_source and not doc.separator:
            # Two files joined: keep their documents apart.
            self.out.write("---\n")
        self.out.write(text)
        self.written = True
        self.last = text[-1]


def process_document(
    doc: RawDocument, injector: Injector, options: Options, records: list[Record], warn: Warn | None
) -> str:
    """One document in, its output text out."""
    as_json = options.output_format == "json"
    if not as_json and not KIND_WORDS.search(doc.body) and not doc.body.strip(" \t\r\n").startswith(("{", "[")):
        # Cannot hold a workload: still check it parses, then pass it through.
        load_plain(doc.text, doc.location(), _line_warner(doc, warn))
        return emit_unchanged(doc)
    data = load_plain(doc.text, doc.location(), _line_warner(doc, warn))
    original = copy.deepcopy(data)
    changed = False
    for workload in _workloads(doc, data):
        where = f"{workload.kind} {_qualified(workload)}".strip()
        try:
            metadata, spec = workload.get_pod()
            # Copy first: the template may share nodes with the rest of the
            # document through YAML aliases (labels aliased from the selector).
            result = injector.inject(workload, copy.deepcopy(metadata), copy.deepcopy(spec))
        except PyinjectError as err:
            raise err.with_location(file=doc.source, document=doc.index, line=doc.line, workload=where)
        for message in result.warnings:
            if warn is not None:
                warn(message)
        records.append(Record(doc.source, doc.index, workload.kind, _qualified(workload), result.action, result.reason))
        if result.action in ("injected", "re-injected"):
            workload.set_pod(result.metadata, result.spec)
            changed = True
    if as_json:
        return "" if data is None else emit_json(data)
    if not changed:
        return emit_unchanged(doc)
    return emit_yaml(doc, original, data)


def _workloads(doc: RawDocument, data: Any) -> Iterator[Workload]:
    try:
        yield from find_workloads(data)
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
    """Copy the finished output to stdout, or atomically replace the file ``output``.

    The temporary file sits beside the target so the final rename stays on one
    file system; an input named as the output was read in full before this.
    """
    if output is None or output == "-":
        shutil.copyfileobj(result.output, stdout)
        stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(output))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".pyinject-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise InputError(f"cannot write output: {err.strerror}") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            shutil.copyfileobj(result.output, handle)
        if os.path.exists(output):
            shutil.copymode(output, tmp)
        os.replace(tmp, output)
    except OSError as err:
        os.unlink(tmp)
        raise InputError(f"cannot write output {output}: {err.strerror}") from err
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
