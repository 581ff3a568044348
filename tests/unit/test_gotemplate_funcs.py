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
