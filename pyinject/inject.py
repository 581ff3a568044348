"""The injection step for one pod template: Istio's injectPod, stage by stage."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyinject.model import Options
from pyinject.pipeline import Injector, PassThrough


def build_injector(options: Options, environ: Mapping[str, str], warn: Callable[[str], None]) -> Injector:
    """Load and check every configuration input once, before any document is read."""
    return PassThrough()
