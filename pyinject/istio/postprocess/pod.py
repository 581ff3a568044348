"""Accessors for the pod mapping that the post-processing passes and uninject share.

The pod is ``{"metadata": ..., "spec": ...}`` made of plain dicts and lists.  These helpers change it in place and keep the position of keys
that already exist, so a user's manifest keeps its shape; new keys go last.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, MutableSequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
else:  # typing is for mypy alone (start-up); at run time the aliases below name a stand-in
    Any = object

from pyinject.model import JSON
from pyinject.golang.strconv import parse_bool

Pod = MutableMapping[str, Any]

PROXY = "istio-proxy"
INIT = "istio-init"
VALIDATION = "istio-validation"
CORE_DUMP = "enable-core-dump"

STATUS_ANNOTATION = "sidecar.istio.io/status"
OVERRIDES_ANNOTATION = "proxy.istio.io/overrides"
STATUS_PORT_ANNOTATION = "status.sidecar.istio.io/port"
INTERCEPTION_MODE_ANNOTATION = "sidecar.istio.io/interceptionMode"
NETWORK_LABEL = "topology.istio.io/network"
KUBE_APP_PROBERS_ENV = "ISTIO_KUBE_APP_PROBERS"
PROMETHEUS_ENV = "ISTIO_PROMETHEUS_ANNOTATIONS"

#: Istio's built-in ProxyConfig.statusPort, used when the config does not say.
DEFAULT_STATUS_PORT = 15020


def meta_map(pod: JSON, key: str, *, create: bool = False) -> MutableMapping[str, Any] | None:
    """``metadata.<key>`` (annotations or labels); created empty when asked."""
    metadata = pod.get("metadata")
    if metadata is None:
        if not create:
            return None
        metadata = pod["metadata"] = {}
    found = metadata.get(key)
    if found is None and create:
        found = metadata[key] = {}
    return found  # type: ignore[no-any-return]


def annotations_of(pod: JSON, *, create: bool = False) -> MutableMapping[str, Any] | None:
    return meta_map(pod, "annotations", create=create)


def labels_of(pod: JSON, *, create: bool = False) -> MutableMapping[str, Any] | None:
    return meta_map(pod, "labels", create=create)


def container_list(pod: JSON, key: str) -> MutableSequence[Any]:
    """``spec.containers`` or ``spec.initContainers``; an empty tuple-like list when absent."""
    spec = pod.get("spec") or {}
    found = spec.get(key)
    return found if found is not None else []


def find_container(containers: JSON, name: str) -> MutableMapping[str, Any] | None:
    """The first container called ``name`` in a list of containers.

    (``type(c) is dict`` first: the check against the abstract class costs ten times as much.)
    """
    for c in containers or ():
        if (type(c) is dict or isinstance(c, MutableMapping)) and c.get("name") == name:
            return c
    return None


def find_in_pod(pod: JSON, name: str) -> MutableMapping[str, Any] | None:
    """Istio's FindContainerFromPod: regular containers first, then init containers."""
    return find_container(container_list(pod, "containers"), name) or find_container(
        container_list(pod, "initContainers"), name
    )


def all_containers(pod: JSON) -> list[MutableMapping[str, Any]]:
    """Init containers then regular containers (native sidecars have probes too)."""
    return [
        c
        for key in ("initContainers", "containers")
        for c in container_list(pod, key)
        if type(c) is dict or isinstance(c, MutableMapping)
    ]


def env_list(container: MutableMapping[str, Any]) -> MutableSequence[Any]:
    """The container's ``env``, created when missing."""
    env = container.get("env")
    if env is None:
        env = container["env"] = []
    return env


def find_env(container: JSON, name: str) -> MutableMapping[str, Any] | None:
    for e in container.get("env") or ():
        if (type(e) is dict or isinstance(e, MutableMapping)) and e.get("name") == name:
            return e
    return None


def replace_key(mapping: MutableMapping[str, Any], old: str, new: str, value: JSON) -> None:
    """Put ``new: value`` where ``old`` was (keeps the reader's key order), dropping ``old``."""
    keys = list(mapping.keys())
    if old not in mapping:
        mapping[new] = value
        return
    pos = keys.index(old)
    insert = getattr(mapping, "insert", None)
    del mapping[old]
    mapping.pop(new, None)
    if insert is not None:
        insert(pos, new, value)
        return
    tail = [(k, mapping.pop(k)) for k in keys[pos + 1 :] if k in mapping and k != new]
    mapping[new] = value
    for k, v in tail:
        mapping[k] = v


def set_list(seq: MutableSequence[Any], items: list[Any]) -> None:
    """Replace the contents of ``seq`` in place (the caller may hold the list object)."""
    del seq[:]
    seq.extend(items)


def parse_go_bool(text: JSON) -> bool | None:
    """Go's strconv.ParseBool; None when the text is not a boolean."""
    if isinstance(text, bool):
        return text
    return parse_bool(str(text))


def parse_go_int(text: JSON) -> int | None:
    """Go's strconv.Atoi (decimal, optional sign); None when it fails."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return int(text)
    s = str(text)
    body = s[1:] if s[:1] in "+-" else s
    if not body or not body.isascii() or not body.isdigit():
        return None
    return int(s)


def mesh_status_port(proxy_config: JSON) -> int:
    """The agent's status port from the effective ProxyConfig (Istio's default when unset)."""
    port = parse_go_int((proxy_config or {}).get("statusPort", DEFAULT_STATUS_PORT))
    return DEFAULT_STATUS_PORT if port is None else port


def dig(tree: JSON, *path: str) -> JSON:
    """``tree[a][b]...`` or None when any step is missing (values and mesh lookups)."""
    for key in path:
        if type(tree) is not dict and not isinstance(tree, Mapping):
            return None
        tree = tree.get(key)
        if tree is None:
            return None
    return tree
