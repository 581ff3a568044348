"""Tokens and their positions (pyinject/gotemplate/lexer.py), after Go's parse/lex rules."""

from __future__ import annotations

import pytest

from pyinject.gotemplate.lexer import T, lex


def kinds(text: str) -> list[tuple[str, str]]:
    return [(tok.typ.name, tok.val) for tok in lex(text)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("", [("EOF", "")], id="empty"),
        pytest.param("hi", [("TEXT", "hi"), ("EOF", "")], id="text-only"),
        pytest.param(
            "a{{.x}}b",
            [("TEXT", "a"), ("LEFT_DELIM", "{{"), ("FIELD", ".x"), ("RIGHT_DELIM", "}}"), ("TEXT", "b"), ("EOF", "")],
            id="field",
        ),
        pytest.param(
            "{{.a.b}}",
            [("LEFT_DELIM", "{{"), ("FIELD", ".a"), ("FIELD", ".b"), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="chained-fields-split",
        ),
        pytest.param(
            "{{$v := .}}",
            [("LEFT_DELIM", "{{"), ("VARIABLE", "$v"), ("SPACE", " "), ("DECLARE", ":="), ("SPACE", " "),
             ("DOT", "."), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="declare",
        ),
        pytest.param(
            "{{$ = 1}}",
            [("LEFT_DELIM", "{{"), ("VARIABLE", "$"), ("SPACE", " "), ("ASSIGN", "="), ("SPACE", " "),
             ("NUMBER", "1"), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="dollar-assign",
        ),
        pytest.param(
            "{{range $i, $e := .}}",
            [("LEFT_DELIM", "{{"), ("RANGE", "range"), ("SPACE", " "), ("VARIABLE", "$i"), ("CHAR", ","),
             ("SPACE", " "), ("VARIABLE", "$e"), ("SPACE", " "), ("DECLARE", ":="), ("SPACE", " "),
             ("DOT", "."), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="range-two-vars",
        ),
        pytest.param(
            "{{if true}}{{else}}{{end}}",
            [("LEFT_DELIM", "{{"), ("IF", "if"), ("SPACE", " "), ("BOOL", "true"), ("RIGHT_DELIM", "}}"),
             ("LEFT_DELIM", "{{"), ("ELSE", "else"), ("RIGHT_DELIM", "}}"),
             ("LEFT_DELIM", "{{"), ("END", "end"), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="keywords",
        ),
        pytest.param(
            "{{f (g 1) | h}}",
            [("LEFT_DELIM", "{{"), ("IDENTIFIER", "f"), ("SPACE", " "), ("LEFT_PAREN", "("), ("IDENTIFIER", "g"),
             ("SPACE", " "), ("NUMBER", "1"), ("RIGHT_PAREN", ")"), ("SPACE", " "), ("PIPE", "|"),
             ("SPACE", " "), ("IDENTIFIER", "h"), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="parens-and-pipe",
        ),
        pytest.param(
            "{{\"a\\\"b\" `r\\n` 'x'}}",
            [("LEFT_DELIM", "{{"), ("STRING", '"a\\"b"'), ("SPACE", " "), ("RAW_STRING", "`r\\n`"),
             ("SPACE", " "), ("CHAR_CONSTANT", "'x'"), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="string-raw-char",
        ),
        pytest.param(
            "{{-3 +4 .5 0x1F 1_000 1e3 2i 1+2i}}",
            [("LEFT_DELIM", "{{"), ("NUMBER", "-3"), ("SPACE", " "), ("NUMBER", "+4"), ("SPACE", " "),
             ("NUMBER", ".5"), ("SPACE", " "), ("NUMBER", "0x1F"), ("SPACE", " "), ("NUMBER", "1_000"),
             ("SPACE", " "), ("NUMBER", "1e3"), ("SPACE", " "), ("NUMBER", "2i"), ("SPACE", " "),
             ("COMPLEX", "1+2i"), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="numbers-and-no-trim-without-space",
        ),
        pytest.param(
            "{{fé1 .aé.b}}",
            [("LEFT_DELIM", "{{"), ("IDENTIFIER", "fé1"), ("SPACE", " "), ("FIELD", ".aé"), ("FIELD", ".b"),
             ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="words-past-their-ascii-part",
        ),
        pytest.param(
            "{{1   -}}",
            [("LEFT_DELIM", "{{"), ("NUMBER", "1"), ("SPACE", "  "), ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="space-run-leaves-the-trim-marker",
        ),
        pytest.param(
            "{{'\\'' \"a\\\\\"}}",
            [("LEFT_DELIM", "{{"), ("CHAR_CONSTANT", "'\\''"), ("SPACE", " "), ("STRING", '"a\\\\"'),
             ("RIGHT_DELIM", "}}"), ("EOF", "")],
            id="escaped-closing-quotes",
        ),
    ],
)
def test_tokens(text: str, want: list[tuple[str, str]]) -> None:
    assert kinds(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("a  \n {{- 1}}", [("TEXT", "a"), ("LEFT_DELIM", "{{"), ("NUMBER", "1")], id="left-trim"),
        pytest.param("{{1 -}} \n b", [("LEFT_DELIM", "{{"), ("NUMBER", "1"), ("RIGHT_DELIM", "}}"), ("TEXT", "b")],
                     id="right-trim"),
        pytest.param("a\t{{-\t1\t-}}\tb", [("TEXT", "a"), ("LEFT_DELIM", "{{"), ("NUMBER", "1"),
                                           ("RIGHT_DELIM", "}}"), ("TEXT", "b")], id="tab-marks-trim"),
        pytest.param(" {{- 1 -}} ", [("LEFT_DELIM", "{{"), ("NUMBER", "1"), ("RIGHT_DELIM", "}}"), ("EOF", "")],
                     id="whitespace-only-text-vanishes"),
        pytest.param("x {{/* c */}} y", [("TEXT", "x "), ("TEXT", " y")], id="comment-dropped"),
        pytest.param("x \n{{- /* c */ -}}\n y", [("TEXT", "x"), ("TEXT", "y")], id="comment-trims"),
    ],
)
def test_trim_and_comments(text: str, want: list[tuple[str, str]]) -> None:
    assert kinds(text)[: len(want)] == want


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{{.x", "unclosed action", id="unclosed-action"),
        pytest.param("{{(1}}", "unclosed left paren", id="unclosed-paren"),
        pytest.param("{{1)}}", "unexpected right paren U+0029 ')'", id="extra-paren"),
        pytest.param("{{/* x }}", "unclosed comment", id="unclosed-comment"),
        pytest.param("{{/* x */ 1}}", "comment ends before closing delimiter", id="comment-then-code"),
        pytest.param('{{"abc}}', "unterminated quoted string", id="unterminated-string"),
        pytest.param("{{`abc}}", "unterminated raw quoted string", id="unterminated-raw"),
        pytest.param("{{'a}}", "unterminated character constant", id="unterminated-char"),
        pytest.param("{{3x}}", 'bad number syntax: "3x"', id="bad-number"),
        pytest.param("{{2-}}", 'bad number syntax: "2-"', id="dash-without-space"),
        pytest.param("{{.a+b}}", "bad character U+002B '+'", id="bad-char-after-field"),
        pytest.param("{{a:b}}", "expected :=", id="colon"),
        pytest.param("{{\u00a7}}", "unrecognized character in action: U+00A7 '\u00a7'", id="non-ascii-symbol"),
        pytest.param('{{"a\nb"}}', "unterminated quoted string", id="newline-in-string"),
        pytest.param('{{"a\\', "unterminated quoted string", id="backslash-at-end"),
        pytest.param("{{'\\\n'}}", "unterminated character constant", id="escaped-newline-in-char"),
        pytest.param("{{.aé+}}", "bad character U+002B '+'", id="bad-char-after-unicode-word"),
    ],
)
def test_errors(text: str, message: str) -> None:
    last = lex(text)[-1]
    assert (last.typ, last.val) == (T.ERROR, message)


def test_positions_are_offsets_and_lines() -> None:
    toks = lex("ab\n{{ .x\n | f }}\n")
    where = {tok.val: (tok.pos, tok.line) for tok in toks if tok.typ in (T.FIELD, T.IDENTIFIER, T.TEXT)}
    assert where == {"ab\n": (0, 1), ".x": (6, 2), "f": (12, 3), "\n": (16, 3)}


def test_unicode_letters_make_identifiers() -> None:
    assert kinds("{{.héllo_1}}")[1] == ("FIELD", ".héllo_1")
