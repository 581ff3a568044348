"""Reuse one pod's rendered and decoded template for the next pod that differs only in names.

Pods of one manifest mostly differ in identity strings the templates only
print.  For a pod, :func:`abstract` replaces those strings (owner name and
namespace, pod name and namespace, label values, container names, service
account) by holes, and their images by opaque holes that may not even be
printed (:mod:`pyinject.render.holes`); everything else of the
template context, with each hole written as its index, is the cache key.

The first time a key is seen the pod renders the ordinary way.  The second
time, the template is rendered *abstractly*: holes print as sentinels, and
any other use of a hole either abandons the render or becomes a guard.  The
abstract text is decoded as usual; the cache keeps the decoded fragment with
the sentinels inside its strings, the guards, and where each sentinel sits.
A pod with the same key whose guards hold gets a copy of the fragment with its
own values written over the sentinels.

Why the copy equals decoding the pod's own rendered text: the abstract output
depends on the pod only through the key and the guards, so the pod's text is
the abstract text with its values in place of the sentinels.  Its values come
from a character class YAML and JSON never quote or escape, never begin with
an indicator and hold no spaces, so substituting changes no token of the
YAML: only the content of the scalars holding a sentinel, and how a plain
scalar resolves.  The fragment is used only when every sentinel the render
printed is found, whole, in a string value (not a key, comment, tag or
anchor) at a place whose Go type is string (labels, annotations, container
names, arguments, commands, environment values), and when each substituted
string still reads back as a string in YAML 1.1.  Anything else, or any doubt,
renders the pod the ordinary way; so do errors, which that render then words.
"""

from __future__ import annotations

import json
from collections import OrderedDict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Protocol, Sequence
else:  # typing is for mypy alone (start-up): at run time Decoded names a stand-in, the seam is a plain class
    Any = Protocol = object

from pyinject import records
from pyinject.golang.yaml11 import needs_quotes
from pyinject.model import TemplateContext
from pyinject.records import dataclass
from pyinject.render import holes
from pyinject.sandbox.limits import RenderLimits
from pyinject.render.holes import LEAF_CLASS, MAX_LEAVES, PRIVATE, SENTINEL, Hole, Observed, Recorder, sentinel

#: Cache entries kept (least recently used dropped first), and keys remembered as seen once.
ENTRY_LIMIT = 256
SEEN_LIMIT = 4096
#: Abstract renders of one template that may fail in a row before it is no longer tried.
FAILURE_LIMIT = 8
#: Keying a pod costs a twentieth to a thirtieth of rendering it: after this many pods without
#: a repeated key, only every SAMPLE-th pod is keyed until one repeats (a run of pods that
#: differ in more than names then pays under 1% for the reuse it cannot use).
UNIQUE_PODS = 16
SAMPLE = 16


class AbstractRenderer(Protocol):
    """A renderer whose templates can run on prepared variables (both back ends).

    ``variables`` must build fresh data on each call: a guard's function may
    change the maps it is given, and must not change those of another render.
    """

    def variables(self, ctx: TemplateContext) -> dict[str, Any]: ...

    def render_variables(self, name: str, variables: dict[str, Any]) -> str: ...

    @property
    def limits(self) -> RenderLimits | None: ...


Decoded = dict[str, Any] | None
Path = tuple[Any, ...]


@dataclass(frozen=True)
class Abstraction:
    """A pod's context with its identity strings as holes, the strings, and the cache key."""

    context: TemplateContext
    leaves: list[str]
    key: str
    #: Leaves that may not be printed (container images: any text).
    opaque: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Entry:
    data: Decoded
    #: (path, text with sentinels) of every string holding a sentinel.
    plan: tuple[tuple[Path, str], ...]
    guards: tuple[holes.Guard, ...]
    #: The abstract text's length and how often each leaf was printed: the pod's text length follows.
    length: int
    counts: tuple[tuple[int, int], ...]


@dataclass
class Stats:
    hits: int = 0
    stored: int = 0
    abandoned: int = 0
    ordinary: int = 0


class RenderReuse:
    """The run's cache of abstract renders (bounded, least recently used dropped)."""

    def __init__(self, renderer: AbstractRenderer, decode: Callable[[str, str], Decoded]) -> None:
        """``decode(name, text)`` decodes template ``name``'s rendered text as the ordinary path does."""
        self.renderer = renderer
        self.decode = decode
        self.entries: OrderedDict[tuple[str, str], Entry] = OrderedDict()
        self.seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.failures: dict[str, int] = {}
        self.stats = Stats()
        self.pods = 0
        #: Pods whose key had been seen before (the run repeats itself).
        self.repeats = 0

    def pod(self, ctx: TemplateContext) -> PodReuse | None:
        """Reuse for one pod; None when the run so far never repeated a key and this pod is not sampled."""
        self.pods += 1
        if self.repeats == 0 and self.pods > UNIQUE_PODS and self.pods % SAMPLE:
            return None
        return PodReuse(self, ctx)


