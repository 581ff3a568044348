"""Tell a rendered SidecarInjectionSpec (Istio 1.0–1.8) from a Pod fragment, without loading its decoder."""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Top-level keys of a SidecarInjectionSpec (any of them marks the legacy format).
SPEC_KEYS = ("initContainers", "containers", "volumes", "imagePullSecrets", "dnsConfig", "podRedirectAnnot",
             "rewriteAppHTTPProbe")
#: Keys a Pod (the 1.9+ format) has at the top.
POD_KEYS = ("spec", "metadata", "apiVersion", "kind")


def is_legacy_spec(data: Any) -> bool:
    """Whether rendered data is a SidecarInjectionSpec rather than a Pod fragment."""
    return ((type(data) is dict or isinstance(data, Mapping))
            and not any(k in data for k in POD_KEYS) and any(k in data for k in SPEC_KEYS))
