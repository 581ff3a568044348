"""The per-workload report on stderr: a table on a terminal, one plain line each otherwise.

Each workload gets one entry: where it is (file, document), what it is (kind,
namespace/name), what happened to it and why.  ``verbose`` adds what changed in
the pod (containers, volumes, annotations...).  Under ``--check`` the verbs
become conditional ("would inject") and only workloads that would change are
listed unless ``verbose``.  Plain lines keep the shape of pyinject's error
messages (``FILE: document N: ...``) so editors and CI logs can point at them.

rich is imported only when a table is drawn: the plain form is what pipes and
CI see, and start-up time matters for a command run once per file.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

from pyinject.model import Action

if TYPE_CHECKING:
    from pyinject.model import Outcome

#: Report order of the actions, with their words in a normal run and under --check.
ACTIONS: dict[Action, tuple[str, str]] = {
    Action.INJECTED: ("injected", "would inject"),
    Action.REINJECTED: ("re-injected", "would re-inject"),
    Action.UNINJECTED: ("uninjected", "would uninject"),
    Action.SKIPPED: ("skipped", "skipped"),
    Action.UNCHANGED: ("unchanged", "unchanged"),
}
#: Actions that rewrite a pod template (the ones --check fails on).
REWRITING = frozenset(a for a in Action if a.rewrites)
#: Table colours by action.
STYLES = {Action.INJECTED: "green", Action.REINJECTED: "cyan", Action.UNINJECTED: "magenta", Action.SKIPPED: "yellow",
          Action.UNCHANGED: "dim"}


def action_word(action: Action, check: bool = False) -> str:
    words = ACTIONS[action]
    return words[1] if check else words[0]


def summary(outcomes: Sequence[Outcome], check: bool = False) -> str:
    """``3 workloads: 1 injected, 1 re-injected, 1 skipped``."""
    counts = Counter(o.record.action for o in outcomes)
    order = [a for a in ACTIONS if counts[a]]
    noun = "workload" if len(outcomes) == 1 else "workloads"
    parts = ", ".join(f"{counts[a]} {action_word(a, check)}" for a in order)
    return f"{len(outcomes)} {noun}: {parts}" if parts else f"0 {noun}"


def skip_sentence(kind: str, name: str, reason: str) -> str:
    """``Skipping injection because Deployment "ns/name" has host networking enabled`` (istioctl's words)."""
    return f'Skipping injection because {kind} "{name}" {reason}'


def middle_cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut in the middle: a path keeps its folder and file name."""
    if len(text) <= width:
        return text
    if width < 5:
        return text[-width:]
    head = (width - 1) // 2
    tail = width - 1 - head
    return f"{text[:head]}\u2026{text[len(text) - tail:]}"


def shown(outcomes: Sequence[Outcome], *, verbose: bool, check: bool) -> list[Outcome]:
    """The entries a report lists: under --check only the changing ones, unless verbose."""
    if check and not verbose:
        return [o for o in outcomes if o.record.action in REWRITING]
    return list(outcomes)


def plain_lines(outcomes: Sequence[Outcome], *, verbose: bool = False, check: bool = False) -> list[str]:
    """The report as text lines (no trailing newlines)."""
    lines: list[str] = []
    for outcome in shown(outcomes, verbose=verbose, check=check):
        r = outcome.record
        if r.action == "skipped" and r.reason:
            # istioctl's own sentence, once, with the file: scripts that grep for it keep working.
            line = f"{r.source}: document {r.document}: {skip_sentence(r.kind, r.name, r.reason)}"
        else:
            line = f"{r.source}: document {r.document}: {r.kind} {r.name}: {action_word(r.action, check)}"
            if r.reason:
                line += f" ({r.reason})"
        lines.append(line)
        if verbose:
            lines.extend(f"    {change}" for change in outcome.changes)
    if outcomes:
        lines.append(f"pyinject: {summary(outcomes, check)}")
    return lines


def write_report(
    outcomes: Sequence[Outcome],
    stream: IO[str],
    *,
    verbose: bool = False,
    check: bool = False,
    terminal: bool | None = None,
) -> None:
    """Write the report to ``stream``: a rich table when it is a terminal, else plain lines.

    Nothing is written when there were no workloads: a stream of ConfigMaps
    needs no report.
    """
    if not outcomes:
        return
    if terminal is None:
        terminal = _isatty(stream)
    if terminal:
        _write_table(outcomes, stream, verbose=verbose, check=check)
        return
    for line in plain_lines(outcomes, verbose=verbose, check=check):
        stream.write(line + "\n")
    stream.flush()


def check_lines(changed_sources: Sequence[str], total_sources: int) -> list[str]:
    """The ``--check`` verdict: each file that would change, then a count."""
    lines = [f"would change: {source}" for source in changed_sources]
    unchanged = total_sources - len(changed_sources)
    if changed_sources:
        files = "file" if len(changed_sources) == 1 else "files"
        lines.append(f"pyinject: --check: {len(changed_sources)} {files} would change, {unchanged} unchanged")
    else:
        files = "file" if total_sources == 1 else "files"
        lines.append(f"pyinject: --check: {total_sources} {files} up to date")
    return lines


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _write_table(outcomes: Sequence[Outcome], stream: IO[str], *, verbose: bool, check: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # NO_COLOR (no-color.org) means no escape codes at all: rich alone would still write bold.
    plain = bool(os.environ.get("NO_COLOR"))
    console = Console(file=stream, highlight=False, color_system=None if plain else "auto")
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="" if plain else "bold")
    for column in ("file", "doc", "workload", "result", "reason / changes" if verbose else "reason"):
        # Workload names and reasons wrap rather than being cut; paths are cut in the middle below.
        table.add_column(column, justify="right" if column == "doc" else "left",
                         no_wrap=column in ("file", "doc", "result"), overflow="fold")
    path_width = max(24, console.width // 3)
    for outcome in shown(outcomes, verbose=verbose, check=check):
        r = outcome.record
        detail = [r.reason] if r.reason else []
        if verbose:
            detail += list(outcome.changes)
        # Text objects, not markup: file names and reasons may contain "[".
        table.add_row(
            Text(middle_cut(r.source, path_width)),
            Text(str(r.document)),
            Text(f"{r.kind} {r.name}"),
            Text(action_word(r.action, check), style=STYLES.get(r.action, "")),
            Text("\n".join(detail)),
        )
    console.print(table)
    console.print(Text(summary(outcomes, check), style="" if plain else "bold"))
