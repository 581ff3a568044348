"""sprig's defaults, flow control and reflection: default, empty, coalesce, ternary, fail, typeOf, kindOf, deepEqual."""

from typing import Any, Callable

from pyinject.golang.values import GoFuncError, deep_equal, kind_of, type_name

from pyinject.sprig.cast import is_empty


def default(fallback: Any, *given: Any) -> Any:
    """default FALLBACK [VALUE]: VALUE unless it is empty (nil, "", 0, false, empty list or map), else FALLBACK.

    Written as a pipeline, ``.x | default "y"``, VALUE is the piped value.
    """
    if not given or is_empty(given[0]):
        return fallback
    return given[0]


def empty(value: Any) -> bool:
    """empty V: whether V is nil, false, 0, or an empty string, list or map."""
    return is_empty(value)


def coalesce(*values: Any) -> Any:
    """coalesce A B ...: the first value that is not empty, else nil."""
    for v in values:
        if not is_empty(v):
            return v
    return None


def all_(*values: Any) -> bool:
    """all A B ...: whether no value is empty (true for no values)."""
    return not any(is_empty(v) for v in values)


def any_(*values: Any) -> bool:
    """any A B ...: whether some value is not empty (false for no values)."""
    return any(not is_empty(v) for v in values)


def ternary(if_true: Any, if_false: Any, condition: bool) -> Any:
    """ternary T F COND: T when the bool COND is true, else F (``.b | ternary "on" "off"``)."""
    return if_true if condition else if_false


def fail(message: str) -> str:
    """fail MSG: stop the template with the error MSG."""
    raise GoFuncError(message)


def type_of(value: Any) -> str:
    """typeOf V: V's Go type as %T prints it (float64, []interface {}, <nil>...)."""
    return type_name(value)


def type_is(target: str, value: Any) -> bool:
    """typeIs TYPE V: whether typeOf V is TYPE."""
    return type_name(value) == target


def type_is_like(target: str, value: Any) -> bool:
    """typeIsLike TYPE V: like typeIs, also true for a pointer to TYPE."""
    name = type_name(value)
    return name == target or name == "*" + target


def kind_of_(value: Any) -> str:
    """kindOf V: V's reflect kind (string, float64, slice, map, ptr, invalid for nil...)."""
    return kind_of(value)


def kind_is(target: str, value: Any) -> bool:
    """kindIs KIND V: whether kindOf V is KIND."""
    return kind_of(value) == target


def deep_equal_(a: Any, b: Any) -> bool:
    """deepEqual A B: reflect.DeepEqual; an int never equals a float64."""
    return deep_equal(a, b)


DEFAULT_FUNCS: dict[str, Callable[..., Any]] = {
    "default": default,
    "empty": empty,
    "coalesce": coalesce,
    "all": all_,
    "any": any_,
    "ternary": ternary,
    "fail": fail,
    "typeOf": type_of,
    "typeIs": type_is,
    "typeIsLike": type_is_like,
    "kindOf": kind_of_,
    "kindIs": kind_is,
    "deepEqual": deep_equal_,
}
