"""User-declared ``istio-proxy`` / ``istio-init`` / ``istio-validation`` containers override the injected ones.

Istio lets users customise the sidecar by declaring a container with the
injected container's name in their own pod: whatever they set wins over the
template.  ``image: auto`` means "keep the injected image" (Kubernetes requires
an image on every container).  The overrides are written to
``proxy.istio.io/overrides`` so that a later re-injection can apply them again.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, MutableMapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.errors import ConfigError
from pyinject.k8s.merge import merge_overlay
from pyinject.model import JSON
from pyinject.golang.encoding_json import go_json
from pyinject.k8s import gojson
from pyinject.istio.postprocess.pod import (
    INIT,
    INTERCEPTION_MODE_ANNOTATION,
    OVERRIDES_ANNOTATION,
    PROXY,
    STATUS_ANNOTATION,
    VALIDATION,
    Pod,
    annotations_of,
    container_list,
    find_container,
    find_in_pod,
    parse_go_int,
    set_list,
)
from pyinject.istio.postprocess.status import InjectionStatus, parse_status

if TYPE_CHECKING:
    from pyinject.istio.postprocess import PostprocessContext

#: The image value that keeps the injected image.
AUTO_IMAGE = "auto"
NATIVE_SIDECAR_ANNOTATION = "sidecar.istio.io/nativeSidecar"


def parse_overrides(text: JSON) -> dict[str, list[Mapping[str, JSON]]]:
    """``proxy.istio.io/overrides`` as ``{"containers": [...], "initContainers": [...]}``."""
    try:
        data = json.loads(str(text))
    except ValueError as err:
        raise ConfigError(f"annotation {OVERRIDES_ANNOTATION} is not valid JSON: {err}") from err
    if not isinstance(data, Mapping):
        raise ConfigError(f"annotation {OVERRIDES_ANNOTATION} must be a JSON object")
    out: dict[str, list[Mapping[str, JSON]]] = {}
    for key in ("containers", "initContainers"):
        items = data.get(key) or []
        if not isinstance(items, list) or not all(isinstance(c, Mapping) for c in items):
            raise ConfigError(f"annotation {OVERRIDES_ANNOTATION}: {key} must be a list of containers")
        out[key] = items
    return out


def overrides_json(containers: list[JSON], init_containers: list[JSON]) -> str:
    """Istio's JSON for the overrides annotation (each list left out when empty)."""
    doc: dict[str, JSON] = {}
    if containers:
        doc["containers"] = containers
    if init_containers:
        doc["initContainers"] = init_containers
    return go_json(doc)


def _overlay(user_container: Mapping[str, JSON]) -> dict[str, JSON]:
    """The user's container as Istio re-applies it: Go-normalized, ``image: auto`` dropped."""
    overlay = gojson.encode("Container", user_container)
    if overlay.get("image") == AUTO_IMAGE:
        del overlay["image"]
    return overlay


def reapply_user_containers(pod: Pod, ctx: PostprocessContext) -> None:
    """Apply the user's own ``istio-proxy``/``istio-init``/``istio-validation`` over the injected ones.

    Applies to every container the templates inject whose name the original pod
    (or its ``proxy.istio.io/overrides`` annotation) also declares, except on a
    pod that carries a status annotation and lists it as injected before (then
    the previous injection's copy is not a user override).  The user's fields
    are strategically merged over the injected container; ``image: auto`` keeps
    the injected image.  On a first injection the overrides are recorded in
    ``proxy.istio.io/overrides``.  Finally a user-set ``runAsUser`` /
    ``runAsGroup`` on ``istio-proxy`` is carried over to the iptables set-up (see
    :func:`adjust_init_container_user`).
    """
    original = ctx.original_pod
    orig_anns = annotations_of(original) or {}
    existing = (
        parse_overrides(orig_anns[OVERRIDES_ANNOTATION])
        if OVERRIDES_ANNOTATION in orig_anns
        else {"containers": [], "initContainers": []}
    )
    already_injected = STATUS_ANNOTATION in orig_anns
    previous = (parse_status(orig_anns[STATUS_ANNOTATION]) if already_injected else None) or InjectionStatus()

    _merge_unmoved_user_proxy(pod, ctx.template_pod)
    applied: dict[str, list[JSON]] = {"containers": [], "initContainers": []}
    for key, injected_before in (("containers", previous.containers), ("initContainers", previous.init_containers)):
        for template_container in container_list(ctx.template_pod, key):
            name = template_container.get("name")
            if name in injected_before:
                # A re-injection: the pod's copy is the old injected one, take the new template.
                continue
            match = find_container(existing[key], name)
            if match is None:
                match = (
                    find_container(container_list(original, key), name)
                    if key == "containers"
                    else find_in_pod(original, name)
                )
            if match is None:
                continue
            overlay = _overlay(match)
            applied[key].append(overlay)
            merge_overlay(pod, {"spec": {key: [overlay]}})

    if not already_injected and (applied["containers"] or applied["initContainers"]):
        pod_anns = annotations_of(pod, create=True)
        assert pod_anns is not None
        pod_anns[OVERRIDES_ANNOTATION] = overrides_json(applied["containers"], applied["initContainers"])

    adjust_init_container_user(pod, original, ctx)


