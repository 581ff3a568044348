"""The overlay for settings: YAML/JSON files, Helm-style overlays, --set, IstioOperator, and what they mean in chart and injector terms."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
else:  # typing is for mypy alone (start-up); at run time the aliases below name a stand-in
    Any = object

import yaml

from pyinject.errors import ConfigError, Location
from pyinject.golang.tree import PathError
from pyinject.golang.tree import set_path as tree_set_path
from pyinject.records import dataclass, field

JSON = Any
Path = tuple[str | int, ...]


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """YAML 1.1 like sigs.k8s.io/yaml, except that dates stay strings (Go has no date type)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, what: str) -> JSON:
    """Parse one YAML (or JSON) document; ``what`` names it in the error."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            pass  # YAML flow style that is not strict JSON
    try:
        docs = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"{what} is not valid YAML{where}: {problem}") from err
    if len(docs) > 1:
        raise ConfigError(f"{what} holds {len(docs)} YAML documents; expected one")
    return docs[0] if docs else None


def read_file(path: str, what: str) -> JSON:
    """Read and parse a settings file; errors name the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as err:
        raise ConfigError(f"cannot read {what}: {err.strerror or err}", Location(file=path)) from err
    try:
        return parse_yaml(text, what)
    except ConfigError as err:
        raise err.with_location(file=path)


# --------------------------------------------------------------------------- merging


def overlay(base: JSON, top: JSON) -> JSON:
    """Helm's way of laying values over values: maps merge key by key, anything else
    (lists, scalars) is replaced, and an explicit ``null`` removes the key."""
    if not isinstance(base, dict) or not isinstance(top, dict):
        return copy.deepcopy(top)
    out = dict(base)
    for key, value in top.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = overlay(out[key], value)
        else:
            out[key] = _without_nulls(value)
    return out


def _without_nulls(value: JSON) -> JSON:
    # A null inside a newly added map has nothing to remove; Helm drops it too.
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return copy.deepcopy(value)


def set_path(tree: dict[str, JSON], path: Path, value: JSON) -> None:
    """Set ``tree[path] = value``, creating maps (and growing lists) on the way."""
    try:
        tree_set_path(tree, path, value)
    except PathError as err:
        raise ConfigError(f"{format_path(path[: err.depth + 1])}: {err.problem}") from None


def get_path(tree: JSON, path: Path) -> JSON:
    """``tree[path]``, or None when any step is missing."""
    node = tree
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return None
            node = node[part]
        else:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
    return node