class PodReuse:
    """Reuse for the templates of one pod."""

    def __init__(self, cache: RenderReuse, ctx: TemplateContext) -> None:
        self.cache = cache
        self.ctx = ctx
        self.abstraction = abstract(ctx)
        self._variables: dict[str, Any] | None = None

    def real_variables(self) -> dict[str, Any]:
        if self._variables is None:
            self._variables = self.cache.renderer.variables(self.ctx)
        return self._variables

    def fits(self, entry: Entry, leaves: Sequence[str]) -> bool:
        """Whether the pod's own text stays within the output limit (a sentinel is shorter than its value)."""
        limits = self.cache.renderer.limits
        if limits is None or not limits.output:
            return True
        size = entry.length + sum(count * (len(leaves[i]) - len(sentinel(i))) for i, count in entry.counts)
        return size <= limits.output

    def decoded(self, name: str, ordinary: Callable[[], Decoded]) -> Decoded:
        """Template ``name``'s decoded fragment for this pod: reused, abstract, or ``ordinary()``."""
        cache, abstraction = self.cache, self.abstraction
        if abstraction is None or cache.failures.get(name, 0) >= FAILURE_LIMIT:
            cache.stats.ordinary += 1
            return ordinary()
        key = (name, abstraction.key)
        if key in cache.seen:
            cache.repeats += 1
        entry = cache.entries.get(key)
        if (entry is not None and self.fits(entry, abstraction.leaves)
                and holes.guards_hold(entry.guards, abstraction.leaves, self.real_variables)):
            fragment = instantiate(entry, abstraction.leaves)
            if fragment is not _FAILED:
                cache.entries.move_to_end(key)
                cache.stats.hits += 1
                hit: Decoded = fragment
                return hit
        if key not in cache.seen:
            # Most keys occur once: only a key seen before is worth an abstract render.
            cache.seen[key] = None
            if len(cache.seen) > SEEN_LIMIT:
                cache.seen.popitem(last=False)
            cache.stats.ordinary += 1
            return ordinary()
        entry = self._abstract_entry(name, abstraction)
        if entry is None:
            cache.failures[name] = cache.failures.get(name, 0) + 1
            cache.stats.abandoned += 1
            return ordinary()
        cache.failures[name] = 0
        cache.entries[key] = entry
        cache.entries.move_to_end(key)
        if len(cache.entries) > ENTRY_LIMIT:
            cache.entries.popitem(last=False)
        cache.stats.stored += 1
        fragment = instantiate(entry, abstraction.leaves) if self.fits(entry, abstraction.leaves) else _FAILED
        if fragment is _FAILED:
            return ordinary()
        made: Decoded = fragment
        return made

    def _abstract_entry(self, name: str, abstraction: Abstraction) -> Entry | None:
        renderer = self.cache.renderer
        recorder = Recorder(abstraction.leaves, {}, self.real_variables, abstraction.opaque)
        try:
            with holes.recording(recorder):
                variables = renderer.variables(abstraction.context)
                recorder.tainted = tainted_paths(variables)
                text = renderer.render_variables(name, variables)
            if len(PRIVATE.findall(text)) != 3 * recorder.printed:
                return None  # the template itself printed sentinel code points
            data = self.cache.decode(name, text)
        except (Observed, Exception):  # noqa: BLE001 - any failure: render the ordinary way, which words it
            return None
        plan = _plan(data, recorder.printed)
        if plan is None:
            return None
        return Entry(data, plan, tuple(recorder.guards), len(text), tuple(recorder.counts.items()))


# --------------------------------------------------------------------------
# Holes in, values out


