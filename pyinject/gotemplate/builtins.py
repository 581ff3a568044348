"""Go's predefined template functions: and, or, not, len, index, slice, print*, escapers, call, comparisons."""

from __future__ import annotations

from typing import Any, Callable

from pyinject.golang.fmt import sprint, sprintf, sprintln
from pyinject.gotemplate.functions import GO_TYPE_OF_KIND, nil_for, signature_of
from pyinject.golang.values import (
    MISSING,
    GoFuncError,
    GoInt,
    GoObject,
    Reflect,
    TypedList,
    TypedMap,
    Uint8,
    is_true,
    type_name,
)


def _invalid(v: Any) -> bool:
    # Go's indirectInterface turns a nil interface{} into an invalid Value.
    return v is None or v is MISSING


def truth(v: Any) -> bool:
    """Go's truth of a value; missing and nil are false."""
    return is_true(v)[0]


def go_and(arg0: Reflect, *args: Reflect) -> Any:
    """The first false argument, or the last one. (The executor short-circuits.)"""
    if not truth(arg0):
        return arg0
    for a in args:
        arg0 = a
        if not truth(a):
            break
    return arg0


def go_or(arg0: Reflect, *args: Reflect) -> Any:
    """The first true argument, or the last one. (The executor short-circuits.)"""
    if truth(arg0):
        return arg0
    for a in args:
        arg0 = a
        if truth(a):
            break
    return arg0


def go_not(arg: Reflect) -> bool:
    """The boolean negation of the argument's truth."""
    return not truth(arg)


def byte_len(s: str) -> int:
    """Length of a Go string: its UTF-8 bytes."""
    if s.isascii():
        return len(s)
    return len(s.encode("utf-8", "surrogateescape"))


def go_len(item: Reflect) -> int:
    """Length of a string (in bytes), slice or map."""
    if item is MISSING:
        raise GoFuncError("reflect: call of reflect.Value.Type on zero Value")
    if item is None or (isinstance(item, GoObject) and item.go_is_nil()):
        raise GoFuncError("len of nil pointer")
    if isinstance(item, str):
        return byte_len(item)
    if isinstance(item, (list, tuple, dict)):
        return len(item)
    raise GoFuncError(f"len of type {type_name(item)}")


def _index_arg(index: Any, cap: int) -> int:
    if isinstance(index, int) and not isinstance(index, bool):
        x = int(index)
    elif _invalid(index):
        raise GoFuncError("cannot index slice/array with nil")
    else:
        raise GoFuncError(f"cannot index slice/array with type {type_name(index)}")
    if x < 0 or x > cap:
        raise GoFuncError(f"index out of range: {x}")
    return x


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def go_index(item: Reflect, *indexes: Reflect) -> Any:
    """item[i][j]...: slices and strings by int, maps by key; a missing key gives the zero value."""
    if len(indexes) == 1 and type(indexes[0]) is str:
        # The common case, a map by one string key, as the loop below does it.
        t = type(item)
        if t is TypedMap:
            key = indexes[0]
            return item[key] if key in item else item.zero
        if t is dict:
            return item.get(indexes[0])
    if _invalid(item):
        raise GoFuncError("index of untyped nil")
    for index in indexes:
        if index is MISSING:
            index = None
        if item is None or (isinstance(item, GoObject) and item.go_is_nil()):
            raise GoFuncError("index of nil pointer")
        if isinstance(item, str):
            data = _utf8(item)
            x = _index_arg(index, len(data))
            if x == len(data):
                raise GoFuncError("reflect: string index out of range")
            item = Uint8(data[x])
        elif isinstance(item, (list, tuple)):
            x = _index_arg(index, len(item))
            if x == len(item):
                raise GoFuncError("reflect: slice index out of range")
            item = item[x]
        elif isinstance(item, dict):
            if index is None:
                raise GoFuncError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise GoFuncError(f"value has type {type_name(index)}; should be string")
            if index in item:
                item = item[index]
            else:
                item = item.zero if isinstance(item, TypedMap) else None
        else:
            raise GoFuncError(f"can't index item of type {type_name(item)}")
    return item


