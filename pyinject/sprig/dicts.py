"""sprig's dict functions, with merge/mergeOverwrite following mergo 0.3.12 exactly.

Maps are shared, as in Go: set, unset, merge and mergeOverwrite change the
map they are given (even one from the input data) and return it.
"""

from typing import Any, Callable

from pyinject.golang.values import GoFuncError, TypedList, TypedMap, type_name

from pyinject.sprig.cast import is_empty, strval


def _entries(d: dict[str, Any] | None) -> dict[str, Any]:
    # A nil map reads as empty in Go.
    return {} if d is None else d


def dict_(*items: Any) -> dict[str, Any]:
    """dict K1 V1 K2 V2 ...: a new map; keys are printed with %v, a missing last value is ""."""
    out: dict[str, Any] = {}
    for i in range(0, len(items), 2):
        key = strval(items[i])
        out[key] = items[i + 1] if i + 1 < len(items) else ""
    return out


def get(d: dict[str, Any], key: str) -> Any:
    """get MAP KEY: the value, or "" when KEY is absent."""
    entries = _entries(d)
    return entries[key] if key in entries else ""


def set_(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """set MAP KEY VALUE: store VALUE in MAP (in place) and return MAP."""
    if d is None:
        raise GoFuncError("assignment to entry in nil map")
    d[key] = value
    return d


def unset(d: dict[str, Any], key: str) -> dict[str, Any]:
    """unset MAP KEY: delete KEY from MAP (in place) and return MAP."""
    if d is None:
        return {}
    d.pop(key, None)
    return d


def has_key(d: dict[str, Any], key: str) -> bool:
    """hasKey MAP KEY: whether KEY is present (even with a nil value)."""
    return key in _entries(d)


def pluck(key: str, *dicts: dict[str, Any]) -> list[Any]:
    """pluck KEY MAP ...: the values of KEY in the maps that have it."""
    return [d[key] for d in dicts if d is not None and key in d]


def keys(*dicts: dict[str, Any]) -> TypedList:
    """keys MAP ...: all keys as a []string, unsorted as in Go (use sortAlpha)."""
    return TypedList((k for d in dicts for k in _entries(d)), elem="string")


def values(d: dict[str, Any]) -> list[Any]:
    """values MAP: the values, in no particular order."""
    return list(_entries(d).values())


def pick(d: dict[str, Any], *names: str) -> dict[str, Any]:
    """pick MAP KEY ...: a new map with only those keys."""
    entries = _entries(d)
    return {k: entries[k] for k in names if k in entries}


def omit(d: dict[str, Any], *names: str) -> dict[str, Any]:
    """omit MAP KEY ...: a new map without those keys."""
    dropped = set(names)
    return {k: v for k, v in _entries(d).items() if k not in dropped}


# --------------------------------------------------------------------------
# mergo 0.3.12


def _mergo_maps(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo's deepMerge of two maps, key by key.

    Without overwrite a key of dst is only filled when it is missing or holds
    an empty value; nested maps merge recursively; a map or list in src never
    replaces a non-empty dst value of another kind. With overwrite every src
    value wins, "" and nil included, except a map over a non-empty non-map.
    """
    for key, s in src.items():
        present = key in dst
        d = dst.get(key)
        if s is None:
            # A nil src value only matters when overwriting.
            if overwrite:
                dst[key] = None
            continue
        src_is_map = isinstance(s, dict)
        src_is_slice = isinstance(s, (list, tuple))
        if src_is_map:
            if present and isinstance(d, dict):
                _mergo_maps(d, s, overwrite)
        elif src_is_slice:
            # mergo consults the emptiness of the parent maps here, not of
            # the elements; the element checks below settle the result.
            if overwrite or not dst:
                dst[key] = s
            elif not present or d is None:
                dst[key] = TypedList(elem=s.elem) if isinstance(s, TypedList) else []
        # d still refers to dst's old value; a nested map merged above is
        # that same object, so its emptiness is read after the merge.
        if present and not is_empty(d) and (src_is_map or src_is_slice):
            continue
        if overwrite or not present or is_empty(d):
            dst[key] = s


def _merge(dst: dict[str, Any] | None, srcs: tuple[dict[str, Any], ...], overwrite: bool) -> dict[str, Any]:
    target = dst
    for src in srcs:
        if target is None:
            if src is None:
                continue
            target = {}
        if src is not None:
            _mergo_maps(target, src, overwrite)
    return {} if target is None else target


def merge(dst: dict[str, Any], *srcs: dict[str, Any]) -> dict[str, Any]:
    """merge DST SRC ...: fill DST's missing and empty values from each SRC, deeply; DST wins otherwise.

    DST is changed in place (deepCopy it first to keep it).
    """
    return _merge(dst, srcs, overwrite=False)


def merge_overwrite(dst: dict[str, Any], *srcs: dict[str, Any]) -> dict[str, Any]:
    """mergeOverwrite DST SRC ...: like merge, but SRC values win, even "", false, 0 and nil.

    A SRC map does not replace a non-empty DST value that is not a map.
    """
    return _merge(dst, srcs, overwrite=True)


def _copy(v: Any) -> Any:
    if isinstance(v, TypedMap):
        return TypedMap({k: _copy(x) for k, x in v.items()}, elem=v.elem, zero=v.zero)
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, TypedList):
        return TypedList((_copy(x) for x in v), elem=v.elem)
    if isinstance(v, (list, tuple)):
        return [_copy(x) for x in v]
    return v


def deep_copy(v: Any) -> Any:
    """deepCopy V: a copy of V with all nested maps and lists copied too."""
    return _copy(v)


def _as_map(v: Any) -> dict[str, Any]:
    if isinstance(v, dict) and (not isinstance(v, TypedMap) or v.elem == "interface {}"):
        return v
    raise GoFuncError(f"interface conversion: interface {{}} is {type_name(v)}, not map[string]interface {{}}")


def dig(*args: Any) -> Any:
    """dig KEY ... DEFAULT MAP: the value at the path of KEYs through nested maps, or DEFAULT if a key is missing.

    A value on the path that is not a map is an error.
    """
    if len(args) < 3:
        raise GoFuncError("dig needs at least three arguments")
    current = _as_map(args[-1])
    default = args[-2]
    path = args[:-2]
    for k in path:
        if not isinstance(k, str):
            raise GoFuncError(f"interface conversion: interface {{}} is {type_name(k)}, not string")
    for i, k in enumerate(path):
        if k not in current:
            return default
        step = current[k]
        if i == len(path) - 1:
            return step
        current = _as_map(step)
    return default


DICT_FUNCS: dict[str, Callable[..., Any]] = {
    "dict": dict_,
    "get": get,
    "set": set_,
    "unset": unset,
    "hasKey": has_key,
    "pluck": pluck,
    "keys": keys,
    "pick": pick,
    "omit": omit,
    "merge": merge,
    "mergeOverwrite": merge_overwrite,
    "mustMerge": merge,
    "mustMergeOverwrite": merge_overwrite,
    "values": values,
    "deepCopy": deep_copy,
    "mustDeepCopy": deep_copy,
    "dig": dig,
}
