"""Container order after the merge: where the proxy and the iptables init container go."""

from __future__ import annotations

from collections.abc import Mapping, MutableSequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.model import JSON
from pyinject.istio.postprocess.pod import (
    CORE_DUMP,
    INIT,
    PROXY,
    VALIDATION,
    Pod,
    dig,
    find_container,
    set_list,
)

if TYPE_CHECKING:
    from pyinject.istio.postprocess import PostprocessContext


def _move(seq: MutableSequence[Any], name: str, *, first: bool) -> None:
    """Move the container called ``name`` to the front or the back.

    As in Istio, every container of that name is taken out and the last of them
    is put back once.
    """
    rest = [c for c in seq if not ((type(c) is dict or isinstance(c, Mapping)) and c.get("name") == name)]
    if len(rest) == len(seq):
        return
    match = [c for c in seq if (type(c) is dict or isinstance(c, Mapping)) and c.get("name") == name][-1]
    set_list(seq, [match, *rest] if first else [*rest, match])


def hold_application(proxy_config: Mapping[str, JSON], values: Mapping[str, JSON]) -> bool:
    """``holdApplicationUntilProxyStarts`` from the effective ProxyConfig or the values."""
    setting = proxy_config.get("holdApplicationUntilProxyStarts")
    if type(setting) is dict or isinstance(setting, Mapping):  # proto BoolValue written as {"value": ...}
        setting = setting.get("value")
    return bool(setting) or bool(dig(values, "global", "proxy", "holdApplicationUntilProxyStarts"))


def reorder_containers(pod: Pod, ctx: PostprocessContext) -> None:
    """Put the injected containers where Kubernetes needs them.

    Always applies.  ``istio-proxy`` among regular containers goes last, so
    ``kubectl exec``/``logs`` keep defaulting to the app, or first when
    ``holdApplicationUntilProxyStarts`` is on, because kubelet runs postStart
    hooks in container order and the proxy's hook holds the others back.
    With native sidecars (``istio-proxy`` in ``initContainers``) the init list
    becomes ``istio-init``/``istio-validation``, ``istio-proxy``,
    ``enable-core-dump``, then the user's, so user init containers start with
    the mesh up.  Otherwise ``istio-validation`` goes first, to stop anything
    from running before CNI has set up the pod, and ``istio-init`` and
    ``enable-core-dump`` go last, so the user's init containers run before
    iptables starts redirecting their traffic to a proxy that is not there.
    """
    spec = pod.get("spec")
    if type(spec) is not dict and not isinstance(spec, Mapping):
        return
    containers = spec.get("containers")
    if containers is not None:
        _move(containers, PROXY, first=hold_application(ctx.proxy_config, ctx.values))
    inits = spec.get("initContainers")
    if inits is None:
        return
    if find_container(inits, PROXY) is not None:
        # Each move puts its container in front of the previous ones.
        for name in (CORE_DUMP, PROXY, VALIDATION, INIT):
            _move(inits, name, first=True)
    else:
        _move(inits, VALIDATION, first=True)
        _move(inits, INIT, first=False)
        _move(inits, CORE_DUMP, first=False)
