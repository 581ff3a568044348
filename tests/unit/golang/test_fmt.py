"""Go fmt output (pyinject/golang/fmt.py): %v of every value, printf verbs, Sprint spacing.

Expected strings are what Go's fmt package prints for the same Go values
(float64 for Python floats, int for ints, []interface {} for lists...).
"""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.golang.fmt import format_float, format_value, quote, sprint, sprintf, sprintln
from pyinject.golang.values import MISSING, Int64, TypedList, TypedMap


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param(2.0, "2", id="integral-float"),
        pytest.param(0.1, "0.1", id="shortest-digits"),
        pytest.param(1 / 3, "0.3333333333333333", id="sixteen-digits"),
        pytest.param(250000.0, "250000", id="below-1e6-plain"),
        pytest.param(2500000.0, "2.5e+06", id="from-1e6-exponent"),
        pytest.param(987654.321, "987654.321", id="fraction-below-1e6"),
        pytest.param(0.00025, "0.00025", id="exp-minus-4-plain"),
        pytest.param(0.000025, "2.5e-05", id="exp-minus-5-exponent"),
        pytest.param(1e100, "1e+100", id="three-digit-exponent"),
        pytest.param(-0.0, "-0", id="negative-zero"),
        pytest.param(-1.5, "-1.5", id="negative"),
        pytest.param(float("inf"), "+Inf", id="inf"),
        pytest.param(float("-inf"), "-Inf", id="minus-inf"),
        pytest.param(float("nan"), "NaN", id="nan"),
    ],
)
def test_float_v(value: float, want: str) -> None:
    assert format_value(value) == want


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param(None, "<nil>", id="nil"),
        pytest.param(MISSING, "<no value>", id="missing"),
        pytest.param(True, "true", id="bool"),
        pytest.param(-12, "-12", id="int"),
        pytest.param(Int64(3000000), "3000000", id="int64-no-exponent"),
        pytest.param("a b", "a b", id="string-bare"),
        pytest.param([1.0, "x", None, True], "[1 x <nil> true]", id="slice"),
        pytest.param({"z": 1.0, "a": [], "M": {}}, "map[M:map[] a:[] z:1]", id="map-sorted-bytewise"),
        pytest.param({"é": 1.0, "e": 2.0, "f": 3.0}, "map[e:2 f:3 é:1]", id="map-non-ascii-last"),
        pytest.param(TypedList(["a", "b"], "string"), "[a b]", id="typed-slice"),
        pytest.param(TypedMap({"k": "v"}, "string", ""), "map[k:v]", id="typed-map"),
        pytest.param(2j, "(0+2i)", id="complex"),
    ],
)
def test_format_value(value: Any, want: str) -> None:
    assert format_value(value) == want


@pytest.mark.parametrize(
    ("fmt", "args", "want"),
    [
        # integers
        pytest.param("%d|%5d|%-5d|%05d", (7, 7, 7, -7), "7|    7|7    |-0007", id="int-widths"),
        pytest.param("%+d % d", (3, 3), "+3  3", id="int-sign-flags"),
        pytest.param("%x %X %#x %o %#o %O %b", (254, 254, 254, 8, 8, 8, 5), "fe FE 0xfe 10 010 0o10 101", id="int-bases"),
        pytest.param("%.3d|%.0d|%6.3d", (5, 0, -5), "005||  -005", id="int-precision"),
        pytest.param("%c%c", (72, 0x4E16), "H世", id="char"),
        pytest.param("%q %+q", (0x4E16, 0x4E16), "'世' '\\u4e16'", id="quoted-rune"),
        pytest.param("%U %#U", (0x41, 0x41), "U+0041 U+0041 'A'", id="unicode"),
        # floats
        pytest.param("%f %.2f %8.3f %-8.1f|", (1.5, 2.345, 3.14159, 2.5), "1.500000 2.35    3.142 2.5     |", id="float-f"),
        pytest.param("%.2f %.0f %.0f", (0.125, 0.5, 1.5), "0.12 0 2", id="float-f-round-half-even-binary"),
        pytest.param("%e %.1E", (123456.0, 0.000123), "1.234560e+05 1.2E-04", id="float-e"),
        pytest.param("%g %g %.3g %G", (100000.0, 1e-7, 3.14159, 1e-7), "100000 1e-07 3.14 1E-07", id="float-g"),
        pytest.param("%+.1f %+.1f % .1f", (1.0, -1.0, 1.0), "+1.0 -1.0  1.0", id="float-sign"),
        pytest.param("%06.2f %-06.2f|", (-1.5, 1.5), "-01.50 1.50  |", id="float-zero-pad-after-sign"),
        pytest.param("%x %X", (1.0, 0.5), "0x1p+00 0X1P-01", id="float-hex"),
        pytest.param("%.1x", (1.0 + 1 / 16,), "0x1.1p+00", id="float-hex-precision"),
        pytest.param("%#g %#.3g", (2.0, 1.0), "2.00000 1.00", id="float-sharp-g"),
        pytest.param("%5.1f|%05.1f", (float("inf"), float("nan")), " +Inf|  NaN", id="float-inf-nan-no-zero-pad"),
        # strings
        pytest.param("%s|%8s|%-8s|%.2s", ("go", "go", "go", "gopher"), "go|      go|go      |go", id="string-width-precision"),
        pytest.param("%5s|%.1s", ("世界", "世界"), "   世界|世", id="string-width-counts-runes"),
        pytest.param("%x %X % x %#x", ("hi", "hi", "hi", "hi"), "6869 6869 68 69 0x6869", id="string-hex"),
        pytest.param("%q", ("tab\there",), '"tab\\there"', id="string-q-escapes"),
        pytest.param("%#q %#q", ("plain", "back`tick"), '`plain` "back`tick"', id="string-q-backquote"),
        pytest.param("%+q", ("é",), '"\\u00e9"', id="string-q-ascii"),
        # %v family and %T
        pytest.param("%v %+v", ({"b": 2.0, "a": True}, [1.0]), "map[a:true b:2] [1]", id="v-composites"),
        pytest.param("%#v", ([1.0, "a", None],), '[]interface {}{1, "a", interface {}(nil)}', id="sharp-v-slice"),
        pytest.param("%#v", (TypedList(["a"], "string"),), '[]string{"a"}', id="sharp-v-typed-slice"),
        pytest.param("%T %T %T %T", (1, Int64(1), 1.0, None), "int int64 float64 <nil>", id="type-names"),
        pytest.param("%T", (TypedMap({}, "string", ""),), "map[string]string", id="type-typed-map"),
        pytest.param("%8T|", ("s",), "  string|", id="type-padded"),
        pytest.param("%5v|%-5v|", (None, True), "<nil>|true |", id="v-padded"),
        # errors in the format
        pytest.param("%d", ("x",), "%!d(string=x)", id="bad-verb-string"),
        pytest.param("%s", (2.0,), "%!s(float64=2)", id="bad-verb-float"),
        pytest.param("%t", (None,), "%!t(<nil>)", id="bad-verb-nil"),
        pytest.param("%d", ([1.0, "x"],), "[%!d(float64=1) %!d(string=x)]", id="bad-verb-inside-slice"),
        pytest.param("%d %d", (1,), "1 %!d(MISSING)", id="missing-operand"),
        pytest.param("x", (1, "a", None), "x%!(EXTRA int=1, string=a, <nil>)", id="extra-operands"),
        pytest.param("%", (), "%!(NOVERB)", id="no-verb"),
        pytest.param("%z", (1,), "%!z(int=1)", id="unknown-verb"),
        pytest.param("100%%", (), "100%", id="percent"),
        # argument indexes and star
        pytest.param("%[2]d %[1]d", (1, 2), "2 1", id="arg-index"),
        pytest.param("%[3]d", (1, 2), "%!d(BADINDEX)", id="arg-index-bad"),
        pytest.param("%[1]d %d", (1, 2), "1 2", id="arg-index-continues"),
        pytest.param("%*d|%-*d|", (4, 1, 3, 2), "   1|2  |", id="star-width"),
        pytest.param("%.*f", (1, 2.25), "2.2", id="star-precision"),
        pytest.param("%*d", ("x", 1), "%!(BADWIDTH)1", id="star-width-not-int"),
        pytest.param("%*d", (-3, 1), "1  ", id="star-negative-width-left-aligns"),
    ],
)
def test_sprintf(fmt: str, args: tuple[Any, ...], want: str) -> None:
    assert sprintf(fmt, *args) == want