def format_path(path: Path) -> str:
    """``("global", "proxy", "image")`` -> ``global.proxy.image``; list items as ``[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part).replace(".", "\\.")
            out += f".{text}" if out else text
    return out


# --------------------------------------------------------------------------- --set


@dataclass(frozen=True)
class SetFlag:
    """One ``--set KEY=VALUE``, parsed."""

    path: Path
    value: JSON
    text: str


#: (compiled on first use, through re's cache: only --set paths need it)
_SEGMENT = r"\[(\d+)\]"


def split_set_path(key: str, flag: str) -> Path:
    """``a.b\\.c[0].d`` -> ``("a", "b.c", 0, "d")``; a backslash escapes a dot."""
    parts: list[str | int] = []
    current = ""
    i = 0
    while i < len(key):
        char = key[i]
        if char == "\\" and i + 1 < len(key):
            current += key[i + 1]
            i += 2
            continue
        if char == ".":
            parts.extend(_indexed(current, flag))
            current = ""
        else:
            current += char
        i += 1
    parts.extend(_indexed(current, flag))
    return tuple(parts)


def _indexed(segment: str, flag: str) -> list[str | int]:
    name, _, rest = segment.partition("[")
    if not name:
        raise ConfigError(f"--set {flag}: empty key in path")
    out: list[str | int] = [name]
    if rest:
        indices = re.findall(_SEGMENT, "[" + rest)
        if "".join(f"[{i}]" for i in indices) != "[" + rest:
            raise ConfigError(f"--set {flag}: bad list index in {segment!r} (use key[N])")
        out.extend(int(i) for i in indices)
    return out


#: --set value shapes (compiled on first use, through re's cache: only --set needs them).
_GO_INT = r"[+-]?[0-9]+\Z"
_GO_FLOAT = r"(?i)[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)\Z"
_GO_HEX_FLOAT = r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+\Z"
_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_INT64 = 2**63


def parse_set_value(text: str) -> JSON:
    """Type a --set value the way istioctl does: integer, then float, then boolean,
    else a string (in which ``\\,`` stands for a comma).  ``null`` means "remove"."""
    if text == "null":
        return None
    if re.match(_GO_INT, text) and -_INT64 <= int(text) < _INT64:
        return int(text)
    if re.match(_GO_FLOAT, text):
        value = float(text)
        if not math.isinf(value) or "inf" in text.lower():
            return value
    if re.match(_GO_HEX_FLOAT, text):
        return float.fromhex(text)
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return text.replace("\\,", ",")


def parse_set(flag: str) -> SetFlag:
    """Parse one ``KEY=VALUE``; the first ``=`` splits (values may contain ``=``)."""
    key, eq, raw = flag.partition("=")
    if not eq or not key.strip():
        raise ConfigError(f"--set {flag}: expected KEY=VALUE")
    return SetFlag(split_set_path(key.strip(), flag), parse_set_value(raw), flag)


# --------------------------------------------------------------------------- IstioOperator


#: Profiles whose injector values and mesh equal the default install's; the
#: others (demo, ambient, openshift, ...) change them in ways pyinject does not model.
SAME_AS_DEFAULT_PROFILES = ("", "default", "empty", "minimal")

#: IstioOperator ``spec`` keys pyinject understands, and what each one feeds.
IOP_SPEC_KEYS = {
    "hub": "values global.hub",
    "tag": "values global.tag",
    "revision": "values revision",
    "values": "the injector values",
    "meshConfig": "the mesh config",
    "components": "components.<name>.enabled (cni feeds pilot.cni.enabled)",
    "profile": "default, empty or minimal (they give the injector the same values)",
    "namespace": "values global.istioNamespace",
    "unvalidatedValues": "the injector values, unchecked",
}


#: Keys of the chart values the injector ConfigMap carries (chart: istiod-injector-configmap.yaml).
_INJECTOR_KEYS = ("global", "sidecarInjectorWebhook", "revision")
_PILOT_KEYS = ("cni", "env", "crlConfigMapName")
_GATEWAY_KEYS = ("securityContext", "seccompProfile")


def combine(base: JSON, top: JSON) -> JSON:
    """Like :func:`overlay`, but keeping nulls: both sides are still overlays, nulls mean "remove" later."""
    if isinstance(base, dict) and isinstance(top, dict):
        out = dict(base)
        for key, value in top.items():
            out[key] = combine(out.get(key), value) if key in out else copy.deepcopy(value)
        return out
    return copy.deepcopy(top)


def injector_view(chart: Mapping[str, JSON]) -> dict[str, JSON]:
    """What the chart writes into the injector ConfigMap's ``values`` for this overlay."""
    out: dict[str, JSON] = {k: copy.deepcopy(chart[k]) for k in _INJECTOR_KEYS if k in chart}
    pilot: dict[str, JSON] = {}
    chart_pilot = chart.get("pilot") if isinstance(chart.get("pilot"), dict) else {}
    for key in _PILOT_KEYS:
        # The chart copies pilot.* over the top level, so pilot.<key> wins over <key>.
        if key in chart:
            pilot[key] = copy.deepcopy(chart[key])
        if isinstance(chart_pilot, dict) and key in chart_pilot:
            pilot[key] = combine(pilot.get(key), chart_pilot[key]) if key in pilot else copy.deepcopy(chart_pilot[key])
    if pilot:
        out["pilot"] = pilot
    gateways = chart.get("gateways")
    if isinstance(gateways, dict):
        picked = {k: copy.deepcopy(gateways[k]) for k in _GATEWAY_KEYS if k in gateways}
        if picked:
            out["gateways"] = picked
    return out


