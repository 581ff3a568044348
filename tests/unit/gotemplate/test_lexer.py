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


#: Runs of common tokens (read at once) next to what the state functions read one by one:
#: each token with its offset and line.
RUNS = [
    pytest.param(
        '{{ .a -}} x',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('FIELD', '.a', 3, 1), ('RIGHT_DELIM', '}}', 7, 1),
         ('TEXT', 'x', 10, 1), ('EOF', '', 11, 1)],
        id='space-before-trim-marker',
    ),
    pytest.param(
        '{{ .a  -1 }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('FIELD', '.a', 3, 1), ('SPACE', '  ', 5, 1),
         ('NUMBER', '-1', 7, 1), ('SPACE', ' ', 9, 1), ('RIGHT_DELIM', '}}', 10, 1), ('EOF', '', 12, 1)],
        id='spaces-then-minus-number',
    ),
    pytest.param(
        '{{ $ | f $.x }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('VARIABLE', '$', 3, 1), ('SPACE', ' ', 4, 1),
         ('PIPE', '|', 5, 1), ('SPACE', ' ', 6, 1), ('IDENTIFIER', 'f', 7, 1), ('SPACE', ' ', 8, 1),
         ('VARIABLE', '$', 9, 1), ('FIELD', '.x', 10, 1), ('SPACE', ' ', 12, 1), ('RIGHT_DELIM', '}}', 13, 1),
         ('EOF', '', 15, 1)],
        id='dollar-alone-then-field',
    ),
    pytest.param(
        '{{ fé .xé $é }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('IDENTIFIER', 'fé', 3, 1), ('SPACE', ' ', 5, 1),
         ('FIELD', '.xé', 6, 1), ('SPACE', ' ', 9, 1), ('VARIABLE', '$é', 10, 1), ('SPACE', ' ', 12, 1),
         ('RIGHT_DELIM', '}}', 13, 1), ('EOF', '', 15, 1)],
        id='word-going-on-past-ascii',
    ),
    pytest.param(
        '{{ .a# }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('ERROR', "bad character U+0023 '#'", 3, 1)],
        id='field-then-bad-character',
    ),
    pytest.param(
        '{{ f ) }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('IDENTIFIER', 'f', 3, 1), ('SPACE', ' ', 4, 1),
         ('RIGHT_PAREN', ')', 5, 1), ('ERROR', "unexpected right paren U+0029 ')'", 6, 1)],
        id='unopened-right-paren',
    ),
    pytest.param(
        '{{ f\n  `a\nb`\n .x }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('IDENTIFIER', 'f', 3, 1), ('SPACE', '\n  ', 4, 1),
         ('RAW_STRING', '`a\nb`', 7, 2), ('SPACE', '\n ', 12, 3), ('FIELD', '.x', 14, 4), ('SPACE', ' ', 16, 4),
         ('RIGHT_DELIM', '}}', 17, 4), ('EOF', '', 19, 4)],
        id='lines-in-spaces-and-raw',
    ),
    pytest.param(
        '{{ "a\\"b" "c" }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('STRING', '"a\\"b"', 3, 1), ('SPACE', ' ', 9, 1),
         ('STRING', '"c"', 10, 1), ('SPACE', ' ', 13, 1), ('RIGHT_DELIM', '}}', 14, 1), ('EOF', '', 16, 1)],
        id='string-with-escape',
    ),
    pytest.param(
        '{{ f (g (h .x)) }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('IDENTIFIER', 'f', 3, 1), ('SPACE', ' ', 4, 1),
         ('LEFT_PAREN', '(', 5, 1), ('IDENTIFIER', 'g', 6, 1), ('SPACE', ' ', 7, 1), ('LEFT_PAREN', '(', 8, 1),
         ('IDENTIFIER', 'h', 9, 1), ('SPACE', ' ', 10, 1), ('FIELD', '.x', 11, 1), ('RIGHT_PAREN', ')', 13, 1),
         ('RIGHT_PAREN', ')', 14, 1), ('SPACE', ' ', 15, 1), ('RIGHT_DELIM', '}}', 16, 1), ('EOF', '', 18, 1)],
        id='nested-parens',
    ),
    pytest.param(
        'a{{ .a }}\n b {{- .b }}{{/* c */}}{{ x }}tail',
        [('TEXT', 'a', 0, 1), ('LEFT_DELIM', '{{', 1, 1), ('SPACE', ' ', 3, 1), ('FIELD', '.a', 4, 1),
         ('SPACE', ' ', 6, 1), ('RIGHT_DELIM', '}}', 7, 1), ('TEXT', '\n b', 9, 1), ('LEFT_DELIM', '{{', 13, 2),
         ('FIELD', '.b', 17, 2), ('SPACE', ' ', 19, 2), ('RIGHT_DELIM', '}}', 20, 2), ('LEFT_DELIM', '{{', 33, 2),
         ('SPACE', ' ', 35, 2), ('IDENTIFIER', 'x', 36, 2), ('SPACE', ' ', 37, 2), ('RIGHT_DELIM', '}}', 38, 2),
         ('TEXT', 'tail', 40, 2), ('EOF', '', 44, 2)],
        id='text-between-actions',
    ),
    pytest.param(
        '{{ .a }}  x \n{{-\n.b }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('FIELD', '.a', 3, 1), ('SPACE', ' ', 5, 1),
         ('RIGHT_DELIM', '}}', 6, 1), ('TEXT', '  x', 8, 1), ('LEFT_DELIM', '{{', 13, 2), ('FIELD', '.b', 17, 3),
         ('SPACE', ' ', 19, 3), ('RIGHT_DELIM', '}}', 20, 3), ('EOF', '', 22, 3)],
        id='trim-marker-with-newline',
    ),
    pytest.param(
        '{{ (f }}',
        [('LEFT_DELIM', '{{', 0, 1), ('SPACE', ' ', 2, 1), ('LEFT_PAREN', '(', 3, 1), ('IDENTIFIER', 'f', 4, 1),
         ('SPACE', ' ', 5, 1), ('ERROR', 'unclosed left paren', 6, 1)],
        id='paren-left-open-at-right-delim',
    ),
]


@pytest.mark.parametrize(("text", "want"), RUNS)
def test_runs_of_common_tokens(text: str, want: list[tuple[str, str, int, int]]) -> None:
    assert [(tok.typ.name, tok.val, tok.pos, tok.line) for tok in lex(text)] == want


def test_other_delimiters_read_the_same_tokens() -> None:
    got = [(tok.typ.name, tok.val) for tok in lex("[[ .a | f ]]{{ .b }}", "[[", "]]")]
    assert got == [("LEFT_DELIM", "[["), ("SPACE", " "), ("FIELD", ".a"), ("SPACE", " "), ("PIPE", "|"),
                   ("SPACE", " "), ("IDENTIFIER", "f"), ("SPACE", " "), ("RIGHT_DELIM", "]]"),
                   ("TEXT", "{{ .b }}"), ("EOF", "")]


def test_another_left_delimiter_with_the_default_right_one() -> None:
    got = [(tok.typ.name, tok.val) for tok in lex("<<.a}}x{{ .b }}<< .c }}", "<<", "}}")]
    assert got == [("LEFT_DELIM", "<<"), ("FIELD", ".a"), ("RIGHT_DELIM", "}}"), ("TEXT", "x{{ .b }}"),
                   ("LEFT_DELIM", "<<"), ("SPACE", " "), ("FIELD", ".c"), ("SPACE", " "), ("RIGHT_DELIM", "}}"),
                   ("EOF", "")]
