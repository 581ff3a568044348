"""Whether TCP probes are rewritten: the release's rule, then ``--[no-]rewrite-tcp-probes`` or ``REWRITE_TCP_PROBES``.

Istio 1.12 started pointing TCP probes at pilot-agent (and recording them in
``ISTIO_KUBE_APP_PROBERS``) as it already did HTTP ones, behind the feature flag
``REWRITE_TCP_PROBES``: an environment variable of the process that injects
(istiod for the webhook, istioctl itself for ``kube-inject``), on by default, read
with Go's ``strconv.ParseBool`` and left at its default, with a logged warning,
when it does not parse.  1.19 removed the flag and always rewrites; before
1.12 TCP probes were never rewritten.  The release table says which of the
three a release does (``Release.tcp_probes``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyinject.golang.strconv import parse_bool

ENV_VAR = "REWRITE_TCP_PROBES"
FLAG = "--rewrite-tcp-probes"


def choose_tcp_probes(rule: str, flag: bool | None, environ: Mapping[str, str], release_name: str,
                      warn: Callable[[str], None]) -> bool:
    """Whether the run rewrites TCP probes, for a release whose rule is ``rule``
    ("never", "switch" or "always"); ``flag`` is the command line's choice, if any."""
    if rule != "switch":
        if flag is not None:
            what = "always" if rule == "always" else "never"
            warn(f"{FLAG if flag else '--no-rewrite-tcp-probes'} has no effect: Istio {release_name} "
                 f"{what} rewrites TCP probes (the switch exists in 1.12-1.18)")
        return rule == "always"
    if flag is not None:
        return flag
    raw = environ.get(ENV_VAR)
    if raw is None:
        return True
    parsed = parse_bool(raw)
    if parsed is None:
        warn(f"{ENV_VAR}={raw!r} is not a boolean; Istio reads it as its default, true")
        return True
    return parsed
