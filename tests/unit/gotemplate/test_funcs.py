"""The function calling convention (pyinject/gotemplate/functions/__init__.py): kinds from annotations, tables."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pyinject.gotemplate.builtins import BUILTIN_FUNCS as BUILTINS
from pyinject.gotemplate.functions import function_table, signature_of
from pyinject.golang.values import Int64, Reflect


def plain(a: int, b: str, c: float, d: bool, e: list[Any], f: dict[str, Any], g: Any, h) -> None:  # type: ignore[no-untyped-def]
    pass


def sized(a: Int64, *rest: Reflect) -> None:
    pass


def variadic_str(sep: str, *parts: str) -> None:
    pass


class Getter:
    def get(self, key: str) -> str:
        return key


@pytest.mark.parametrize(
    ("fn", "params", "variadic"),
    [
        pytest.param(plain, ("int", "str", "float", "bool", "list", "dict", "any", "any"), None, id="basic-kinds"),
        pytest.param(sized, ("int64",), "value", id="int64-and-reflect"),
        pytest.param(variadic_str, ("str",), "str", id="variadic"),
        pytest.param(Getter().get, ("str",), None, id="bound-method-drops-self"),
        pytest.param(lambda x, *y: x, ("any",), "any", id="lambda-unannotated"),
        pytest.param(len, ("any",), None, id="c-builtin"),
    ],
)
def test_signature_kinds(fn: Callable[..., Any], params: tuple[str, ...], variadic: str | None) -> None:
    sig = signature_of(fn)
    assert (sig.params, sig.variadic) == (params, variadic)
    assert sig.fn is fn


def test_closures_from_one_definition_share_a_shape() -> None:
    def make(n: int) -> Callable[[str], str]:
        def f(s: str) -> str:
            return s * n
        return f

    first, second = make(1), make(2)
    assert signature_of(first).params == signature_of(second).params == ("str",)
    assert signature_of(second).fn is second


def test_function_table_later_tables_win() -> None:
    mine = {"print": lambda *a: "mine", "extra": lambda: 1}
    table = function_table(BUILTINS, mine)
    assert table["print"] is mine["print"]
    assert table["index"] is BUILTINS["index"]
    assert set(table) == set(BUILTINS) | {"extra"}


def test_builtins_are_gos_set() -> None:
    assert set(BUILTINS) == {
        "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
        "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
    }


def keyword_only(a: str, *rest: int, flag: bool = False) -> None:
    pass


def positional_only(a: Int64, /, b: list[Any]) -> None:
    pass


def unresolvable(a: NoSuchType, b: str) -> None:  # type: ignore[name-defined]  # noqa: F821
    pass


def _reference_shape(fn: Callable[..., Any]) -> tuple[tuple[str, ...], str | None]:
    """The kinds as inspect.signature and typing.get_type_hints give them (the executor's rules)."""
    import inspect
    import typing

    from pyinject.gotemplate.functions import _EMPTY, _kind

    sig = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:
        hints = {}
    params: list[str] = []
    variadic = None
    for p in sig.parameters.values():
        annotation = hints.get(p.name, p.annotation)
        kind = _kind(_EMPTY if annotation is p.empty else annotation)
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            params.append(kind)
        elif p.kind == p.VAR_POSITIONAL:
            variadic = kind
    return tuple(params), variadic


def _every_table_function() -> list[Any]:
    from pyinject.istio.gofuncs import istio_funcs
    from pyinject.sprig.table import SPRIG_FUNCS

    tables = {"builtin": BUILTINS, "sprig": SPRIG_FUNCS, "istio": istio_funcs({})}
    return [pytest.param(fn, id=f"{origin}-{name}") for origin, table in tables.items() for name, fn in table.items()]


@pytest.mark.parametrize(
    "fn",
    [plain, sized, variadic_str, keyword_only, positional_only, unresolvable, lambda x, *y: x, *_every_table_function()],
)
def test_a_functions_shape_is_read_from_its_code_as_inspect_reads_it(fn: Callable[..., Any]) -> None:
    from pyinject.gotemplate.functions import _function_shape

    assert _function_shape(fn) == _reference_shape(fn)  # type: ignore[arg-type]


def test_keyword_only_parameters_are_not_positional() -> None:
    sig = signature_of(keyword_only)
    assert (sig.params, sig.variadic) == (("str",), "int")
    sig = signature_of(positional_only)
    assert (sig.params, sig.variadic) == (("int64", "list"), None)
    sig = signature_of(unresolvable)
    assert (sig.params, sig.variadic) == (("any", "str"), None)


def test_wrapped_and_partial_functions_keep_what_inspect_makes_of_them() -> None:
    import functools

    @functools.wraps(variadic_str)
    def wrapper(*args: Any) -> None:
        pass

    sig = signature_of(wrapper)
    assert (sig.params, sig.variadic) == (("str",), "str")
    # A partial has no type hints of its own: its annotations' text decides.
    sig = signature_of(functools.partial(plain, 1, "b"))
    assert sig.params == ("float", "bool", "any", "any", "any", "any")


def test_a_lazy_table_loads_a_function_when_looked_up() -> None:
    from pyinject.gotemplate.functions import Deferred, LazyTable
    from pyinject.sprig.semver import SEMVER_FUNCS

    family = Deferred("pyinject.sprig.semver", "SEMVER_FUNCS")
    lazy = LazyTable({"semver": family, "semverCompare": family})
    merged = function_table(BUILTINS, lazy, {"semver": len})
    assert list(merged) == [*BUILTINS, "semver", "semverCompare"]
    assert "semverCompare" in merged and "nope" not in merged and len(merged) == len(BUILTINS) + 2
    assert merged.entries()["semverCompare"] is family  # merging and asking loads nothing
    assert merged["semver"] is len  # a later table still wins
    assert merged["semverCompare"] is SEMVER_FUNCS["semverCompare"]
    assert merged.entries()["semverCompare"] is SEMVER_FUNCS["semverCompare"]
    assert lazy.entries()["semverCompare"] is family  # the merged table is a copy
    with pytest.raises(KeyError):
        merged["nope"]


def test_funcsig_is_read_only_and_compares_by_value() -> None:
    from pyinject.gotemplate.functions import FuncSig

    sig = signature_of(variadic_str)
    assert sig == FuncSig(variadic_str, ("str",), "str")
    assert hash(sig) == hash(FuncSig(variadic_str, ("str",), "str"))
    assert sig != FuncSig(variadic_str, ("str",), None)
    assert repr(sig).startswith("FuncSig(fn=<function variadic_str")
    with pytest.raises(AttributeError):
        sig.params = ()  # type: ignore[misc]
