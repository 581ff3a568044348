"""The iptables-restore input istio-iptables writes, per IP family, from a RuleSet."""

from __future__ import annotations

from collections.abc import Iterable

from pyinject.iptables.rules import Rule, RuleSet
from pyinject.records import dataclass

FAMILIES = ("iptables", "ip6tables")


@dataclass(frozen=True)
class RestoreStyle:
    """How a release turns its rules into restore text."""

    #: Chains and targets that are never created with ``-N``.
    builtin: frozenset[str]
    #: Also create chains that rules jump to but that have no rules of their own (1.30's second pass).
    declare_jump_targets: bool
    #: The rules carry their own ``-N`` lines, where the release creates each chain (the 1.0-1.4 script).
    explicit_chains: bool = False


#: Istio 1.30: built-in chains and the ACCEPT/RETURN/DROP targets are not created; jump targets are.
STYLE_1_30 = RestoreStyle(frozenset({"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING", "ACCEPT", "RETURN",
                                     "DROP"}), True)
#: Istio 1.5: only the five built-in chains are skipped; only chains with rules are created.
STYLE_1_5 = RestoreStyle(frozenset({"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"}), False)
#: Istio 1.0-1.4 (istio-iptables.sh): one command per line, ``-N`` where the script runs it.
STYLE_SCRIPT = RestoreStyle(frozenset(), False, explicit_chains=True)


def table_lines(rules: Iterable[Rule], style: RestoreStyle) -> dict[str, list[str]]:
    """Table -> its lines: the ``-N`` chain creations (in order of first use), then the rules in order."""
    rules = list(rules)
    tables: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()

    def declare(chain: str, table: str) -> None:
        if (chain, table) in seen:
            return
        seen.add((chain, table))
        if chain not in style.builtin:
            tables.setdefault(table, []).append(f"-N {chain}")

    for rule in rules:
        if not style.explicit_chains:
            declare(rule.chain, rule.table)
    if style.declare_jump_targets:
        for rule in rules:
            if rule.jump is not None:
                declare(rule.jump, rule.table)
    for rule in rules:
        tables.setdefault(rule.table, []).append(rule.text)
    return tables


def restore_input(rules: Iterable[Rule], style: RestoreStyle) -> str:
    """One family's restore input: ``* table`` ... ``COMMIT`` per non-empty table, tables sorted by name."""
    out: list[str] = []
    tables = table_lines(rules, style)
    for table in sorted(tables):
        out.append(f"*{table}")
        out.extend(tables[table])
        out.append("COMMIT")
    return "".join(line + "\n" for line in out)


def render(ruleset: RuleSet, style: RestoreStyle) -> str:
    """Every family that restores something, each headed ``# iptables-restore`` / ``# ip6tables-restore``."""
    parts = []
    for family in FAMILIES:
        body = restore_input(ruleset.family(family), style)
        if body:
            parts.append(f"# {family}-restore\n{body}")
    return "".join(parts)
