"""Traffic capture: what Istio's istio-iptables (the istio-init container) programs, computed offline.

Exposes :func:`generate` (istio-iptables flags + env + pod facts -> a
:class:`Capture`: the rules per IP family and, as ``restore_text``, the
iptables-restore input) and, in
:mod:`pyinject.iptables.explain`, the facts model (:class:`CaptureFacts`) that
says in plain terms what the rules capture.  Never touches the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pyinject.iptables import capture_1_5, capture_1_30, capture_sh
from pyinject.iptables.flags import DEFAULT_RELEASE, Parsed, Release, parse_args, release
from pyinject.iptables.restore import STYLE_1_5, STYLE_1_30, STYLE_SCRIPT, RestoreStyle, render
from pyinject.iptables.rules import Host, RuleSet, check_values
from pyinject.records import dataclass

#: Rule program (Release.program) -> (the function that adds the rules, its restore style).
PROGRAMS: dict[str, tuple[Callable[[Mapping[str, str], Host, Release], RuleSet], RestoreStyle]] = {
    "1.30": (capture_1_30.program, STYLE_1_30),
    "1.5": (capture_1_5.program, STYLE_1_5),
    "sh": (capture_sh.program, STYLE_SCRIPT),
}


@dataclass(frozen=True)
class Capture:
    """The outcome for one istio-iptables command line."""

    release: Release
    parsed: Parsed
    host: Host
    rules: RuleSet

    @property
    def restore_text(self) -> str:
        return render(self.rules, PROGRAMS[self.release.program][1])


def generate(argv: Sequence[str], environ: Mapping[str, str], host: Host, version: str = DEFAULT_RELEASE) -> Capture:
    """What istio-iptables of ``version`` would restore for ``argv`` with ``environ`` on a pod like ``host``."""
    rel = release(version)
    parsed = parse_args(rel, argv, environ)
    by_field = {f.field: f for f in rel.flags}

    def describe(name: str) -> str:
        flag = by_field.get(name)
        if flag is None:
            env = next(e.name for e in rel.env_only if e.field == name)
            return f"${env}"
        short = f"-{flag.short}/" if flag.short else ""
        return f"istio-iptables flag {short}--{flag.name}"

    check_values(parsed.values, describe)
    program, _style = PROGRAMS[rel.program]
    return Capture(rel, parsed, host, program(parsed.values, host, rel))


__all__ = ["Capture", "Host", "generate", "DEFAULT_RELEASE"]