@dataclass
class Overlay:
    """What IstioOperator files and --set flags add on top of the base settings.

    ``values`` is in the istiod chart's own value space (``cni`` and ``pilot.cni``
    are both possible); ``origins`` maps each path that was set to the flag or
    file that set it, so a later error can say where the bad value came from.
    """

    spec: dict[str, JSON] = field(default_factory=dict)
    origins: dict[tuple[str, Path], str] = field(default_factory=dict)

    def note(self, section: str, path: Path, value: JSON, origin: str) -> None:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                self.note(section, path + (key,), child, origin)
        else:
            self.origins[(section, path)] = origin

    def origin(self, section: str, path: Path) -> str | None:
        """Who set ``path`` (or its closest parent) in ``section``."""
        for cut in range(len(path), -1, -1):
            found = self.origins.get((section, path[:cut]))
            if found is not None:
                return found
        # A child set by the overlay makes the overlay the likely culprit too.
        for (sec, known), origin in self.origins.items():
            if sec == section and known[: len(path)] == path:
                return origin
        return None

    def chart_values(self) -> dict[str, JSON]:
        """The values overlay in chart terms, with spec.hub/tag/revision and components folded in.

        The paths it fills from elsewhere get the origin of what they came from.
        """
        chart: dict[str, JSON] = copy.deepcopy(self.spec.get("values") or {})
        targets: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("hub", ("global", "hub")), ("tag", ("global", "tag")), ("revision", ("revision",)),
            ("namespace", ("global", "istioNamespace")))
        for key, target in targets:
            if key in self.spec:
                set_path(chart, target, self.spec[key])
                self.origins.setdefault(("values", target), self.origin(key, ()) or "")
        components = self.spec.get("components") or {}
        if not isinstance(components, dict):
            raise ConfigError("components: expected a mapping of component name to settings")
        for name, settings in components.items():
            origin = self.origin("components", (name,)) or "IstioOperator"
            if not isinstance(settings, dict) or not isinstance(settings.get("enabled", False), bool):
                raise ConfigError(f"components.{name}.enabled: expected a boolean ({origin})")
            if name == "cni" and "enabled" in settings:
                # The operator turns the CNI component on for istiod through pilot.cni.enabled.
                set_path(chart, ("pilot", "cni", "enabled"), settings["enabled"])
                self.origins.setdefault(("values", ("pilot", "cni", "enabled")), origin)
        return chart

    def injector_origin(self, path: Path) -> str | None:
        """Who set ``path`` of the injector values: a chart path can feed several injector paths."""
        candidates: list[tuple[str, Path]] = [("values", path)]
        if path[:1] == ("pilot",) and len(path) > 1:
            candidates.append(("values", path[1:]))
            if path[1:3] == ("cni", "enabled"):
                candidates.append(("components", ("cni", "enabled")))
        if path == ("global", "hub"):
            candidates.insert(0, ("hub", ()))
        if path == ("global", "tag"):
            candidates.insert(0, ("tag", ()))
        for section, candidate in candidates:
            origin = self.origin(section, candidate)
            if origin:
                return origin
        return None

    def mesh_config(self) -> dict[str, JSON]:
        """The mesh config overlay: ``values.meshConfig`` (where the chart takes the mesh
        from) with ``spec.meshConfig`` over it."""
        from_values = (self.spec.get("values") or {}).get("meshConfig") or {}
        for key in from_values:
            self.origins.setdefault(("meshConfig", (key,)), self.origin("values", ("meshConfig", key)) or "")
        merged = combine(from_values, self.spec.get("meshConfig") or {})
        return merged if isinstance(merged, dict) else {}


