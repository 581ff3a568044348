"""Executing templates (pyinject/gotemplate/execute.py): Go's evaluation, scoping and errors.

Data is written in the engine's value model directly (float for JSON numbers,
int for Go int), so each case shows which Go type it exercises.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import pytest

from pyinject.gotemplate.errors import GoTemplateExecError
from pyinject.gotemplate import parse, render
from pyinject.golang.values import MISSING, GoFuncError, GoObject, Int64, TypedMap


def run(text: str, data: Any = None, funcs: dict[str, Callable[..., Any]] | None = None) -> str:
    return parse(text, "t", funcs).execute(data)


DATA = {
    "s": "str",
    "n": 3.0,
    "z": None,
    "t": True,
    "e": "",
    "l": ["a", "b", "c"],
    "m": {"b": 2.0, "a": 1.0, "c": 3.0},
    "nest": {"in": {"deep": "D"}, "nil": None, "list": [1.0]},
}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # fields and missing values
        pytest.param("{{.s}}", "str", id="field"),
        pytest.param("{{.nest.in.deep}}", "D", id="chained-field"),
        pytest.param("{{.nope}}", "<no value>", id="missing-key"),
        pytest.param("{{.z}}", "<no value>", id="null-value"),
        pytest.param("{{.nope.deeper}}", "<no value>", id="field-of-missing"),
        pytest.param("{{(.nest.nil).x}}", "<no value>", id="parenthesised-null-becomes-missing"),
        pytest.param("{{$v := .nest.nil}}{{$v.x}}", "<no value>", id="variable-null-becomes-missing"),
        pytest.param("{{.m}}", "map[a:1 b:2 c:3]", id="map-printed-sorted"),
        pytest.param("{{.n}}", "3", id="float-printed-like-go"),
        # literals
        pytest.param("{{1}} {{1.0}} {{1e2}} {{0x10}} {{'a'}} {{-0.5}}", "1 1 100 16 97 -0.5", id="number-literals"),
        pytest.param("{{`raw\\n`}} {{\"esc\\n\"}}", "raw\\n esc\n", id="string-literals"),
        pytest.param("{{true}} {{false}}", "true false", id="bools"),
        pytest.param("{{print nil}}", "<nil>", id="nil-argument"),
        # pipelines
        pytest.param("{{.s | printf \"%s-%s\" \"x\"}}", "x-str", id="pipe-appends-last-arg"),
        pytest.param("{{.nope | print}}", "<nil>", id="piped-missing-is-nil"),
        pytest.param("{{(print 1 2) | len}}", "3", id="paren-then-pipe"),
        # variables
        pytest.param("{{$x := 1}}{{$x = 2}}{{$x}}", "2", id="assign"),
        pytest.param("{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "21", id="shadow-in-block"),
        pytest.param("{{$x := 1}}{{range .l}}{{$x = .}}{{end}}{{$x}}", "c", id="assign-escapes-range"),
        pytest.param("{{with $x := .s}}{{$x}}{{.}}{{end}}", "strstr", id="with-declares"),
        pytest.param("{{range .l}}{{$.s}}{{end}}", "strstrstr", id="dollar-is-root"),
        # if / with
        pytest.param("{{if .e}}a{{else if .t}}b{{else}}c{{end}}", "b", id="else-if"),
        pytest.param("{{if .nope}}a{{else}}b{{end}}", "b", id="if-missing"),
        pytest.param("{{if .l}}y{{end}}{{if .nest.list}}y{{end}}", "yy", id="if-nonempty-lists"),
        pytest.param("{{with .nest.in}}{{.deep}}{{end}}", "D", id="with-rebinds-dot"),
        pytest.param("{{with .e}}x{{else}}{{.s}}{{end}}", "str", id="with-else-keeps-dot"),
        pytest.param("{{with .e}}1{{else with .n}}{{.}}{{else}}3{{end}}", "3", id="else-with"),
        # range
        pytest.param("{{range .l}}{{.}}{{end}}", "abc", id="range-slice"),
        pytest.param("{{range $i, $v := .l}}{{$i}}{{$v}}{{end}}", "0a1b2c", id="range-index"),
        pytest.param("{{range $k, $v := .m}}{{$k}}={{$v}} {{end}}", "a=1 b=2 c=3 ", id="range-map-sorted"),
        pytest.param("{{range $v := .m}}{{$v}}{{end}}", "123", id="range-one-var-gets-value"),
        pytest.param("{{range .nope}}x{{else}}none{{end}}", "none", id="range-missing-else"),
        pytest.param("{{range .z}}x{{else}}none{{end}}", "none", id="range-null-else"),
        pytest.param("{{range .l}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", "ac", id="continue"),
        pytest.param("{{range .l}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", "a", id="break"),
        pytest.param("{{range 3}}{{.}}{{end}}", "012", id="range-int"),
        pytest.param("{{range $i := 2}}[{{$i}}]{{end}}", "[0][1]", id="range-int-var"),
        pytest.param("{{range 0}}x{{else}}empty{{end}}", "empty", id="range-int-zero-else"),
        pytest.param("{{$i := 9}}{{range $i = .l}}{{end}}{{$i}}", "c", id="range-assign-outer-var"),
        # templates
        pytest.param("{{define \"x\"}}<{{.}}>{{end}}{{template \"x\" .s}}", "<str>", id="template-with-dot"),
        pytest.param("{{define \"x\"}}<{{.}}>{{end}}{{template \"x\"}}", "<<no value>>", id="template-nil-dot"),
        pytest.param("{{block \"b\" .n}}[{{.}}]{{end}}", "[3]", id="block-runs-inline"),
        pytest.param("{{template \"late\" 1}}{{define \"late\"}}L{{.}}{{end}}", "L1", id="define-after-use"),
        pytest.param("{{define \"v\"}}{{$x := 2}}{{$x}}{{end}}{{$x := 1}}{{template \"v\"}}{{$x}}", "21",
                     id="template-has-own-variables"),
        # and/or/not
        pytest.param("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" 3}} {{or 0 \"\"}}", "0 2 3 ", id="and-or-operands"),
        pytest.param("{{and .nope 1}}", "<no value>", id="and-returns-missing"),
        pytest.param("{{or 1 (index .l 99)}}", "1", id="or-short-circuits"),
        pytest.param("{{and 0 (index .l 99)}}", "0", id="and-short-circuits"),
        pytest.param("{{1 | and 1}}", "1", id="and-piped"),
        # trimming
        pytest.param("a \n {{- .s -}} \n b", "astrb", id="trim-both"),
        pytest.param("{{- .s}}  {{.s -}}  ", "str  str", id="trim-at-edges"),
    ],
)
def test_execute(text: str, want: str) -> None:
    assert run(text, DATA) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("{{.}}", "<no value>", id="dot"),
        pytest.param("{{$}}", "<no value>", id="dollar"),
        pytest.param("{{.x}}", "<no value>", id="field"),
        pytest.param("{{print .}}", "<nil>", id="as-argument"),
    ],
)
def test_nil_data(text: str, want: str) -> None:
    assert run(text, None) == want


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("{{.nest.nil.x}}", "nil pointer evaluating interface {}.x", id="field-of-null"),
        pytest.param("{{.s.x}}", "can't evaluate field x in type string", id="field-of-string"),
        pytest.param("{{.nest.list.x}}", "can't evaluate field x in type []interface {}", id="field-of-list"),
        pytest.param("{{.s 1}}", "s is not a method but has arguments", id="field-with-args"),
        pytest.param("{{1 | .s}}", "s is not a method but has arguments", id="field-piped-into"),
        pytest.param("{{\"x\" 1}}", 'can\'t give argument to non-function "x"', id="literal-with-args"),
        pytest.param("{{$x := 1}}{{$x 2}}", "can't give argument to non-function $x", id="variable-with-args"),
        pytest.param("{{nil}}", "nil is not a command", id="nil-command"),
        pytest.param("{{(nil).x}}", "nil is not a command", id="nil-in-parens"),
        pytest.param("{{9223372036854775808}}", "9223372036854775808 overflows int", id="uint-overflows-int"),
        pytest.param("{{$u = 1}}", "undefined variable: $u", id="assign-undeclared"),
        pytest.param("{{range .s}}{{end}}", "range can't iterate over str", id="range-string"),
        pytest.param("{{range .n}}{{end}}", "range can't iterate over 3", id="range-float"),
        pytest.param("{{range $i, $v := 3}}{{end}}", "can't use 3 to iterate over more than one variable",
                     id="range-int-two-vars"),
        pytest.param("{{template \"nope\"}}", 'template "nope" not defined', id="missing-template"),
        pytest.param("{{printf 1}}", "expected string; found 1", id="literal-wrong-type"),
        pytest.param("{{printf .n}}", "wrong type for value; expected string; got float64", id="value-wrong-type"),
        pytest.param("{{printf .nope}}", "invalid value; expected string", id="missing-for-string"),
        pytest.param("{{printf .z}}", "wrong type for value; expected string; got interface {}",
                     id="null-for-string"),
        pytest.param("{{printf nil}}", "cannot assign nil to string", id="nil-for-string"),
        pytest.param("{{len}}", "wrong number of args for len: want 1 got 0", id="too-few-args"),
        pytest.param("{{len 1 2}}", "wrong number of args for len: want 1 got 2", id="too-many-args"),
        pytest.param("{{\"a\" | len 1}}", "wrong number of args for len: want 1 got 2", id="pipe-counts-as-arg"),
        pytest.param("{{printf}}", "wrong number of args for printf: want at least 1 got 0", id="variadic-too-few"),
        pytest.param("{{index .l 5}}", "error calling index: index out of range: 5", id="function-error"),
    ],
)
def test_exec_errors(text: str, reason: str) -> None:
    with pytest.raises(GoTemplateExecError) as info:
        run(text, DATA)
    assert info.value.reason == reason  # type: ignore[attr-defined]


def test_exec_error_position_and_context() -> None:
    text = 'line one\n  {{define "inner"}}{{index . 5}}{{end}}x {{template "inner" .l}}'
    with pytest.raises(GoTemplateExecError) as info:
        run(text, DATA)
    assert str(info.value) == (
        'template: t:2:22: executing "inner" at <index . 5>: error calling index: index out of range: 5'
    )


def test_exec_error_context_is_truncated() -> None:
    with pytest.raises(GoTemplateExecError) as info:
        run('{{index .l "a very long key string"}}', DATA)
    assert 'at <index .l "a very lon...>' in str(info.value)


def test_output_before_error_is_not_returned() -> None:
    with pytest.raises(GoTemplateExecError):
        run("partial {{index .l 9}}", DATA)


def test_recursion_is_limited() -> None:
    limit = sys.getrecursionlimit()
    with pytest.raises(GoTemplateExecError, match="exceeded maximum template depth"):
        run('{{define "loop"}}{{template "loop" .}}{{end}}{{template "loop" .}}', DATA)
    assert sys.getrecursionlimit() == limit


def test_deep_recursion_within_limits() -> None:
    funcs = {"dec": lambda n: n - 1}
    text = '{{define "c"}}{{if gt . 0}}{{template "c" dec .}}{{else}}bottom{{end}}{{end}}{{template "c" 1000}}'
    assert run(text, None, funcs) == "bottom"


def test_recursive_template_terminates() -> None:
    funcs = {"dec": lambda n: n - 1}
    text = '{{define "c"}}{{.}}{{if gt . 0}},{{template "c" dec .}}{{end}}{{end}}{{template "c" 4}}'
    assert run(text, None, funcs) == "4,3,2,1,0"


def test_parse_once_execute_many() -> None:
    tmpl = parse('{{$n := .}}{{range .}}{{.}}{{end}}{{define "d"}}{{.}}{{end}}')
    assert tmpl.execute([1, 2]) == "12"
    assert tmpl.execute(["x"]) == "x"
    assert tmpl.execute(None) == ""
    assert tmpl.lookup("d").execute("again") == "again"  # type: ignore[union-attr]


# -- functions from other tables -----------------------------------------------------


def _typed_funcs() -> dict[str, Callable[..., Any]]:
    def takes_int(n: int) -> str:
        return f"int:{n}"

    def takes_int64(n: Int64) -> str:
        return f"int64:{n}"

    def takes_float(f: float) -> str:
        return f"float:{f}"

    def takes_bool(b: bool) -> str:
        return f"bool:{b}"

    def takes_list(items: list[Any]) -> int:
        return len(items)

    def takes_dict(d: dict[str, Any]) -> int:
        return len(d)

    def takes_any(v: Any) -> str:
        return "nil" if v is None else type(v).__name__

    def join(sep: str, *parts: str) -> str:
        return sep.join(parts)

    def fails(msg: str) -> str:
        raise GoFuncError(msg)

    def nothing() -> None:
        return None

    def sixty_four() -> Int64:
        return Int64(64)

    return {
        "int": takes_int, "int64": takes_int64, "float": takes_float, "bool": takes_bool,
        "list": takes_list, "dict": takes_dict, "any": takes_any, "join": join, "fails": fails,
        "nothing": nothing, "sixtyfour": sixty_four, "print": lambda *a: "overridden",
    }


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("{{int 3}} {{int 3.0}} {{int 'a'}} {{int (len .l)}}", "int:3 int:3 int:97 int:3", id="int-params"),
        pytest.param("{{int64 5}} {{int64 sixtyfour}}", "int64:5 int64:64", id="int64-params"),
        pytest.param("{{float 2}} {{float .n}}", "float:2.0 float:3.0", id="int-literal-converts-to-float"),
        pytest.param("{{bool true}} {{bool .t}}", "bool:True bool:True", id="bool-params"),
        pytest.param("{{list .l}} {{list nil}} {{list .nope}}", "3 0 0", id="list-nil-is-empty"),
        pytest.param("{{dict .m}} {{dict nil}}", "3 0", id="dict-params"),
        pytest.param("{{any .nope}} {{any .z}} {{any nil}} {{any 1}} {{any 1.5}}", "nil nil nil int float",
                     id="any-params"),
        pytest.param("{{join \",\"}}|{{join \",\" \"a\" \"b\"}}|{{\"c\" | join \"-\" \"d\"}}", "|a,b|d-c",
                     id="variadic"),
        pytest.param("{{nothing}}", "<no value>", id="nil-result"),
        pytest.param("{{print 1}}", "overridden", id="table-overrides-builtin"),
    ],
)
def test_typed_arguments(text: str, want: str) -> None:
    assert run(text, DATA, _typed_funcs()) == want


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("{{int .n}}", "wrong type for value; expected int; got float64", id="float-value-for-int"),
        pytest.param("{{int 1.5}}", "expected integer; found 1.5", id="fraction-for-int"),
        pytest.param("{{int sixtyfour}}", "wrong type for value; expected int; got int64", id="int64-for-int"),
        pytest.param("{{float (len .l)}}", "wrong type for value; expected float64; got int", id="int-value-for-float"),
        pytest.param("{{bool 1}}", "expected bool; found 1", id="number-for-bool"),
        pytest.param("{{bool .nope}}", "invalid value; expected bool", id="missing-for-bool"),
        pytest.param("{{list \"x\"}}", 'can\'t handle "x" for arg of type []interface {}', id="literal-for-list"),
        pytest.param("{{list .s}}", "wrong type for value; expected []interface {}; got string", id="string-for-list"),
        pytest.param("{{fails \"boom\"}}", "error calling fails: boom", id="go-error"),
    ],
)
def test_typed_argument_errors(text: str, reason: str) -> None:
    with pytest.raises(GoTemplateExecError) as info:
        run(text, DATA, _typed_funcs())
    assert info.value.reason == reason  # type: ignore[attr-defined]


# -- Go struct views -------------------------------------------------------------------


class _Meta(GoObject):
    """A stand-in for *metav1.ObjectMeta with a getter method."""

    def __init__(self, nil: bool = False) -> None:
        self.nil = nil

    def go_type(self) -> str:
        return "*v1.ObjectMeta"

    def go_field(self, name: str) -> Any:
        fields = {
            "Name": "pod",
            "Annotations": TypedMap({"a": "1"}, elem="string", zero=""),
            "Child": _Meta(nil=True),
        }
        return fields[name]

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name == "GetName":
            return lambda: "got-" + ("nil" if self.nil else "pod")
        if name == "Suffix":
            def suffix(s: str) -> str:
                return "pod" + s
            return suffix
        return None

    def go_is_nil(self) -> bool:
        return self.nil

    def go_format(self) -> str:
        return "&ObjectMeta{pod}"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("{{.Name}} {{.GetName}} {{.Child.GetName}}", "pod got-pod got-nil", id="field-and-method"),
        pytest.param("{{.Suffix \"-x\"}} {{\"-y\" | .Suffix}}", "pod-x pod-y", id="method-arguments"),
        pytest.param("{{index .Annotations \"a\"}}[{{index .Annotations \"b\"}}]", "1[]", id="typed-map-index-zero"),
        pytest.param("{{.Annotations.b}}", "<no value>", id="typed-map-field-missing"),
        pytest.param("{{if .Child}}y{{else}}n{{end}} {{.Child}} {{.}}", "n <nil> &ObjectMeta{pod}", id="nil-pointer"),
        pytest.param("{{printf \"%T\" .}} {{printf \"%T\" .Annotations}}", "*v1.ObjectMeta map[string]string",
                     id="type-names"),
    ],
)
def test_go_objects(text: str, want: str) -> None:
    assert run(text, _Meta()) == want


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("{{.Nope}}", "can't evaluate field Nope in type *v1.ObjectMeta", id="unknown-field"),
        pytest.param("{{.Child.Name}}", "nil pointer evaluating *v1.ObjectMeta.Name", id="field-of-nil-pointer"),
        pytest.param("{{.Name 1}}", "Name has arguments but cannot be invoked as function", id="field-with-args"),
        pytest.param("{{.GetName 1}}", "wrong number of args for GetName: want 0 got 1", id="method-arity"),
    ],
)
def test_go_object_errors(text: str, reason: str) -> None:
    with pytest.raises(GoTemplateExecError) as info:
        run(text, _Meta())
    assert info.value.reason == reason  # type: ignore[attr-defined]


# -- render(): the JSON entry point --------------------------------------------------


def test_render_decodes_json_numbers_as_float64() -> None:
    assert render("{{.v}} {{printf \"%T\" .v}}", {"v": 2000000}, funcs="none") == "2e+06 float64"


def test_render_rejects_unknown_function_set() -> None:
    with pytest.raises(ValueError, match="unknown function set"):
        render("x", None, funcs="jinja")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param('{{"a\\xffb"}}', "a\ufffdb", id="byte-escape"),
        pytest.param('{{slice "é!" 0 1}}|{{slice "é!" 1}}', "\ufffd|\ufffd!", id="split-rune"),
        pytest.param('{{slice "é!" 0 1}}{{slice "é!" 1}}', "é!", id="halves-rejoin-as-bytes"),
        pytest.param('{{"\\xc3\\xa9"}}', "é", id="bytes-forming-a-rune"),
    ],
)
def test_invalid_utf8_output_decodes_byte_by_byte(text: str, want: str) -> None:
    # Go writes the raw bytes; as text each invalid byte reads as U+FFFD.
    assert run(text) == want


def test_missing_sentinel_never_reaches_functions() -> None:
    seen: list[Any] = []

    def record(*args: Any) -> str:
        seen.extend(args)
        return ""

    run("{{record .nope (index .m \"zz\") nil}}{{.nope | record}}", DATA, {"record": record})
    assert seen == [None, None, None, None]
    assert MISSING not in seen