def abstract(ctx: TemplateContext) -> Abstraction | None:
    """``ctx`` with its identity strings as holes; None when it cannot be keyed safely."""
    leaves: list[str] = []
    opaque: set[int] = set()

    def leaf(value: Any, printable: bool = True) -> tuple[Any, Any]:
        """The value as a hole (for the render) and as its sentinel (for the key), or twice as it is."""
        if type(value) is str and value and len(leaves) < MAX_LEAVES and (not printable or LEAF_CLASS.match(value)):
            if not printable:
                opaque.add(len(leaves))
            leaves.append(value)
            return Hole((len(leaves) - 1,)), sentinel(len(leaves) - 1)
        return value, value

    def fields(data: Mapping[str, Any], names: Sequence[str], printable: bool = True) -> tuple[Any, Any]:
        held, keyed = dict(data), dict(data)
        for name in names:
            if name in data:
                held[name], keyed[name] = leaf(data[name], printable)
        return held, keyed

    def container(item: Any) -> tuple[Any, Any]:
        if type(item) is not dict:
            return item, item
        held, keyed = fields(item, ("name",))
        if "image" in item:
            held["image"], keyed["image"] = leaf(item["image"], printable=False)
        return held, keyed

    owner, owner_key = fields(ctx.deployment_meta, ("name", "namespace"))
    meta, meta_key = fields(ctx.object_meta, ("name", "namespace"))
    labels = ctx.object_meta.get("labels")
    if type(labels) is dict:
        meta["labels"], meta_key["labels"] = fields(labels, tuple(labels))
    spec, spec_key = fields(ctx.spec, ("serviceAccountName", "serviceAccount"))
    for field in ("containers", "initContainers"):
        items = ctx.spec.get(field)
        if type(items) is list:
            pairs = [container(c) for c in items]
            spec[field], spec_key[field] = [h for h, _ in pairs], [k for _, k in pairs]
    if not leaves:
        return None
    facts = [
        ctx.type_meta, owner_key, meta_key, spec_key, ctx.proxy_config, ctx.revision, ctx.native_sidecars,
        ctx.proxy_image, ctx.inbound_traffic_policy_mode, ctx.compliance_policy, ctx.proxy_uid, ctx.proxy_gid,
        id(ctx.values), id(ctx.mesh_config),
        None if ctx.data_fields is None else list(ctx.data_fields), ctx.estimated_concurrency,
    ]
    try:
        key = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        # JSON would write the key 1 as "1" (and a tuple as a list): only data that reads back the same is keyed.
        if json.loads(key) != facts:
            return None
    except (TypeError, ValueError):
        return None
    if len(PRIVATE.findall(key)) != 3 * len(leaves):
        return None  # the pod's own data holds sentinel code points
    context = records.replace(ctx, deployment_meta=owner, object_meta=meta, spec=spec)
    return Abstraction(context, leaves, key, frozenset(opaque))


def tainted_paths(variables: Mapping[str, Any]) -> dict[int, Path]:
    """The id and path of every container in ``variables`` that holds a hole."""
    found: dict[int, Path] = {}

    def walk(value: Any, path: Path) -> bool:
        kind = type(value)
        if kind is Hole:
            return True
        if isinstance(value, dict):
            inner = [walk(v, (*path, k)) for k, v in value.items()]
        elif kind is list or kind is tuple:
            inner = [walk(v, (*path, i)) for i, v in enumerate(value)]
        else:
            return False
        if any(inner):
            found.setdefault(id(value), path)
            return True
        return False

    for name, value in variables.items():
        if name not in _HOLE_FREE:
            walk(value, (name,))
    return found


#: Variables built only from parts of the context that never hold holes.
_HOLE_FREE = frozenset({"values", "mesh", "proxy", "tracing_tls", "proxy_metadata", "proxy_metadata_map"})


def _plan(data: Decoded, printed: int) -> tuple[tuple[Path, str], ...] | None:
    """Where the sentinels landed; None unless all ``printed`` sit whole in string-typed values."""
    plan: list[tuple[Path, str]] = []
    found = 0

    def walk(value: Any, path: Path) -> bool:
        nonlocal found
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and PRIVATE.search(k):
                    return False
                if not walk(v, (*path, k)):
                    return False
            return True
        if isinstance(value, list):
            return all(walk(v, (*path, i)) for i, v in enumerate(value))
        if isinstance(value, str) and PRIVATE.search(value):
            count = len(SENTINEL.findall(value))
            if 3 * count != len(PRIVATE.findall(value)) or not _string_typed(path):
                return False
            found += count
            plan.append((path, value))
        return True

    if not walk(data, ()) or found != printed:
        return None
    return tuple(plan)


def _string_typed(path: Path) -> bool:
    """Whether the value at ``path`` of a Pod fragment is a Go string (kept as decoded)."""
    if len(path) == 3 and path[0] == "metadata" and path[1] in ("labels", "annotations"):
        return True
    if len(path) < 4 or path[0] != "spec" or path[1] not in ("containers", "initContainers") or type(path[2]) is not int:
        return False
    rest = path[3:]
    if rest == ("name",):
        return True
    if len(rest) == 2 and rest[0] in ("args", "command") and type(rest[1]) is int:
        return True
    return len(rest) == 3 and rest[0] == "env" and type(rest[1]) is int and rest[2] == "value"


class _Failed:
    pass


_FAILED: Any = _Failed()


def instantiate(entry: Entry, leaves: Sequence[str]) -> Any:
    """The entry's fragment with ``leaves`` in place of the sentinels; _FAILED if a value would change type.

    Only the maps and lists on the way to a sentinel are copied: the rest is
    shared with the entry, read-only like every decoded fragment
    (:mod:`pyinject.render.decode`).
    """
    if entry.data is None:
        return None
    out = _shallow(entry.data)
    for path, text in entry.plan:
        value = holes.substitute(text, leaves)
        if needs_quotes(value):
            return _FAILED
        target, source = out, entry.data
        for step in path[:-1]:
            source = source[step]
            if target[step] is source:  # not copied yet on this way
                target[step] = _shallow(source)
            target = target[step]
        target[path[-1]] = value
    return out


def _shallow(value: Any) -> Any:
    """A copy of one map or list of a decoded fragment, of the same class."""
    return type(value)(value)