@pytest.mark.parametrize(
    ("args", "want"),
    [
        pytest.param(("a", "b"), "ab", id="strings-touch"),
        pytest.param((1, 2.5, True), "1 2.5 true", id="non-strings-spaced"),
        pytest.param(("a", 1, 2, "b", "c", 3), "a1 2bc3", id="space-only-between-two-non-strings"),
        pytest.param((None, None), "<nil> <nil>", id="nils-spaced"),
        pytest.param((MISSING,), "<nil>", id="missing-is-nil-as-operand"),
        pytest.param((), "", id="nothing"),
    ],
)
def test_sprint(args: tuple[Any, ...], want: str) -> None:
    assert sprint(*args) == want


def test_sprintln_always_spaces_and_ends_line() -> None:
    assert sprintln("a", "b", 1) == "a b 1\n"
    assert sprintln() == "\n"


@pytest.mark.parametrize(
    ("value", "verb", "prec", "want"),
    [
        pytest.param(1.0, "b", -1, "4503599627370496p-52", id="binary"),
        pytest.param(5e-324, "x", -1, "0x1p-1074", id="hex-subnormal-normalised"),
        pytest.param(0.0, "x", -1, "0x0p+00", id="hex-zero"),
        pytest.param(1e21, "f", -1, "1000000000000000000000", id="f-shortest"),
        pytest.param(1e21, "e", -1, "1e+21", id="e-shortest"),
        pytest.param(2.5, "e", 0, "2e+00", id="e-zero-precision-rounds-even"),
    ],
)
def test_format_float(value: float, verb: str, prec: int, want: str) -> None:
    assert format_float(value, verb, prec) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("plain", '"plain"', id="plain"),
        pytest.param('say "hi"\\', '"say \\"hi\\"\\\\"', id="quote-and-backslash"),
        pytest.param("\x00\x7f\x1b", '"\\x00\\x7f\\x1b"', id="controls-as-hex"),
        pytest.param("\a\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"', id="named-escapes"),
        pytest.param("\u00a0\u2028", '"\\u00a0\\u2028"', id="unprintable-spaces"),
        pytest.param("日本\U0001f600", '"日本\U0001f600"', id="printable-unicode-kept"),
        pytest.param("\U000e0001", '"\\U000e0001"', id="astral-format-char"),
    ],
)
def test_quote_follows_strconv(text: str, want: str) -> None:
    assert quote(text) == want


def test_quote_shortcut_gives_what_the_character_walk_gives() -> None:
    """Strings needing no escape skip the per-character walk; the literal is the same."""
    from pyinject.golang.strconv import _quote_rune_body

    samples = ["", "plain text", 'a"b', "a\\b", "tab\there", "日本", "\udcff", "\x7f", "é", "\u2028", "ok-123_/:"]
    for text in samples:
        for ascii_only in (False, True):
            want = '"' + "".join(_quote_rune_body(c, '"', ascii_only) for c in text) + '"'
            assert quote(text, ascii_only) == want
