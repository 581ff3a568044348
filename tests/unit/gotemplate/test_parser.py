"""Parse trees and parse-time errors (pyinject/gotemplate/parser.py), with Go's messages."""

from __future__ import annotations

import pytest

from pyinject.gotemplate.errors import GoTemplateSyntaxError
from pyinject.gotemplate import parse as parse_template
from pyinject.gotemplate.lexer import T
from pyinject.gotemplate.literals import new_number, unquote
from pyinject.gotemplate.parser import parse

KNOWN = {"f", "g", "print"}


def tree_text(text: str, name: str = "t") -> str:
    return str(parse(text, name, KNOWN.__contains__)[name].root)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("{{.A.B | f 1 \"s\" | g}}", '{{.A.B | f 1 "s" | g}}', id="pipeline"),
        pytest.param("{{ f  ( g .x )  $ }}", "{{f (g .x) $}}", id="spaces-normalised"),
        pytest.param("{{$x := 1}}{{$x.y}}", "{{$x := 1}}{{$x.y}}", id="variable-field"),
        pytest.param("{{(f).a.b}}", "{{(f).a.b}}", id="chain"),
        pytest.param("{{if .a}}1{{else if .b}}2{{else}}3{{end}}",
                     "{{if .a}}1{{else}}{{if .b}}2{{else}}3{{end}}{{end}}", id="else-if-nests"),
        pytest.param("{{with .a}}1{{else with .b}}2{{end}}",
                     "{{with .a}}1{{else}}{{with .b}}2{{end}}{{end}}", id="else-with-nests"),
        pytest.param("{{range $i, $v := .}}{{break}}{{continue}}{{end}}",
                     "{{range $i, $v := .}}{{break}}{{continue}}{{end}}", id="range-break-continue"),
        pytest.param("{{template \"x\" .}}", '{{template "x" .}}', id="template"),
        pytest.param("a{{/* gone */}}b", "ab", id="comment-dropped"),
    ],
)
def test_tree_round_trip(text: str, want: str) -> None:
    assert tree_text(text) == want


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{{nope}}", 'function "nope" not defined', id="unknown-function"),
        pytest.param("{{if false}}{{nope 1}}{{end}}", 'function "nope" not defined', id="unknown-function-dead-branch"),
        pytest.param("{{$u}}", 'undefined variable "$u"', id="undefined-variable"),
        pytest.param("{{with 1}}{{$v := 2}}{{end}}{{$v}}", 'undefined variable "$v"', id="variable-out-of-scope"),
        pytest.param("{{define \"d\"}}{{$x}}{{end}}{{$x := 1}}", 'undefined variable "$x"', id="define-has-own-scope"),
        pytest.param("{{f | 1}}", "non executable command in pipeline stage 2", id="literal-after-pipe"),
        pytest.param("{{}}", "missing value for command", id="empty-action"),
        pytest.param("{{if}}{{end}}", "missing value for if", id="empty-if"),
        pytest.param("{{range .}}", "unexpected EOF", id="missing-end"),
        pytest.param("{{end}}", "unexpected {{end}}", id="stray-end"),
        pytest.param("{{else}}", "unexpected {{else}}", id="stray-else"),
        pytest.param("{{if 1}}{{else}}{{else}}{{end}}", "expected end; found {{else}}", id="double-else"),
        pytest.param("{{range .}}{{else if 1}}{{end}}{{end}}", "unexpected <if> in input", id="range-else-if"),
        pytest.param("{{with 1}}{{else if 1}}{{end}}", "unexpected <if> in input", id="with-else-if"),
        pytest.param("{{break}}", "{{break}} outside {{range}}", id="break-outside-range"),
        pytest.param("{{range .}}{{define \"x\"}}{{break}}{{end}}{{end}}",
                     "unexpected <define> in command", id="define-not-top-level"),
        pytest.param("{{template .x}}", 'unexpected ".x" in template clause', id="template-name-not-string"),
        pytest.param("{{$a, $b := 1}}", "too many declarations in command", id="two-vars-outside-range"),
        pytest.param("{{range $a, $b, $c := .}}{{end}}", "too many declarations in range", id="three-range-vars"),
        pytest.param("{{range $a, 1 := .}}{{end}}", "range can only initialize variables", id="range-non-variable"),
        pytest.param("{{\"s\".x}}", 'unexpected . after term "\\"s\\""', id="field-of-literal"),
        pytest.param("{{f 1 2)}}", "unexpected \")\" in command", id="extra-close-paren"),
        pytest.param("{{08}}", 'integer overflow: "08"', id="bad-octal"),
        pytest.param("{{99999999999999999999}}", 'integer overflow: "99999999999999999999"', id="int-too-big"),
        pytest.param("{{1__0}}", 'illegal number syntax: "1__0"', id="double-underscore"),
        pytest.param("{{'ab'}}", "malformed character constant: 'ab'", id="two-char-constant"),
        pytest.param('{{"\\z"}}', "invalid syntax", id="bad-escape"),
        pytest.param("{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}",
                     'template: multiple definition of template "a"', id="redefine"),
        pytest.param("{{block \"b\" .}}x{{end}}{{define \"b\"}}y{{end}}",
                     'template: multiple definition of template "b"', id="block-then-define"),
        pytest.param("{{\n.x\n", "unclosed action in action started at t:1", id="unclosed-multiline"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(GoTemplateSyntaxError) as info:
        parse(text, "t", KNOWN.__contains__)
    assert str(info.value).endswith(": " + message)
    assert str(info.value).startswith("template: t:")


def test_parse_error_names_line() -> None:
    with pytest.raises(GoTemplateSyntaxError) as info:
        parse("line1\nline2 {{nope}}", "cfg", KNOWN.__contains__)
    assert str(info.value) == 'template: cfg:2: function "nope" not defined'


@pytest.mark.parametrize(
    ("text", "typ", "flags", "values"),
    [
        pytest.param("42", T.NUMBER, "iuf", (42, 42.0), id="int"),
        pytest.param("-7", T.NUMBER, "if", (-7, -7.0), id="negative-not-uint"),
        pytest.param("0x1F", T.NUMBER, "iuf", (31, 31.0), id="hex"),
        pytest.param("017", T.NUMBER, "iuf", (15, 15.0), id="legacy-octal"),
        pytest.param("0o17", T.NUMBER, "iuf", (15, 15.0), id="octal"),
        pytest.param("0b101", T.NUMBER, "iuf", (5, 5.0), id="binary"),
        pytest.param("1_000", T.NUMBER, "iuf", (1000, 1000.0), id="underscores"),
        pytest.param("2.0", T.NUMBER, "iuf", (2, 2.0), id="integral-float-is-also-int"),
        pytest.param("2.5", T.NUMBER, "f", (None, 2.5), id="fraction-only-float"),
        pytest.param("1e3", T.NUMBER, "iuf", (1000, 1000.0), id="exponent"),
        pytest.param("0x1p-2", T.NUMBER, "f", (None, 0.25), id="hex-float"),
        pytest.param("18446744073709551615", T.NUMBER, "uf", (None, 18446744073709551615.0), id="uint64-max"),
        pytest.param("'a'", T.CHAR_CONSTANT, "iuf", (97, 97.0), id="char"),
        pytest.param("'\\n'", T.CHAR_CONSTANT, "iuf", (10, 10.0), id="char-escape"),
        pytest.param("'\\u00e9'", T.CHAR_CONSTANT, "iuf", (233, 233.0), id="char-unicode-escape"),
        pytest.param("0i", T.NUMBER, "iufc", (0, 0.0), id="zero-imaginary-simplifies"),
        pytest.param("3i", T.NUMBER, "c", (None, None), id="imaginary"),
        pytest.param("1+2i", T.COMPLEX, "c", (None, None), id="complex"),
        pytest.param("1e+2-3i", T.COMPLEX, "c", (None, None), id="complex-exponent-sign"),
    ],
)
def test_number_constants(text: str, typ: T, flags: str, values: tuple[object, object]) -> None:
    n = new_number(0, text, typ)
    got = "".join(
        flag for flag, on in zip("iufc", (n.is_int, n.is_uint, n.is_float, n.is_complex)) if on
    )
    assert got == flags
    want_int, want_float = values
    if want_int is not None:
        assert n.int_value == want_int
    if want_float is not None:
        assert n.float_value == want_float


@pytest.mark.parametrize(
    ("quoted", "want"),
    [
        pytest.param('"a\\tb"', "a\tb", id="tab"),
        pytest.param('"\\x41\\101\\u00e9\\U0001F600"', "AAé\U0001f600", id="numeric-escapes"),
        pytest.param('"\\xc3\\xa9"', "é", id="utf8-bytes"),
        pytest.param('"\\\'"', None, id="single-quote-escape-invalid-in-string"),
        pytest.param("`a\\n\r\nb`", "a\\n\nb", id="raw-drops-carriage-returns"),
    ],
)
def test_unquote(quoted: str, want: str | None) -> None:
    if want is None:
        with pytest.raises(ValueError):
            unquote(quoted)
    else:
        assert unquote(quoted) == want


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param("{{define \"a\"}}A{{end}}{{block \"b\" .}}B{{end}}", ["a", "b", "t"], id="define-and-block"),
        pytest.param("{{define \"a\"}} {{end}}{{define \"a\"}}x{{end}}", ["a", "t"], id="empty-define-replaced"),
    ],
)
def test_template_set(text: str, names: list[str]) -> None:
    tmpl = parse_template(text)
    assert tmpl.template_names() == names


def test_whitespace_only_redefinition_keeps_first() -> None:
    tmpl = parse_template('{{define "a"}}first{{end}}{{define "a"}}\n  {{end}}{{template "a"}}')
    assert tmpl.execute(None) == "first"
    assert tmpl.lookup("a") is not None and tmpl.lookup("a").execute(None) == "first"  # type: ignore[union-attr]
    assert tmpl.lookup("zz") is None
