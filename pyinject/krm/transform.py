"""Run injection over a ResourceList: inject its items, report in ``results``, write it back.

The ResourceList is one YAML (or JSON) document; it is written back the way
kube-inject writes a document it changed, keeping comments, key order and
untouched items as they were, so the function can sit anywhere in a pipeline.
An item that fails is left as it came and gets an ``error`` result; the others
are still injected, and the run fails (exit 1) after writing every result, as
orchestrators read results even from a failed function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyinject.errors import InputError, PyinjectError
from pyinject.krm.function_config import apply_settings, settings_of
from pyinject.krm.resourcelist import (
    Result,
    file_ref,
    is_resource_list,
    items_of,
    orchestrator_annotations,
    restore_annotations,
)
from pyinject.manifests.load import copy_plain, load_plain
from pyinject.manifests.read import RawDocument, read_text
from pyinject.manifests.workloads import KindTable, find_workloads
from pyinject.manifests.write import emit_json, emit_yaml
from pyinject.model import Injector, Options, Outcome, Warn
from pyinject.pipeline import kind_table, process_workload, unclaimed_outcomes
from pyinject.records import dataclass, field

#: Builds the injector for a run's options (kube-inject's build_injector, or a stand-in in tests).
BuildInjector = Callable[[Options], Injector]


@dataclass
class FunctionRun:
    """What one run produced: the ResourceList to write, the report, and the results."""

    text: str
    outcomes: list[Outcome] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.severity == "error"]


def run_function(text: str, source: str, options: Options, build: BuildInjector, warn: Warn | None = None) -> FunctionRun:
    """Inject the items of the ResourceList in ``text``; ``options`` are the defaults functionConfig overrides."""
    docs = [d for d in read_text(text, source) if d.body.strip()]
    if len(docs) != 1:
        raise InputError(f"a KRM function reads one ResourceList, not {len(docs)} documents", docs[1].location() if len(docs) > 1 else None)
    doc = docs[0]
    data = load_plain(doc.text, doc.location())
    if not is_resource_list(data):
        raise InputError("not a config.kubernetes.io/v1 ResourceList", doc.location())
    original = copy_plain(data)
    items = items_of(data)
    run = FunctionRun(text="")
    try:
        settings = settings_of(data.get("functionConfig"))
        with apply_settings(options, settings) as effective:
            table = kind_table(effective)
            injector = build(effective)
            for i, item in enumerate(items):
                items[i] = _transform_item(item, i, doc, injector, table, run, warn)
    except PyinjectError as err:
        # The configuration itself is wrong: no item is touched.
        data = copy_plain(original)
        run.results.append(Result("error", str(err) if "functionConfig" in str(err) else f"functionConfig: {err}"))
    if run.results:
        earlier = data.get("results") if isinstance(data.get("results"), list) else []
        data["results"] = [*earlier, *(r.as_data() for r in run.results)]
    if doc.body.lstrip().startswith("{"):
        run.text = emit_json(data)
    else:
        run.text = emit_yaml(doc, original, data)
    return run


def _transform_item(item: Any, index: int, doc: RawDocument, injector: Injector, table: KindTable, run: FunctionRun,
                    warn: Warn | None) -> Any:
    kept = orchestrator_annotations(item)
    before = copy_plain(item)
    where = _item_document(item, index, doc)
    try:
        for workload in find_workloads(item, table=table):
            outcome, _ = process_workload(where, workload, injector, warn)
            run.outcomes.append(outcome)
            r = outcome.record
            # The result's resourceRef names the object; kpt prints it before the message.
            message = f"sidecar {r.action}" + (f" ({r.reason})" if r.reason else "")
            run.results.append(Result("info", message, item))
        for outcome in unclaimed_outcomes(where, item, table):
            run.outcomes.append(outcome)
            r = outcome.record
            run.results.append(Result("warning", r.reason, item))
        restore_annotations(item, kept)
        return item
    except PyinjectError as err:
        # The item's own file and position are in the result's file and resourceRef.
        who = err.location.workload
        run.results.append(Result("error", f"{who}: {err.message}" if who else err.message, before))
        return before


def _item_document(item: Any, index: int, doc: RawDocument) -> RawDocument:
    """A stand-in document for an item, so reports and errors name the file the orchestrator read it from."""
    where = file_ref(item)
    path = where.get("path")
    number = where.get("index", index) + 1 if path else index + 1
    return RawDocument(source=str(path) if path else f"{doc.source} item", index=number, line=doc.line, separator="", body="")

