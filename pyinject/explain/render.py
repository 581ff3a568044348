"""Accounts as text: plain (pipes, files), rich (a terminal), or the JSON array of ``-o json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from pyinject.explain.model import Account

#: Bumped only when a field changes meaning or goes away; new fields may appear.
SCHEMA_VERSION = 1

_MARK = {"inject": "+", "skip": "x", "pass": "-"}


def render_json(accounts: Sequence[Account]) -> str:
    """A JSON array, one record per pod template (README: "pyinject explain -o json")."""
    return json.dumps([a.to_json() for a in accounts], indent=2, sort_keys=False) + "\n"


def lines(account: Account) -> list[tuple[str, str]]:
    """(style, text) lines of one account; the style is a hint for rich, ignored by plain text."""
    where = f"{account.file}: document {account.document}"
    who = f"{account.kind} {account.namespace + '/' if account.namespace else ''}{account.name}"
    verdict = ("INJECT" if account.inject else "SKIP") + f" ({account.reason})"
    out = [("title", f"{who}  [{where}]"), ("good" if account.inject else "bad", f"  {verdict}")]
    out.append(("head", "  decision:"))
    for step in account.steps:
        out.append(("step-" + step.outcome, f"    {_MARK.get(step.outcome, '-')} {step.check}: {step.detail}"))
        out.append(("dim", f"        from {step.source}"))
    inj = account.injection
    if inj is not None:
        out.append(("head", "  injection:"))
        out.append(("", f"    templates: {', '.join(inj.templates) or '(none)'}"))
        out.append(("dim", f"        from {inj.templates_source}"))
        out.append(("", f"    sidecar: {inj.sidecar}"))
        out.append(("dim", f"        because {inj.sidecar_why}"))
        out.append(("", f"    image: {inj.image.value}"))
        out.append(("dim", f"        from {inj.image.source}"))
        added = [("init containers", inj.init_containers), ("containers", inj.containers), ("volumes", inj.volumes),
                 ("annotations", inj.annotations), ("labels", inj.labels)]
        for label, names in added:
            if names:
                out.append(("", f"    + {label} (added or changed): {', '.join(names)}"))
        out.append(("head", "    resources (istio-proxy):"))
        for item in inj.resources:
            out.append(("", f"      {item.name} = {item.value}   ({item.source})"))
        out.append(("dim", f"      {inj.resources_note}"))
        if inj.probes:
            out.append(("head", "    probes rewritten:"))
            for probe in inj.probes:
                out.append(("", f"      {probe.container} {probe.probe}: {probe.before} -> {probe.after}"))
        out += _capture_lines(inj.capture)
        out.append(("head", "    proxy config:"))
        for item in inj.proxy_config:
            note = f"; {item.note}" if item.note else ""
            out.append(("", f"      {item.name} = {_short(item.value)}   ({item.source}{note})"))
    if account.reinjection is not None:
        out.append(("head", "  re-injection:"))
        if account.reinjection:
            out += [("", f"    {change.strip()}") for change in account.reinjection]
        else:
            out.append(("", "    nothing would change: the pod is up to date with these settings"))
    if account.no_effect:
        out.append(("head", "  no effect on this pod:"))
        for unused in account.no_effect:
            hint = f" (did you mean {unused.suggestion}?)" if unused.suggestion else ""
            out.append(("warn", f"    {unused.where} {unused.key}: {unused.detail}{hint}"))
    for note in account.notes:
        out.append(("dim", f"  note: {note}"))
    return out


def render_plain(accounts: Sequence[Account], out: TextIO) -> None:
    for index, account in enumerate(accounts):
        if index:
            out.write("\n")
        for _, text in lines(account):
            out.write(text + "\n")
    out.write(summary(accounts) + "\n")


_RICH_STYLES = {
    "title": "bold", "good": "bold green", "bad": "bold red", "head": "bold", "dim": "dim",
    "step-inject": "green", "step-skip": "red", "step-pass": "", "warn": "yellow",
}


def render_rich(accounts: Sequence[Account], out: TextIO) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=True)
    for index, account in enumerate(accounts):
        if index:
            console.print()
        for style, text in lines(account):
            console.print(Text(text, style=_RICH_STYLES.get(style, "")))
    console.print(Text(summary(accounts), style="bold"))


def summary(accounts: Sequence[Account]) -> str:
    injected = sum(1 for a in accounts if a.inject)
    counts: dict[str, int] = {}
    for account in accounts:
        if not account.inject:
            counts[account.reason] = counts.get(account.reason, 0) + 1
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
    return f"{len(accounts)} pod templates: {injected} injected, {len(accounts) - injected} skipped" + (
        f" ({skipped})" if skipped else "")


def _capture_lines(capture: dict[str, Any]) -> list[tuple[str, str]]:
    """The iptables facts model's own plain-text account, indented under ``capture``."""
    by = capture.get("by", "none")
    out = [("head", f"    capture ({by}):")]
    if by in ("none", "unknown"):
        return out + [("", f"      {capture.get('why', '')}")]
    from pyinject.iptables.explain import CaptureFacts, text_lines

    fields = {k: v for k, v in capture.items() if k != "by"}
    fields["families"] = tuple(fields.get("families") or ())
    fields["notes"] = tuple(fields.get("notes") or ())
    return out + [("", f"      {line}") for line in text_lines(CaptureFacts(**fields))]


def _short(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)