def go_slice(item: Reflect, *indexes: Reflect) -> Any:
    """item[i:j] or item[i:j:k] of a string (by bytes) or slice."""
    if _invalid(item):
        raise GoFuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoFuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise GoFuncError("cannot 3-index slice a string")
        data = _utf8(item)
        length = cap = len(data)
    elif isinstance(item, (list, tuple)):
        length = cap = len(item)
    else:
        raise GoFuncError(f"can't slice item of type {type_name(item)}")
    idx = [0, length, 0]
    for i, index in enumerate(indexes):
        if index is None:
            raise GoFuncError("cannot index slice/array with type interface {}")
        idx[i] = _index_arg(index, cap)
    if idx[0] > idx[1]:
        raise GoFuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise GoFuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    if isinstance(item, str):
        return data[idx[0] : idx[1]].decode("utf-8", "surrogateescape")
    if isinstance(item, TypedList):
        return TypedList(item[idx[0] : idx[1]], item.elem)
    return list(item[idx[0] : idx[1]])


def go_print(*args: Any) -> str:
    """fmt.Sprint: operands separated by spaces when neither side is a string."""
    return sprint(*args)


def go_printf(format: str, *args: Any) -> str:
    """fmt.Sprintf."""
    return sprintf(format, *args)


def go_println(*args: Any) -> str:
    """fmt.Sprintln: operands separated by spaces, newline at the end."""
    return sprintln(*args)


def _eval_args(args: tuple[Any, ...]) -> str:
    """The escapers' text of their arguments: nil prints as <no value>."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*("<no value>" if a is None else a for a in args))


_HTML_ESCAPES = {
    '"': "&#34;",
    "'": "&#39;",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\0": "\ufffd",
}


def go_html(*args: Any) -> str:
    """HTML-escape the text of the arguments."""
    s = _eval_args(args)
    return "".join(_HTML_ESCAPES.get(c, c) for c in s)


_JS_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def go_js(*args: Any) -> str:
    """JavaScript-escape the text of the arguments."""
    s = _eval_args(args)
    out = []
    for c in s:
        esc = _JS_ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
        elif c < " ":
            out.append(f"\\u{ord(c):04X}")
        elif c >= "\x80" and not c.isprintable():
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def go_urlquery(*args: Any) -> str:
    """Query-escape the text of the arguments (space becomes '+')."""
    from urllib.parse import quote_plus  # loaded by the templates that use urlquery

    s = _eval_args(args)
    return quote_plus(s.encode("utf-8", "surrogateescape"), safe="")


def _prepare_arg(value: Any, kind: str) -> Any:
    """Go's prepareArg for `call`: nil only where a nil fits; ints convert among int types."""
    go_type = GO_TYPE_OF_KIND[kind]
    if value is MISSING or value is None:
        if kind == "value":
            return value
        fits, nil = nil_for(kind)
        if fits:
            return nil
        raise GoFuncError(f"value is nil; should be of type {go_type}")
    if kind in ("any", "value"):
        return value
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind == "int" and is_int:
        return int(value)
    if kind in ("int64", "int32") and is_int:
        from pyinject.golang.values import Int32, Int64

        return Int64(value) if kind == "int64" else Int32(value)
    ok = {
        "float": lambda v: type(v) is float,
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: type(v) is bool,
        "list": lambda v: type_name(v) == "[]interface {}",
        "dict": lambda v: type_name(v) == "map[string]interface {}",
    }.get(kind, lambda v: False)(value)
    if not ok:
        raise GoFuncError(f"value has type {type_name(value)}; should be {go_type}")
    return value


def go_call(fn: Reflect, *args: Reflect) -> Any:
    """Call a function value (from the data) with the remaining arguments."""
    if _invalid(fn):
        raise GoFuncError("call of nil")
    if not callable(fn) or isinstance(fn, (GoObject, type)):
        raise GoFuncError(f"non-function of type {type_name(fn)}")
    sig = signature_of(fn)
    fixed = len(sig.params)
    if sig.variadic is not None:
        if len(args) < fixed:
            raise GoFuncError(f"wrong number of args: got {len(args)} want at least {fixed}")
    elif len(args) != fixed:
        raise GoFuncError(f"wrong number of args: got {len(args)} want {fixed}")
    argv = []
    for i, arg in enumerate(args):
        kind = sig.params[i] if i < fixed else sig.variadic
        assert kind is not None
        try:
            argv.append(_prepare_arg(arg, kind))
        except GoFuncError as err:
            raise GoFuncError(f"arg {i}: {err}") from None
    return fn(*argv)


