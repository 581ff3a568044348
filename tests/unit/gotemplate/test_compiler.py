"""Compiled templates (pyinject/gotemplate/compiler.py, calls.py): reuse and the error positions
that depend on the order in which a tree walk would have evaluated its nodes.

Each case runs twice on one parsed template: the second run reuses the compiled
closures and must give the same text or the same error.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pyinject.golang.values import GoFuncError, GoObject
from pyinject.gotemplate import parse
from pyinject.gotemplate.errors import GoTemplateExecError


class View(GoObject):
    """A Go struct view with a field N, a method Add(int) and a method Fail(string) error."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def go_type(self) -> str:
        return "*pkg.View"

    def go_field(self, name: str) -> Any:
        if name == "N":
            return self.n
        raise KeyError(name)

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name == "Add":

            def add(x: int) -> int:
                return self.n + x

            return add
        if name == "Fail":

            def fail(s: str) -> str:
                raise GoFuncError("boom " + s)

            return fail
        return None


class Plain(GoObject):
    """A view that overrides neither go_method nor go_is_nil."""

    __slots__ = ()

    def go_type(self) -> str:
        return "pkg.Plain"

    def go_field(self, name: str) -> Any:
        if name == "Name":
            return "plain"
        raise KeyError(name)


def trim_suffix(suffix: str, s: str) -> str:
    return s[: -len(suffix)] if suffix and s.endswith(suffix) else s


FUNCS: dict[str, Callable[..., Any]] = {"rest": lambda s, i: s[i:], "pick3": lambda a, b, c: c,
                                        "trimSuffix": trim_suffix}
V = {"v": View(3)}


@pytest.mark.parametrize(
    ("text", "data", "want"),
    [
        pytest.param("{{.v.Add 2}}", V, "5", id="method-with-argument"),
        pytest.param("{{2 | .v.Add}}", V, "5", id="method-with-piped-argument"),
        pytest.param("{{.p.Name}}{{.p.Name}}", {"p": Plain()}, "plainplain", id="view-without-methods"),
        pytest.param("{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{end}}{{$x}}", {}, "2",
                     id="assignment-outlives-if"),
        pytest.param("{{with $v := .a}}{{$v}}{{end}}{{with .b}}{{.}}{{else}}none{{end}}", {"a": "A"},
                     "Anone", id="with-declaration-and-else"),
        pytest.param('{{define "r"}}{{if .}}{{.}}{{template "r" (rest . 1)}}{{end}}{{end}}{{template "r" "abc"}}',
                     {}, "abcbcc", id="recursive-template"),
        pytest.param("{{range $i, $e := .l}}{{$i}}{{$e}}{{end}}|{{range .m}}{{.}}{{end}}",
                     {"l": ["a", "b"], "m": {"y": 2, "x": 1}}, "0a1b|12", id="range-list-and-sorted-map"),
    ],
)
def test_runs_twice(text: str, data: Any, want: str) -> None:
    template = parse(text, "t", FUNCS)
    assert template.execute(data) == want
    assert template.execute(data) == want


