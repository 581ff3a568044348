"""sprig's list functions: they accept any Go slice, never mutate it, and return []interface{}.

Equality (has, without, uniq) is reflect.DeepEqual, so the template int 1
never equals the JSON number 1 (a float64). A non-list argument is an error
naming its reflect kind ("Cannot push on type map"); nil is a nil pointer
dereference in Go, which is an error here too. The must* variants behave the
same: in a template a panic and a returned error both end the execution.
"""

from typing import Any, Callable

from pyinject.golang.values import GoFuncError, TypedList, deep_equal, kind_of

from pyinject.sprig.cast import is_empty, to_int64

_NIL_DEREFERENCE = "runtime error: invalid memory address or nil pointer dereference"


def _items(v: Any, what: str) -> list[Any]:
    """The elements of a Go slice, or the error sprig gives for anything else."""
    if isinstance(v, (list, tuple)):
        return list(v)
    if v is None:
        raise GoFuncError(_NIL_DEREFERENCE)
    raise GoFuncError(what.format(kind=kind_of(v)))


def list_(*items: Any) -> list[Any]:
    """list A B ...: a new []interface{} (also spelled tuple)."""
    return list(items)


def push(v: Any, item: Any) -> list[Any]:
    """append LIST X (also push): a new list with X at the end."""
    return _items(v, "Cannot push on type {kind}") + [item]


def prepend(v: Any, item: Any) -> list[Any]:
    """prepend LIST X: a new list with X in front."""
    return [item] + _items(v, "Cannot prepend on type {kind}")


def first(v: Any) -> Any:
    """first LIST: the first element, nil for an empty list."""
    items = _items(v, "Cannot find first on type {kind}")
    return items[0] if items else None


def last(v: Any) -> Any:
    """last LIST: the last element, nil for an empty list."""
    items = _items(v, "Cannot find last on type {kind}")
    return items[-1] if items else None


def rest(v: Any) -> list[Any]:
    """rest LIST: everything but the first element."""
    return _items(v, "Cannot find rest on type {kind}")[1:]


def initial(v: Any) -> list[Any]:
    """initial LIST: everything but the last element."""
    return _items(v, "Cannot find initial on type {kind}")[:-1]


def reverse(v: Any) -> list[Any]:
    """reverse LIST: a reversed copy."""
    return _items(v, "Cannot find reverse on type {kind}")[::-1]


def compact(v: Any) -> list[Any]:
    """compact LIST: the elements that are not empty (see empty)."""
    return [x for x in _items(v, "Cannot compact on type {kind}") if not is_empty(x)]


def _contains(haystack: list[Any], needle: Any) -> bool:
    return any(deep_equal(needle, h) for h in haystack)


def uniq(v: Any) -> list[Any]:
    """uniq LIST: the elements without repeats (DeepEqual), first occurrence kept."""
    out: list[Any] = []
    for x in _items(v, "Cannot find uniq on type {kind}"):
        if not _contains(out, x):
            out.append(x)
    return out


def without(v: Any, *omit: Any) -> list[Any]:
    """without LIST X ...: the elements DeepEqual to none of the Xs."""
    omitted = list(omit)
    return [x for x in _items(v, "Cannot find without on type {kind}") if not _contains(omitted, x)]


def has(needle: Any, haystack: Any) -> bool:
    """has X LIST: whether LIST holds an element DeepEqual to X; a nil LIST holds nothing."""
    if haystack is None:
        return False
    return _contains(_items(haystack, "Cannot find has on type {kind}"), needle)


def slice_(v: Any, *indices: Any) -> Any:
    """slice LIST [START [END]]: LIST[START:END] of the same slice type; nil for an empty LIST.

    This replaces Go's builtin slice: strings are an error. The indices are
    converted like int (so JSON numbers work).
    """
    items = _items(v, "list should be type of slice or array but {kind}")
    if not items:
        return None
    start = to_int64(indices[0]) if indices else 0
    end = to_int64(indices[1]) if len(indices) >= 2 else len(items)
    if start < 0 or end < start or end > len(items):
        raise GoFuncError("reflect.Value.Slice: slice index out of bounds")
    if isinstance(v, TypedList):
        return TypedList(items[start:end], elem=v.elem)
    return items[start:end]


def concat(*lists: Any) -> list[Any]:
    """concat LIST ...: one list with the elements of all of them."""
    out: list[Any] = []
    for v in lists:
        out.extend(_items(v, "Cannot concat type {kind} as list"))
    return out


def chunk(size: int, v: Any) -> TypedList:
    """chunk SIZE LIST: LIST cut into lists of SIZE elements (the last may be shorter), a [][]interface{}."""
    items = _items(v, "Cannot chunk type {kind}")
    if size <= 0:
        raise GoFuncError("runtime error: makeslice: len out of range")
    return TypedList((items[i : i + size] for i in range(0, len(items), size)), elem="[]interface {}")


LIST_FUNCS: dict[str, Callable[..., Any]] = {
    "tuple": list_,
    "list": list_,
    "append": push,
    "push": push,
    "mustAppend": push,
    "mustPush": push,
    "prepend": prepend,
    "mustPrepend": prepend,
    "first": first,
    "mustFirst": first,
    "rest": rest,
    "mustRest": rest,
    "last": last,
    "mustLast": last,
    "initial": initial,
    "mustInitial": initial,
    "reverse": reverse,
    "mustReverse": reverse,
    "uniq": uniq,
    "mustUniq": uniq,
    "without": without,
    "mustWithout": without,
    "has": has,
    "mustHas": has,
    "slice": slice_,
    "mustSlice": slice_,
    "concat": concat,
    "chunk": chunk,
    "mustChunk": chunk,
    "compact": compact,
    "mustCompact": compact,
}