# -- comparisons ---------------------------------------------------------------

_BAD_TYPE = "invalid type for comparison"
_BAD_COMPARISON = "incompatible types for comparison"
_NO_COMPARISON = "missing argument for comparison"


def _basic_kind(v: Any) -> str:
    """Go's basicKind: the comparison class of a value; "invalid" for the rest."""
    t = type(v)
    if t is str:
        return "string"
    if t is float:
        return "float"
    if t is bool:
        return "bool"
    if t is int or isinstance(v, GoInt):
        return "int"
    if isinstance(v, str):
        return "string"
    if isinstance(v, int) and not isinstance(v, bool):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, complex):
        return "complex"
    return "invalid"


def _is_nil(v: Any) -> bool:
    if v is None or v is MISSING:
        return True
    return isinstance(v, GoObject) and v.go_is_nil()


def _comparable(v: Any) -> bool:
    return not isinstance(v, (list, tuple, dict)) and not callable(v)


def go_eq(arg1: Reflect, *arg2: Reflect) -> bool:
    """arg1 == arg2, or arg1 equal to any of several; nil compares without error."""
    if type(arg1) is str and len(arg2) == 1 and type(arg2[0]) is str:
        return arg1 == arg2[0]  # two strings, as the loop below compares them
    if arg1 is None:
        arg1 = MISSING
    if not arg2:
        raise GoFuncError(_NO_COMPARISON)
    k1 = _basic_kind(arg1)
    for arg in arg2:
        if arg is None:
            arg = MISSING
        k2 = _basic_kind(arg)
        if k1 != k2:
            if arg1 is not MISSING and arg is not MISSING:
                raise GoFuncError(_BAD_COMPARISON)
            truth_ = False
        elif k1 != "invalid":
            truth_ = arg1 == arg
        elif _is_nil(arg1) or _is_nil(arg):
            truth_ = _is_nil(arg) == _is_nil(arg1)
        else:
            if not _comparable(arg):
                raise GoFuncError(f"non-comparable type {sprintf('%s', arg)}: {type_name(arg)}")
            truth_ = type_name(arg1) == type_name(arg) and arg1 == arg
        if truth_:
            return True
    return False


def go_ne(arg1: Reflect, arg2: Reflect) -> bool:
    """arg1 != arg2."""
    return not go_eq(arg1, arg2)


def go_lt(arg1: Reflect, arg2: Reflect) -> bool:
    """arg1 < arg2 for numbers of one kind or strings."""
    k1 = _basic_kind(arg1)
    if k1 == "invalid":
        raise GoFuncError(_BAD_TYPE)
    k2 = _basic_kind(arg2)
    if k2 == "invalid":
        raise GoFuncError(_BAD_TYPE)
    if k1 != k2:
        raise GoFuncError(_BAD_COMPARISON)
    if k1 in ("bool", "complex"):
        raise GoFuncError(_BAD_TYPE)
    less: bool = arg1 < arg2
    return less


def go_le(arg1: Reflect, arg2: Reflect) -> bool:
    """arg1 <= arg2."""
    return go_lt(arg1, arg2) or go_eq(arg1, arg2)


def go_gt(arg1: Reflect, arg2: Reflect) -> bool:
    """arg1 > arg2."""
    return not go_le(arg1, arg2)


def go_ge(arg1: Reflect, arg2: Reflect) -> bool:
    """arg1 >= arg2."""
    return not go_lt(arg1, arg2)


#: Go's predefined template functions (text/template funcs.go), by template name.
BUILTIN_FUNCS: dict[str, Callable[..., Any]] = {
    "and": go_and,
    "call": go_call,
    "html": go_html,
    "index": go_index,
    "slice": go_slice,
    "js": go_js,
    "len": go_len,
    "not": go_not,
    "or": go_or,
    "print": go_print,
    "printf": go_printf,
    "println": go_println,
    "urlquery": go_urlquery,
    "eq": go_eq,
    "ge": go_ge,
    "gt": go_gt,
    "le": go_le,
    "lt": go_lt,
    "ne": go_ne,
}

#: The builtins the executor evaluates lazily: arguments after the deciding one are skipped.
SHORT_CIRCUIT = {go_and: False, go_or: True}