def read_operator(path: str) -> dict[str, JSON]:
    """The ``spec`` of an IstioOperator file, shape-checked."""
    doc = read_file(path, "IstioOperator file")
    where = Location(file=path)
    if not isinstance(doc, dict):
        raise ConfigError("IstioOperator file: expected a mapping with kind: IstioOperator", where)
    kind = doc.get("kind")
    if kind != "IstioOperator":
        raise ConfigError(f"expected kind: IstioOperator, got kind: {kind!r}", where)
    spec = doc.get("spec") or {}
    if not isinstance(spec, dict):
        raise ConfigError("spec: expected a mapping", where)
    profile = spec.get("profile") or ""
    if profile not in SAME_AS_DEFAULT_PROFILES:
        raise ConfigError(f"spec.profile: {profile!r} is not supported; pyinject reproduces the default profile "
                          "(for others, pass the cluster's injector values and mesh with --valuesFile and "
                          "--meshConfigFile)", where)
    for key, value in spec.items():
        if key not in IOP_SPEC_KEYS:
            known = ", ".join(sorted(IOP_SPEC_KEYS))
            raise ConfigError(f"spec.{key}: not supported by pyinject (known: {known})", where)
        if key in ("values", "meshConfig", "components", "unvalidatedValues") and not isinstance(value, (dict, type(None))):
            raise ConfigError(f"spec.{key}: expected a mapping", where)
    return spec


_SCHEMA_FOR = {"values": "values", "meshConfig": "mesh"}


def _as_schema_string(flag: SetFlag, section: str, path: Path) -> JSON:
    """Where the schema wants a string (``proxyMetadata`` values, port lists), a --set
    value that looked like a number or boolean is kept as the text that was typed:
    ``proxyMetadata.ISTIO_META_DNS_CAPTURE=true`` means the string "true"."""
    value = flag.value
    if value is None or isinstance(value, str) or section not in _SCHEMA_FOR:
        return value
    from pyinject.config.schemas import types_at

    allowed = types_at(_SCHEMA_FOR[section], path)
    if "string" in allowed and not allowed & {"integer", "number", "boolean"}:
        return flag.text.partition("=")[2].replace("\\,", ",")
    return value


def build_overlay(operator_file: str | None, sets: tuple[str, ...] | list[str]) -> Overlay:
    """IstioOperator ``spec`` first, then each --set on top, like ``istioctl manifest generate``."""
    result = Overlay()
    if operator_file:
        spec = read_operator(operator_file)
        for key, value in spec.items():
            if key == "unvalidatedValues":
                key = "values"
            if value is None:
                continue
            merged = overlay(result.spec.get(key), value) if isinstance(value, dict) else value
            result.spec[key] = merged
            result.note(key, (), value, operator_file)
    for text in sets:
        flag = parse_set(text)
        path = flag.path
        if path and path[0] == "spec":
            path = path[1:]
        if not path or not isinstance(path[0], str) or path[0] not in IOP_SPEC_KEYS:
            known = ", ".join(["values.*", "meshConfig.*", "hub", "tag", "revision", "namespace",
                               "components.<name>.enabled"])
            raise ConfigError(f"--set {flag.text}: unknown setting {format_path(path)!r} (known: {known})")
        section, rest = path[0], path[1:]
        origin = f"--set {flag.text}"
        if section in ("values", "meshConfig", "components", "unvalidatedValues"):
            if not rest:
                raise ConfigError(f"--set {flag.text}: give a key below {section}, e.g. {section}.a.b=value")
            section = "values" if section == "unvalidatedValues" else section
            tree = result.spec.setdefault(section, {})
            set_path(tree, rest, _as_schema_string(flag, section, rest))
            result.origins[(section, rest)] = origin
        else:
            if rest:
                raise ConfigError(f"--set {flag.text}: {section} takes a single value")
            if section == "profile" and flag.value not in SAME_AS_DEFAULT_PROFILES:
                raise ConfigError(f"--set {flag.text}: only the default profile is supported (or empty/minimal)")
            result.spec[section] = flag.value
            result.origins[(section, ())] = origin
    return result