def _merge_unmoved_user_proxy(pod: Pod, template_pod: JSON) -> None:
    """Do the native-sidecar move after the fact when the merge went without it.

    A native-sidecar template puts ``istio-proxy`` in ``initContainers``; Istio
    first moves the user's ``istio-proxy`` there so the template merges *into*
    it.  If the user's copy is still
    among the regular containers, rebuild the injected proxy as Istio would
    have: the user's container with the template's proxy merged over it (list
    fields then come out in Istio's order), and drop the stray copy.
    """
    template_proxy = find_container(container_list(template_pod, "initContainers"), PROXY)
    if template_proxy is None:
        return
    if find_container(container_list(template_pod, "containers"), PROXY) is not None:
        # A template asked for both (Istio's spire template does); keep what it made.
        return
    inits = container_list(pod, "initContainers")
    containers = container_list(pod, "containers")
    injected = find_container(inits, PROXY)
    stray = find_container(containers, PROXY)
    if injected is None or stray is None:
        return
    rebuilt: dict[str, Any] = {"spec": {"initContainers": [copy.deepcopy(stray)]}}
    merge_overlay(rebuilt, {"spec": {"initContainers": [copy.deepcopy(dict(template_proxy))]}})
    index = next(i for i, c in enumerate(inits) if c is injected)
    inits[index] = rebuilt["spec"]["initContainers"][0]
    set_list(containers, [c for c in containers if c is not stray])


def adjust_init_container_user(pod: Pod, original: JSON, ctx: PostprocessContext) -> None:
    """Make iptables and the validation container follow a user-set proxy UID/GID.

    Applies when the user's ``istio-proxy`` sets ``securityContext.runAsUser``
    or ``runAsGroup``.  iptables exempts the proxy's own traffic by UID, so the
    ``-u`` argument of ``istio-init``/``istio-validation`` becomes the user's
    UID (never 0: ``--uid-owner 0`` would exempt root).  In TPROXY mode the
    proxy must run as root, so its ``runAsUser`` goes back to 0; otherwise
    ``istio-validation`` runs as the same UID/GID as the proxy.
    """
    user = find_in_pod(original, PROXY)
    if user is None:
        return
    user_sc = user.get("securityContext")
    if not isinstance(user_sc, Mapping):
        return
    run_as_user = user_sc.get("runAsUser")
    run_as_group = user_sc.get("runAsGroup")
    if run_as_user is None and run_as_group is None:
        return
    inits = container_list(pod, "initContainers")
    init = find_container(inits, INIT) or find_container(inits, VALIDATION)
    if init is None:
        return
    pod_anns = annotations_of(pod) or {}
    tproxy = ctx.proxy_config.get("interceptionMode") == "TPROXY" or pod_anns.get(
        INTERCEPTION_MODE_ANNOTATION
    ) == "TPROXY"
    if tproxy and run_as_user is not None:
        sidecar = find_in_pod(pod, PROXY)
        if sidecar is not None:
            _security_context(sidecar)["runAsUser"] = 0
    if not tproxy and init.get("name") == VALIDATION:
        sc = _security_context(init)
        if run_as_user is not None:
            sc["runAsUser"] = copy.deepcopy(run_as_user)
        if run_as_group is not None:
            sc["runAsGroup"] = copy.deepcopy(run_as_group)
    uid = parse_go_int(run_as_user) if run_as_user is not None else None
    if not uid:
        return
    args = init.get("args")
    if not args:
        return
    for i, arg in enumerate(args):
        if arg == "-u" and i + 1 < len(args):
            args[i + 1] = str(uid)
            return


def _security_context(container: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    sc = container.get("securityContext")
    if not isinstance(sc, MutableMapping):
        sc = container["securityContext"] = {}
    return sc


