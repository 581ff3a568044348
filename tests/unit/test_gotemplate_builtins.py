"""Go's builtin template functions (pyinject/gotemplate/builtins.py), through templates."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.gotemplate.errors import GoTemplateExecError
from pyinject.gotemplate import parse
from pyinject.golang.values import Int64, TypedList, TypedMap

DATA: dict[str, Any] = {
    "f": 2.0,
    "g": 2.0,
    "s": "héllo",
    "l": ["a", ["b0", "b1"], "c"],
    "m": {"k": "v", "n": None},
    "tm": TypedMap({"k": "v"}, elem="string", zero=""),
    "tl": TypedList(["x", "y", "z"], elem="string"),
    "i64": Int64(2),
    "z": None,
    "fn": lambda a, b: a + b,
}


def run(text: str) -> str:
    return parse(text).execute(DATA)


def reason(text: str) -> str:
    with pytest.raises(GoTemplateExecError) as info:
        run(text)
    return info.value.reason  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # eq / ne
        pytest.param("{{eq .f .g}} {{eq .f 2.0}} {{eq 2 2}} {{eq \"a\" \"a\"}}", "true true true true", id="eq-same-kind"),
        pytest.param("{{eq .i64 2}} {{eq (len .l) 3}}", "true true", id="eq-int-kinds-mix"),
        pytest.param("{{eq 'b' 98}}", "true", id="eq-char-is-int"),
        pytest.param("{{eq \"b\" \"a\" \"b\"}} {{eq \"z\" \"a\" \"b\"}}", "true false", id="eq-any-of"),
        pytest.param("{{eq .nope nil}} {{eq .z .nope}} {{eq nil nil}}", "true true true", id="eq-nils"),
        pytest.param("{{eq .s .nope}} {{eq .nope .s}} {{eq .l nil}}", "false false false", id="eq-value-vs-nil"),
        pytest.param("{{eq \"a\" \"a\" 1}}", "true", id="eq-stops-at-first-match"),
        pytest.param("{{ne 1 2}} {{ne \"a\" \"a\"}} {{ne .nope 1}}", "true false true", id="ne"),
        # ordering
        pytest.param("{{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 2 3}}", "true true true false", id="int-order"),
        pytest.param("{{lt .f 2.5}} {{gt -0.5 -1.0}}", "true true", id="float-order"),
        pytest.param("{{lt \"B\" \"a\"}} {{lt \"ab\" \"b\"}} {{lt \"é\" \"z\"}}", "true true false", id="string-byte-order"),
        # not
        pytest.param("{{not 0}} {{not .nope}} {{not .l}} {{not \"0\"}}", "true true false false", id="not"),
        # len
        pytest.param("{{len .s}} {{len .l}} {{len .m}} {{len .tl}} {{len \"\"}}", "6 3 2 3 0", id="len-bytes-and-items"),
        # index
        pytest.param("{{index .l 1 0}} {{index .m \"k\"}} {{index .tl 2}}", "b0 v z", id="index"),
        pytest.param("{{index .l}}", "[a [b0 b1] c]", id="index-no-keys-is-item"),
        pytest.param("[{{index .m \"nope\"}}] [{{index .tm \"nope\"}}]", "[<no value>] []", id="index-missing-key-zero"),
        pytest.param("{{index .s 1}} {{printf \"%T\" (index .s 0)}}", "195 uint8", id="index-string-gives-byte"),
        pytest.param("{{index .l .i64}}", "c", id="index-with-int64"),
        # slice
        pytest.param("{{slice .l 1}} {{slice .l 1 2}} {{slice .l}}", "[[b0 b1] c] [[b0 b1]] [a [b0 b1] c]", id="slice-list"),
        pytest.param("{{slice .s 0 3}}|{{slice .s 3}}", "hé|llo", id="slice-string-by-bytes"),
        pytest.param("{{printf \"%T\" (slice .tl 1)}}", "[]string", id="slice-keeps-type"),
        pytest.param("{{slice .l 0 1 2}}", "[a]", id="slice-three-index"),
        # print family
        pytest.param("{{print \"a\" 1 2 \"b\"}}|{{println 1 \"a\"}}|{{printf \"%03d\" 7}}", "a1 2b|1 a\n|007", id="print"),
        # escapers
        pytest.param("{{html \"<a href='x'>&\\\"</a>\"}}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;", id="html"),
        pytest.param("{{html .nope}} {{html 1 \"a\"}}", "&lt;no value&gt; 1a", id="html-nil-and-args"),
        pytest.param("{{js \"a'b\\\"c<>&=\\\\\"}}", "a\\'b\\\"c\\u003C\\u003E\\u0026\\u003D\\\\", id="js-specials"),
        pytest.param("{{js \"\\r\\u2028é\"}}", "\\u000D\\u2028é", id="js-controls-and-unicode"),
        pytest.param("{{urlquery \"a b/c?d=é&~\"}}", "a+b%2Fc%3Fd%3D%C3%A9%26~", id="urlquery"),
        pytest.param("{{urlquery .nope}}", "%3Cno+value%3E", id="urlquery-nil"),
        # call
        pytest.param("{{call .fn 1 2}}", "3", id="call"),
    ],
)
def test_builtins(text: str, want: str) -> None:
    assert run(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("{{eq .f 2}}", "error calling eq: incompatible types for comparison", id="eq-float-vs-int"),
        pytest.param("{{eq \"2\" 2}}", "error calling eq: incompatible types for comparison", id="eq-string-vs-int"),
        pytest.param("{{eq .m .m}}", "error calling eq: non-comparable type map[k:v n:<nil>]: map[string]interface {}",
                     id="eq-maps"),
        pytest.param("{{eq 1}}", "error calling eq: missing argument for comparison", id="eq-one-arg"),
        pytest.param("{{lt true false}}", "error calling lt: invalid type for comparison", id="lt-bools"),
        pytest.param("{{lt .nope 1}}", "error calling lt: invalid type for comparison", id="lt-nil"),
        pytest.param("{{lt 1 1.5}}", "error calling lt: incompatible types for comparison", id="lt-int-vs-float"),
        pytest.param("{{ge .l .l}}", "error calling ge: invalid type for comparison", id="ge-lists"),
        pytest.param("{{len .f}}", "error calling len: len of type float64", id="len-number"),
        pytest.param("{{len .z}}", "error calling len: len of nil pointer", id="len-null"),
        pytest.param("{{index .l 3}}", "error calling index: reflect: slice index out of range", id="index-at-len"),
        pytest.param("{{index .l 4}}", "error calling index: index out of range: 4", id="index-past-len"),
        pytest.param("{{index .l -1}}", "error calling index: index out of range: -1", id="index-negative"),
        pytest.param("{{index .l .f}}", "error calling index: cannot index slice/array with type float64",
                     id="index-float"),
        pytest.param("{{index .l nil}}", "error calling index: cannot index slice/array with nil", id="index-nil-key"),
        pytest.param("{{index .m 1}}", "error calling index: value has type int; should be string", id="map-int-key"),
        pytest.param("{{index .m \"n\" \"x\"}}", "error calling index: index of nil pointer", id="index-through-null"),
        pytest.param("{{index .f 0}}", "error calling index: can't index item of type float64", id="index-number"),
        pytest.param("{{index nil 0}}", "error calling index: index of untyped nil", id="index-nil"),
        pytest.param("{{slice .s 2 1}}", "error calling slice: invalid slice index: 2 > 1", id="slice-reversed"),
        pytest.param("{{slice .s 0 1 2}}", "error calling slice: cannot 3-index slice a string", id="slice-3-string"),
        pytest.param("{{slice .m 0}}", "error calling slice: can't slice item of type map[string]interface {}",
                     id="slice-map"),
        pytest.param("{{slice .l 0 1 2 3}}", "error calling slice: too many slice indexes: 4", id="slice-4"),
        pytest.param("{{call .s}}", "error calling call: non-function of type string", id="call-string"),
        pytest.param("{{call .nope}}", "error calling call: call of nil", id="call-nil"),
        pytest.param("{{call .fn 1}}", "error calling call: wrong number of args: got 1 want 2", id="call-arity"),
        pytest.param("{{and}}", "wrong number of args for and: want at least 1 got 0", id="and-no-args"),
        pytest.param("{{not 1 2}}", "wrong number of args for not: want 1 got 2", id="not-two-args"),
    ],
)
def test_builtin_errors(text: str, want: str) -> None:
    assert reason(text) == want