@pytest.mark.parametrize(
    ("text", "data", "want"),
    [
        # The position is that of the last node evaluated, as in a tree walk.
        pytest.param('{{range "abc"}}x{{end}}', {},
                     'template: t:1:8: executing "t" at <"abc">: range can\'t iterate over abc',
                     id="range-error-at-constant"),
        pytest.param('{{range (or .a "s")}}x{{end}}', {},
                     'template: t:1:15: executing "t" at <"s">: range can\'t iterate over s',
                     id="range-error-at-deciding-operand"),
        pytest.param('{{.v.Add "x"}}', V,
                     'template: t:1:9: executing "t" at <"x">: expected integer; found "x"',
                     id="method-argument-type"),
        pytest.param("{{.v.N.Q}}", V,
                     'template: t:1:4: executing "t" at <.v.N.Q>: can\'t evaluate field Q in type int',
                     id="field-of-int"),
        pytest.param('{{.v.Fail "a"}}', V,
                     'template: t:1:4: executing "t" at <.v.Fail>: error calling Fail: boom a',
                     id="method-error"),
        pytest.param('{{"a" | .v.Fail}}', V,
                     'template: t:1:10: executing "t" at <.v.Fail>: error calling Fail: boom a',
                     id="piped-method-error"),
        pytest.param("{{.v.Zed}}", V,
                     'template: t:1:4: executing "t" at <.v.Zed>: can\'t evaluate field Zed in type *pkg.View',
                     id="unknown-field"),
        pytest.param("{{.v.N 1}}", V,
                     'template: t:1:4: executing "t" at <.v.N>: N has arguments but cannot be invoked as function',
                     id="field-with-arguments"),
        pytest.param("{{.m.k 1}}", {"m": {"k": 1}},
                     'template: t:1:4: executing "t" at <.m.k>: k is not a method but has arguments',
                     id="map-key-with-arguments"),
        # Constant arguments are taken as they are, but still become the current node.
        pytest.param("{{range (rest .s 1)}}x{{end}}", {"s": "abc"},
                     'template: t:1:17: executing "t" at <1>: range can\'t iterate over bc',
                     id="range-error-at-constant-second-argument"),
        pytest.param('{{range ("abc" | printf "%s")}}x{{end}}', {},
                     'template: t:1:24: executing "t" at <"%s">: range can\'t iterate over abc',
                     id="range-error-at-constant-before-piped-value"),
        pytest.param('{{range (pick3 .s "k" .s)}}x{{end}}', {"s": "abc"},
                     'template: t:1:22: executing "t" at <.s>: range can\'t iterate over abc',
                     id="range-error-at-last-of-three-arguments"),
        pytest.param('{{range (pick3 .s "k" "z")}}x{{end}}', {"s": "abc"},
                     'template: t:1:22: executing "t" at <"z">: range can\'t iterate over z',
                     id="range-error-at-constant-third-argument"),
        pytest.param('{{5 | trimSuffix "-"}}', {},
                     'template: t:1:17: executing "t" at <"-">: wrong type for value; expected string; got int',
                     id="piped-value-type-after-constant"),
        pytest.param("{{trimSuffix .s 1}}", {"s": "abc"},
                     'template: t:1:16: executing "t" at <1>: expected string; found 1',
                     id="constant-of-the-wrong-type"),
    ],
)
def test_errors_twice(text: str, data: Any, want: str) -> None:
    template = parse(text, "t", FUNCS)
    for _ in range(2):
        with pytest.raises(GoTemplateExecError) as err:
            template.execute(data)
        assert str(err.value) == want


class Known(GoObject):
    """A view that lists the fields it has given in ``go_known``, counting its go_field calls."""

    __slots__ = ("calls", "go_known", "nil")

    def __init__(self, nil: bool = False) -> None:
        self.calls = 0
        self.nil = nil
        self.go_known: dict[str, Any] = {}

    def go_type(self) -> str:
        return "*pkg.Known"

    def go_is_nil(self) -> bool:
        return self.nil

    def go_field(self, name: str) -> Any:
        self.calls += 1
        if name not in ("A", "B"):
            raise KeyError(name)
        value = {"A": self, "B": "b"}[name]
        if not self.nil:
            self.go_known[name] = value
        return value


def test_known_fields_are_read_without_asking_the_view() -> None:
    view = Known()
    template = parse("{{.k.A.B}}{{.k.B}}{{rest .k.B 0}}{{rest .k.A.B 0}}", "t", FUNCS)
    assert template.execute({"k": view}) == "bbbb"
    # Only the first read of each field asked the view.
    assert view.calls == 2
    assert template.execute({"k": view}) == "bbbb"
    assert view.calls == 2


def test_a_field_not_known_is_asked_for_each_time() -> None:
    view = Known(nil=True)
    template = parse("{{.k.B}}", "t", FUNCS)
    for _ in range(2):
        with pytest.raises(GoTemplateExecError, match="nil pointer evaluating [*]pkg.Known.B"):
            template.execute({"k": view})


def test_lookup_shares_the_compiled_set() -> None:
    template = parse('{{define "a"}}A{{.}}{{end}}{{template "a" 1}}', "t")
    assert template.execute(None) == "A1"
    inner = template.lookup("a")
    assert inner is not None
    assert inner.execute(2) == "A2"
    assert inner._compiled() is template._compiled()
