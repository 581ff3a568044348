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

from collections.abc import Callable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, IO

from pyinject.errors import PyinjectError
from pyinject.manifests.load import copy_plain, load_plain
from pyinject.manifests.output import PRESERVING, ChangeTracker, StreamWriter, output_mode, spooled_output
from pyinject.manifests.read import STDIN, RawDocument, expand_paths, read_documents
from pyinject.manifests.workloads import (
    BUILT_IN,
    KindTable,
    Workload,
    find_unclaimed,
    find_workloads,
    get_path,
    parse_pod_templates,
)
from pyinject.model import (
    Action,
    Injector,
    Options,
    Outcome,
    OutputMode,
    PodResult,
    Record,
    RunResult,
    SourceResult,
    Warn,
)

#: Output beyond this many bytes spills from memory to a temporary file.
SPOOL_MEMORY = 8 * 1024 * 1024
#: The same for one file of ``--in-place``: many files may be staged at once.
SOURCE_SPOOL_MEMORY = 1024 * 1024

#: How documents read from stdin name their source.
STDIN_SOURCE = "<stdin>"



def run(
    options: Options,
    injector: Injector,
    *,
    stdin: IO[str] | None = None,
    warn: Warn | None = None,
    mode: OutputMode | None = None,
    describe: bool = True,
) -> RunResult:
    """Process every input document into one stream; raise PyinjectError on the first failure.

    ``describe``: list what changed in each rewritten pod (Outcome.changes), which
    only a verbose report shows; without it the outcomes have none.
    """
    mode = mode or output_mode(options.output_format)
    table = kind_table(options)
    paths = expand_paths(options.filenames)
    spool = spooled_output(SPOOL_MEMORY)
    outcomes: list[Outcome] = []
    try:
        writer = StreamWriter(spool, yaml=mode.yaml, as_list=mode.as_list)
        tracker = ChangeTracker()
        for doc in read_documents(paths, stdin):
            text = process_document(doc, injector, outcomes, warn, mode, table, describe=describe)
            tracker.add(doc, text)
            writer.write(doc, text)
        writer.finish()
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
    writer: StreamWriter | None = None
    tracker = ChangeTracker()
    mode = default
    try:
        for doc in read_documents(expand_paths(options.filenames), stdin):
            if current is None or doc.source != current.source or doc.first_in_source:
                if current is not None:
                    assert writer is not None
                    writer.finish()
                    current.changed = bool(tracker.finish())
                    current.output.seek(0)
                    yield current
                spool = spooled_output(SOURCE_SPOOL_MEMORY)
                current = SourceResult(doc.source, spool, False, [])
                mode = mode_for(doc.source) if mode_for is not None else default
                writer = StreamWriter(spool, yaml=mode.yaml, as_list=mode.as_list)
            assert writer is not None
            text = process_document(doc, injector, current.outcomes, warn, mode, table)
            tracker.add(doc, text)
            writer.write(doc, text)
        if current is not None:
            assert writer is not None
            writer.finish()
            current.changed = bool(tracker.finish())
            current.output.seek(0)
            finished, current = current, None
            yield finished
    finally:
        if current is not None:
            current.close()


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
    *,
    describe: bool = True,
) -> str:
    """One document in, its output text out; one Outcome per workload appended to ``outcomes``."""
    passed_through = (not mode.parse_all and not table.words.search(doc.body)
                      and not doc.body.lstrip(" \t\r\n").startswith(("{", "[")))
    # Every document is parsed, so bad YAML anywhere is an error, as in kubectl.
    # One that may be rewritten keeps its node positions for a splicing writer.
    data = load_plain(doc.text, doc.location(), _line_warner(doc, warn), keep_nodes=mode.splices and not passed_through)
    if passed_through:
        # Names no kind we inject: pass it through without copying or walking it,
        # but say so when a custom kind in it holds a pod template.
        if "containers" in doc.body:
            outcomes.extend(unclaimed_outcomes(doc, data, table))
        return _emit(mode, doc, data, data, changed=False, has_workloads=False)
    # The writer compares the document as read with the rewritten one.  Storing a
    # new pod template changes only the mappings and lists on the way to it, so
    # ``original`` gets its own copies of those just before (see _detach) and shares
    # the rest.  A document with aliases (there is no "*" in one without) may
    # share a node on that way with a place off it: that one is copied whole.
    aliased = "*" in doc.body
    original = copy_plain(data) if aliased else data

    def keep_original(workload: Workload) -> None:
        nonlocal original
        if not aliased:
            original = _detach(original, data, (*workload.where, *workload.paths.metadata[:-1]))
            original = _detach(original, data, (*workload.where, *workload.paths.spec[:-1]))

    changed = False
    has_workloads = False
    for workload in _workloads(doc, data, table):
        has_workloads = True
        outcome, rewritten = process_workload(doc, workload, injector, warn, before_store=keep_original,
                                              describe=describe)
        outcomes.append(outcome)
        changed = changed or rewritten
    outcomes.extend(unclaimed_outcomes(doc, original, table))
    return _emit(mode, doc, original, data, changed=changed, has_workloads=has_workloads)


