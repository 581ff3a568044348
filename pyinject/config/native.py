"""Native or classic sidecar: the run-wide choice and the per-pod one, each with its reason.

Istio decides in two places.  The injector's ``ENABLE_NATIVE_SIDECARS``
(``true``, ``false`` or ``auto``, default ``auto``; any other value is read as
``false``) gives the run-wide answer: ``auto`` asks the cluster's nodes and
turns native sidecars on only when every kubelet is at 1.33 or later (the
release in which they became stable).  Offline ``istioctl kube-inject`` has no
nodes to ask, so there ``auto`` means classic sidecars.  pyinject does the same
unless ``--kube-version X.Y`` stands in for the nodes.  Then a pod's
``sidecar.istio.io/nativeSidecar`` annotation, when set, overrides the
run-wide answer: the stock template treats any value but ``false`` as yes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from pyinject.records import dataclass

ENV_VAR = "ENABLE_NATIVE_SIDECARS"
ANNOTATION = "sidecar.istio.io/nativeSidecar"

#: The first Kubernetes minor release whose kubelets run native sidecars by default
#: (Istio compares the minor number only).
MIN_KUBE_MINOR = 33

_KUBE_VERSION = r"^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$"  # compiled on first use (re's cache)


@dataclass(frozen=True)
class NativeChoice:
    """Whether the proxy runs as a native sidecar, and why (a sentence for the user)."""

    enabled: bool
    why: str
    #: What decided: "flag", "env", "kube-version", "offline" or "annotation".
    source: str

    def describe(self) -> str:
        return f"{'native' if self.enabled else 'classic'} sidecar: {self.why}"


def parse_kube_version(text: str) -> tuple[int, int]:
    """``1.33``, ``v1.33.2`` or ``1.33.2-gke.100`` -> ``(1, 33)``; ValueError otherwise."""
    match = re.match(_KUBE_VERSION, text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a Kubernetes version like 1.33")
    return int(match.group(1)), int(match.group(2))


def choose_native_sidecars(
    flag: bool | None,
    environ: Mapping[str, str] | None = None,
    kube_version: str | None = None,
) -> NativeChoice:
    """The run-wide choice: ``--native-sidecars``/``--no-native-sidecars``, else
    ``ENABLE_NATIVE_SIDECARS`` read as Istio reads it, with ``--kube-version``
    answering ``auto``'s question about the nodes."""
    if flag is not None:
        option = "--native-sidecars" if flag else "--no-native-sidecars"
        return NativeChoice(flag, f"{option} was given", "flag")
    env = os.environ if environ is None else environ
    raw = env.get(ENV_VAR)
    if raw == "true":
        return NativeChoice(True, f"{ENV_VAR}=true", "env")
    if raw == "false":
        return NativeChoice(False, f"{ENV_VAR}=false", "env")
    if raw is not None and raw != "auto":
        return NativeChoice(False, f"{ENV_VAR}={raw!r} is not true, false or auto, which Istio reads as false", "env")
    mode = f"{ENV_VAR}=auto" if raw == "auto" else f"{ENV_VAR} unset (auto)"
    if kube_version is None:
        return NativeChoice(
            False,
            f"{mode} and no nodes to ask, which offline (as in istioctl kube-inject) means classic; "
            f"--kube-version stands in for the nodes",
            "offline",
        )
    _, minor = parse_kube_version(kube_version)
    if minor >= MIN_KUBE_MINOR:
        return NativeChoice(True, f"{mode} and --kube-version {kube_version} is 1.{MIN_KUBE_MINOR} or later", "kube-version")
    return NativeChoice(False, f"{mode} and --kube-version {kube_version} is older than 1.{MIN_KUBE_MINOR}", "kube-version")


def for_pod(run_wide: NativeChoice, annotations: Mapping[str, str]) -> NativeChoice:
    """The pod's choice: its ``sidecar.istio.io/nativeSidecar`` when set and not empty
    (anything but ``false`` means yes, as in the stock template), else the run-wide one."""
    value = annotations.get(ANNOTATION)
    if not value:
        return run_wide
    enabled = value != "false"
    overrides = "overrides" if enabled != run_wide.enabled else "agrees with"
    return NativeChoice(enabled, f"annotation {ANNOTATION}={value!r} {overrides} the run-wide choice ({run_wide.why})", "annotation")