def _emit(mode: OutputMode, doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """``mode.emit``, with the document's place on the errors it raises (a value JSON cannot hold)."""
    try:
        return mode.emit(doc, original, data, changed=changed, has_workloads=has_workloads)
    except PyinjectError as err:
        raise err.with_location(file=doc.source, document=doc.index, line=doc.line)


def unclaimed_outcomes(doc: RawDocument, data: Any, table: KindTable) -> list[Outcome]:
    """A "skipped" report entry for each custom kind in the document that holds a pod template we were not told to inject."""
    try:
        found = list(find_unclaimed(data, table))
    except PyinjectError as err:
        raise err.with_location(file=doc.source, document=doc.index, line=doc.line)
    return [
        Outcome(Record(doc.source, doc.index, item.kind, f"{item.namespace}/{item.name}" if item.namespace else item.name,
                       Action.SKIPPED, item.reason))
        for item in found
    ]


def process_workload(doc: RawDocument, workload: Workload, injector: Injector, warn: Warn | None, *,
                     before_store: Callable[[Workload], None] | None = None,
                     describe: bool = True) -> tuple[Outcome, bool]:
    """Run the injection step on one pod template and store the result; True when it was rewritten.

    ``before_store(workload)`` runs just before the new template replaces the old one.
    ``describe``: list what changed in the Outcome (see :func:`run`).
    """
    from pyinject.report.changes import describe_changes, same_data

    where = f"{workload.kind} {_qualified(workload)}".strip()
    try:
        metadata, spec = workload.get_pod()
        # The injector leaves both as they are (the Injector contract): the
        # template may share nodes with the rest of the document through YAML
        # aliases (labels aliased from the selector), and they are compared below.
        result = injector.inject(workload, metadata, spec)
    except PyinjectError as err:
        raise err.with_location(file=doc.source, document=doc.index, line=doc.line, workload=where)
    for message in result.warnings:
        if warn is not None:
            warn(f"{doc.source}: document {doc.index} ({where}): {message}")
    action, reason = result.action, result.reason
    rewritten = action.rewrites
    changes: tuple[str, ...] = ()
    if rewritten:
        before = {"metadata": metadata, "spec": spec}
        after = {"metadata": result.metadata, "spec": result.spec}
        if same_data(before, after):
            # Re-injecting with the same settings gives back the same pod.
            action, reason, rewritten = Action.UNCHANGED, "already up to date", False
        else:
            changes = describe_changes(before, after) if describe else ()
            if before_store is not None:
                before_store(workload)
            _store_pod(workload, result)
    record = Record(doc.source, doc.index, workload.kind, _qualified(workload), action, reason)
    return Outcome(record, changes, tuple(result.warnings)), rewritten


def _detach(original: Any, data: Any, path: tuple[str, ...]) -> Any:
    """``original`` with its own shallow copy of every mapping and list it shares with ``data`` along ``path``.

    ``original`` starts as ``data`` itself (the root is copied at the first
    call); afterwards, storing into ``data`` at ``path`` changes nothing
    ``original`` holds.  ``path`` names list items by their index as text
    (``("items", "3")``).
    """
    root = original if original is not data else _shallow(data)
    mine, theirs = root, data
    for key in path:
        if isinstance(theirs, dict) and isinstance(mine, dict) and key in theirs and key in mine:
            index: Any = key
        elif (isinstance(theirs, list) and isinstance(mine, list) and key.isdigit()
              and int(key) < len(theirs) and int(key) < len(mine)):
            index = int(key)
        else:
            break  # storing creates what is missing here, in ``data`` only
        child, own = theirs[index], mine[index]
        if not isinstance(child, (dict, list)):
            break
        if own is child:
            own = mine[index] = _shallow(child)
        mine, theirs = own, child
    return root


def _shallow(node: Any) -> Any:
    return dict(node) if isinstance(node, dict) else list(node) if isinstance(node, list) else node


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


