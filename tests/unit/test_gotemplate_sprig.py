"""Tests for the sprig function library (pyinject/sprig/table*.py).

Expected values come from the documented behaviour of sprig v3.2.3 and the
Go libraries it pins (Go's strings/strconv/regexp/encoding/json/time,
spf13/cast, mergo 0.3.12, Masterminds/semver v3, huandu/xstrings 1.3), worked
out by hand from those rules; they are not copied from the shared corpus.
"""

import inspect
from typing import Any

import pytest

from pyinject.gotemplate import render
from pyinject.gotemplate.functions import signature_of
from pyinject.sprig.table import SPRIG_FUNCS
from pyinject.golang.durations import duration_string, parse_duration, DurationError
from pyinject.golang.values import GoFuncError, Int64, TypedList


def case(name: str, template: str, want: str, data: Any = None) -> Any:
    return pytest.param(template, data, want, id=name)


def check(template: str, data: Any, want: str) -> None:
    assert render(template, data) == want


def check_error(template: str, data: Any, fragment: str) -> None:
    with pytest.raises(Exception) as info:
        render(template, data)
    assert fragment in str(info.value)


# --------------------------------------------------------------------------
# The table itself

# sprig v3.2.3's TxtFuncMap, plus sha512sum from v3.3.0.
SPRIG_NAMES = """
hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate
htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth
trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace
initials randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase
kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace
plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split
splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf
mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any
compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson
mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf
kindIs deepEqual env expandenv getHostByName base dir clean ext isAbs osBase osClean osDir osExt
osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck keys pick omit
merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush prepend
mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse
uniq mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt
htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert
genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4
semver semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind
mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral
mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin
""".split()


def test_table_has_exactly_sprigs_functions() -> None:
    assert sorted(SPRIG_FUNCS) == sorted(SPRIG_NAMES)


@pytest.mark.parametrize("name", sorted(SPRIG_FUNCS))
def test_every_function_is_documented_and_callable_by_the_engine(name: str) -> None:
    fn = SPRIG_FUNCS[name]
    assert inspect.getdoc(fn), f"{name} has no docstring"
    signature_of(fn)  # the executor must be able to read its parameter kinds


# --------------------------------------------------------------------------
# Strings


@pytest.mark.parametrize(
    "template,data,want",
    [
        case("trim-go-spaces-only", '[{{trim "\\u00a0 x\\x1c\\v"}}]', "[x\x1c]"),
        case("trimAll-cutset", '{{trimAll "-=" "=-a-=b=-"}}', "a-=b"),
        case("trimPrefix-once", '{{trimPrefix "ab" "ababc"}}', "abc"),
        case("trunc-counts-bytes", '{{trunc 3 "héllo"}}', "hé"),
        case("trunc-splits-a-rune", '{{trunc 2 "héllo"}}', "h\ufffd"),
        case("trunc-negative-keeps-tail", '{{trunc -3 "abcdef"}}', "def"),
        case("substr-middle", '{{substr 1 4 "abcdef"}}', "bcd"),
        case("substr-end-past-length", '{{substr 2 100 "abcdef"}}', "cdef"),
        case("abbrev", '{{abbrev 7 "Now is the time"}}', "Now ..."),
        case("abbrev-small-width-unchanged", '{{abbrev 3 "Now is the time"}}', "Now is the time"),
        case("abbrevboth-offset", '{{abbrevboth 10 14 "abcdefghijklmnopqrstuvwxyz"}}', "...klmnopqr..."),
        case("abbrevboth-near-the-end", '{{abbrevboth 10 14 "abcdefghijklmnopqrstu"}}', "...klmnopqrstu"),
        case("wrap-at-spaces", '{{wrap 10 "the quick brown fox jumps"}}', "the quick\nbrown fox\njumps"),
        case("wrap-keeps-long-words", '{{wrap 3 "abcdefg hi"}}', "abcdefg\nhi"),
        case("wrapWith-cuts-long-words", '{{wrapWith 3 "|" "abcdefg"}}', "abc|def|g"),
        case("initials", '{{initials "Ada  Lovelace\\tbyron"}}', "ALb"),
        case("nospace-ascii", '{{nospace " a b\\tc\\n"}}', "abc"),
        case("nospace-goutils-mojibake", '{{nospace "é x"}}', "\u00c3\u00a9x"),
        case("nospace-no-space-keeps-unicode", '{{nospace "été"}}', "été"),
        case("repeat", '{{repeat 3 "ab"}}', "ababab"),
        case("replace-all", '{{replace "a" "o" "banana"}}', "bonono"),
        case("plural-one", '{{plural "cat" "cats" 1}}', "cat"),
        case("plural-zero", '{{plural "cat" "cats" 0}}', "cats"),
        case("contains", '{{contains "ell" "hello"}} {{hasPrefix "he" "hello"}} {{hasSuffix "x" "hello"}}', "true true false"),
        case("quote-skips-nil", '{{quote "a" .missing 2}}', '"a" "2"'),
        case("quote-go-escapes", '{{quote "tab\\there\\u007f"}}', '"tab\\there\\x7f"'),
        case("squote-no-escaping", '{{squote "it\\"s"}}', "'it\"s'"),
        case("cat-float-and-nil", '{{cat "x" .n .missing}}', "x 2.5", {"n": 2.5}),
        case("indent-every-line", '{{indent 3 "a\\n\\nb"}}', "   a\n   \n   b"),
        case("nindent", '{{nindent 1 "a"}}', "\n a"),
        case("toString-float", "{{toString .n}}", "1.5e+07", {"n": 15000000}),
        case("toStrings-drops-nil", '{{toStrings (list 1 .missing "a")}}', "[1 a]"),
        case("join-a-string", '{{join "," "solo"}}', "solo"),
        case("join-nil-is-empty", '[{{join "," .missing}}]', "[]"),
        case("sortAlpha-byte-order", '{{sortAlpha (list "b" "a" "B" "é" "_")}}', "[B _ a b é]"),
        case("splitList-empty-sep-runes", '{{splitList "" "aé"}}', "[a é]"),
        case("splitn-zero-is-empty", "{{splitn \",\" 0 \"a,b\"}}", "map[]"),
        case("splitn-empty-sep", '{{splitn "" 2 "abc"}}', "map[_0:a _1:bc]"),
        case("split-typed-map-string", '{{typeOf (split "," "a")}}', "map[string]string"),
        case("upper-keeps-sharp-s", '{{upper "straße"}}', "STRAßE"),
        case("lower-no-final-sigma", '{{lower "ΟΔΟΣ"}}', "οδοσ"),
        case("title-go-word-rules", "{{title \"hello wORLD it's x_y\"}}", "Hello WORLD It'S X_y"),
        case("untitle-every-word", '{{untitle "Hello World"}}', "hello world"),
        case("swapcase-title-at-word-start", '{{swapcase "Hello wORLD"}}', "hELLO World"),
        case("snakecase-numbers", '{{snakecase "HTTP2Server"}}', "http2_server"),
        case("snakecase-acronym", '{{snakecase "IDToken"}}', "id_token"),
        case("kebabcase-spaces", '{{kebabcase "Hello World"}}', "hello-world"),
        case("camelcase-keeps-leading-connector", '{{camelcase "_a_b"}}', "_AB"),
        case("camelcase-lowers-the-rest", '{{camelcase "HTTP_SERVER"}}', "HttpServer"),
        case("camelcase-only-connectors", '{{camelcase "-_"}}', "-__"),
        case("hello", "{{hello}}", "Hello!"),
    ],
)
def test_strings(template: str, data: Any, want: str) -> None:
    check(template, data, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{substr 3 1 "abcdef"}}', "slice bounds out of range", id="substr-start-after-end"),
        pytest.param('{{substr -1 9 "abc"}}', "slice bounds out of range", id="substr-end-too-long"),
        pytest.param('{{indent -1 "a"}}', "negative Repeat count", id="indent-negative"),
        pytest.param('{{trunc 1.5 "abc"}}', "", id="trunc-float-is-a-type-error"),
    ],
)
def test_string_errors(template: str, fragment: str) -> None:
    check_error(template, None, fragment)


def test_random_strings_have_the_requested_shape() -> None:
    alnum = render("{{randAlphaNum 12}}", None)
    assert len(alnum) == 12 and alnum.isalnum() and alnum.isascii()
    alpha = render("{{randAlpha 5}}", None)
    assert len(alpha) == 5 and alpha.isalpha() and alpha.isascii()
    digits = render("{{randNumeric 7}}", None)
    assert len(digits) == 7 and digits.isdigit()
    printable = render("{{randAscii 9}}", None)
    assert len(printable) == 9 and all(" " <= c <= "~" for c in printable)
    assert sorted(render('{{shuffle "abcé"}}', None)) == sorted("abcé")
    assert render("[{{randAlpha -1}}]", None) == "[]"


# --------------------------------------------------------------------------
# Conversions and math


@pytest.mark.parametrize(
    "template,data,want",
    [
        case("int-underscores", '{{int "1_000"}}', "1000"),
        case("int-binary-and-octal-prefixes", '{{int "0b101"}} {{int "0o17"}} {{int "017"}}', "5 15 15"),
        case("int-trailing-zero-decimals", '{{int "7.00"}} {{int "7."}}', "7 0"),
        case("int-bool-and-nil", "{{int true}} {{int .missing}}", "1 0"),
        case("int-out-of-range-string", '{{int "99999999999999999999"}}', "0"),
        case("int64-type", '{{typeOf (int64 "3")}}', "int64"),
        case("float64-hex-needs-exponent", '{{float64 "0x1p4"}} {{float64 "0x10"}}', "16 0"),
        case("float64-underscore-and-inf", '{{float64 "1_000.5"}} {{float64 "inf"}}', "1000.5 +Inf"),
        case("float64-overflow-is-zero", '{{float64 "1e999"}}', "0"),
        case("atoi-base-ten-only", '{{atoi "010"}} {{atoi "0x1"}} {{atoi "+4"}}', "10 0 4"),
        case("toDecimal-from-number", "{{toDecimal 755}}", "493"),
        case("toDecimal-bad-octal", '{{toDecimal "8"}}', "0"),
        case("add-truncates-each-float", "{{add .a .b}}", "2", {"a": 1.9, "b": 1.9}),
        case("add-wraps-int64", '{{add "9223372036854775807" 1}}', "-9223372036854775808"),
        case("sub-strings", '{{sub "10" "0x2"}}', "8"),
        case("div-truncates-toward-zero", "{{div -9 4}} {{mod -9 4}} {{mod 9 -4}}", "-2 -1 1"),
        case("div-min-by-minus-one", '{{div "-9223372036854775808" -1}}', "-9223372036854775808"),
        case("mul-variadic", "{{mul 2 3 4}} {{mul 5}}", "24 5"),
        case("max-min", "{{max 3 9 -2}} {{min 3 9 -2}} {{biggest 1}}", "9 -2 1"),
        case("maxf-minf-floats", "{{maxf 1 2.5}} {{minf 1 .n}}", "2.5 -0.5", {"n": -0.5}),
        case("addf-decimal", "{{addf 0.1 0.2}}", "0.3"),
        case("subf-decimal", "{{subf 1 0.9}}", "0.1"),
        case("divf-sixteen-places", "{{divf 2 3}}", "0.6666666666666667"),
        case("mulf-decimal", "{{mulf 1.1 1.1}}", "1.21"),
        case("add1f-from-string", '{{add1f "0.1"}}', "1.1"),
        case("round-threshold", "{{round 2.5 0 0.6}} {{round 2.45 0 0.4}} {{round 2.35 1}}", "2 3 2.4"),
        case("round-negative-places", "{{round 1250 -2}}", "1300"),
        case("floor-ceil", '{{floor 1.7}} {{ceil "1.2"}} {{ceil -0.5}}', "1 2 -0"),
        case("seq-three-args", "{{seq 10 -3 1}}", "10 7 4 1"),
        case("seq-down", "{{seq 3 1}}", "3 2 1"),
        case("seq-wrong-step-sign", "[{{seq 5 1 1}}]", "[]"),
        case("until-negative", "{{until -3}}", "[0 -1 -2]"),
        case("untilStep-empty-when-step-points-away", "{{untilStep 0 5 -1}}", "[]"),
        case("until-type", "{{typeOf (until 2)}}", "[]int"),
    ],
)
def test_conversions_and_math(template: str, data: Any, want: str) -> None:
    check(template, data, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param("{{div 1 .z}}", "integer divide by zero", id="div-by-json-zero"),
        pytest.param("{{divf 1 0.0}}", "decimal division by 0", id="divf-by-zero"),
        pytest.param('{{addf 1 "nan"}}', "Cannot create a Decimal from NaN", id="addf-nan"),
        pytest.param("{{randInt 5 5}}", "invalid argument to Intn", id="randInt-empty-range"),
        pytest.param("{{min}}", "", id="min-needs-an-argument"),
    ],
)
def test_math_errors(template: str, fragment: str) -> None:
    check_error(template, {"z": 0}, fragment)


def test_randInt_stays_in_range() -> None:
    values = {int(render("{{randInt -2 2}}", None)) for _ in range(60)}
    assert values <= {-2, -1, 0, 1}
    assert len(values) > 1


# --------------------------------------------------------------------------
# Lists


@pytest.mark.parametrize(
    "template,data,want",
    [
        case("append-copies", "{{$a := list 1}}{{$b := append $a 2}}{{$a}}{{$b}}", "[1][1 2]"),
        case("prepend", "{{prepend (list 2 3) 1}}", "[1 2 3]"),
        case("first-last-of-strings", '{{$l := splitList "," "x,y,z"}}{{first $l}}{{last $l}}', "xz"),
        case("rest-initial-one-element", "{{rest (list 1)}} {{initial (list 1)}}", "[] []"),
        case("reverse-typed-list", '{{reverse (splitList "," "a,b")}}', "[b a]"),
        case("uniq-int-and-float-differ", "{{uniq (list 1 1 .f .f)}}", "[1 1]", {"f": 1}),
        case("uniq-deep", "{{uniq (list (list 1) (list 1) (dict))}}", "[[1] map[]]"),
        case("without-several", '{{without (list "a" "b" "a" "c") "a" "c"}}', "[b]"),
        case("has-nil-haystack", "{{has 1 .missing}}", "false"),
        case("has-nil-needle", "{{has .missing (list 1 .missing)}}", "true"),
        case("compact-keeps-true-and-nonzero", '{{compact (list 0 1 "" "x" false true)}}', "[1 x true]"),
        case("slice-keeps-element-type", '{{typeOf (slice (splitList "," "a,b,c") 1)}}', "[]string"),
        case("slice-empty-list-is-nil", "[{{slice (list)}}]", "[<no value>]"),
        case("concat-typed-and-plain", '{{concat (splitList "," "a") (list 1)}}', "[a 1]"),
        case("chunk-exact", "{{chunk 2 (list 1 2 3 4)}}", "[[1 2] [3 4]]"),
        case("chunk-empty", "{{chunk 3 (list)}}", "[]"),
        case("chunk-type", "{{typeOf (chunk 1 (list 1))}}", "[][]interface {}"),
        case("tuple-is-list", "{{tuple 1 2 | len}}", "2"),
    ],
)
def test_lists(template: str, data: Any, want: str) -> None:
    check(template, data, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{append "abc" 1}}', "Cannot push on type string", id="append-string"),
        pytest.param("{{prepend .m 1}}", "Cannot prepend on type map", id="prepend-map"),
        pytest.param("{{last .missing}}", "nil pointer dereference", id="last-nil"),
        pytest.param("{{mustRest 3}}", "Cannot find rest on type int", id="mustRest-int"),
        pytest.param("{{reverse .f}}", "Cannot find reverse on type float64", id="reverse-float"),
        pytest.param("{{slice (list 1 2) 2 1}}", "slice index out of bounds", id="slice-reversed-bounds"),
        pytest.param('{{slice "abc" 1}}', "list should be type of slice or array but string", id="slice-string"),
        pytest.param("{{chunk 0 (list 1)}}", "len out of range", id="chunk-zero"),
        pytest.param('{{concat (list 1) .missing}}', "nil pointer dereference", id="concat-nil"),
        pytest.param('{{without "x" 1}}', "Cannot find without on type string", id="without-string"),
        pytest.param('{{has 1 "x"}}', "Cannot find has on type string", id="has-string"),
        pytest.param('{{compact .m}}', "Cannot compact on type map", id="compact-map"),
        pytest.param('{{uniq 1.5}}', "Cannot find uniq on type float64", id="uniq-float"),
    ],
)
def test_list_errors(template: str, fragment: str) -> None:
    check_error(template, {"m": {}, "f": 1.5}, fragment)


# --------------------------------------------------------------------------
# Dicts and merging


@pytest.mark.parametrize(
    "template,data,want",
    [
        case("dict-stringifies-keys", '{{dict .f "x" nil "y"}}', "map[1.5:x <nil>:y]", {"f": 1.5}),
        case("get-missing-is-empty-string", '{{get (dict) "a" | typeOf}}', "string"),
        case("set-returns-same-map", '{{$d := dict}}{{$e := set $d "a" 1}}{{$d}} {{$e}}', "map[a:1] map[a:1]"),
        case("unset", '{{unset (dict "a" 1 "b" 2) "a"}}', "map[b:2]"),
        case("hasKey-nil-value", '{{hasKey (dict "a" nil) "a"}}', "true"),
        case("pluck", '{{pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3)}}', "[1 3]"),
        case("pick", '{{pick (dict "a" 1 "b" 2 "c" 3) "a" "c" "z"}}', "map[a:1 c:3]"),
        case("omit", '{{omit (dict "a" 1 "b" 2) "a"}}', "map[b:2]"),
        case("keys-typed", '{{typeOf (keys (dict "a" 1))}}', "[]string"),
        case("values-single", '{{values (dict "a" 1)}}', "[1]"),
        case("deepCopy-nested", '{{$c := deepCopy .m}}{{$_ := set $c.n "x" 9}}{{toJson .m}}', '{"n":{"x":1}}', {"m": {"n": {"x": 1}}}),
        case("dig-found", '{{dig "a" "b" "def" .m}}', "1", {"m": {"a": {"b": 1}}}),
        case("dig-missing-uses-default", '{{dig "a" "z" "def" .m}}', "def", {"m": {"a": {"b": 1}}}),
        case("dig-nil-leaf", '{{dig "a" "def" .m}}', "<no value>", {"m": {"a": None}}),
    ],
)
def test_dicts(template: str, data: Any, want: str) -> None:
    check(template, data, want)


# mergo 0.3.12, as sprig's merge (no overwrite) and mergeOverwrite call it.
MERGE_CASES = [
    ("fills-missing", {"a": 1}, {"b": 2}, {"a": 1, "b": 2}, {"a": 1, "b": 2}),
    ("dst-wins-when-set", {"a": 1}, {"a": 2}, {"a": 1}, {"a": 2}),
    ("empty-dst-value-filled", {"a": ""}, {"a": "x"}, {"a": "x"}, {"a": "x"}),
    ("empty-src-value", {"a": "x"}, {"a": ""}, {"a": "x"}, {"a": ""}),
    ("nil-src-value", {"a": "x"}, {"a": None}, {"a": "x"}, {"a": None}),
    ("nil-src-value-never-adds-key", {}, {"a": None}, {}, {"a": None}),
    ("maps-merge-deeply", {"m": {"a": 1}}, {"m": {"a": 2, "b": 3}}, {"m": {"a": 1, "b": 3}}, {"m": {"a": 2, "b": 3}}),
    ("map-never-replaces-scalar", {"m": "keep"}, {"m": {"a": 1}}, {"m": "keep"}, {"m": "keep"}),
    ("map-replaces-empty-scalar", {"m": ""}, {"m": {"a": 1}}, {"m": {"a": 1}}, {"m": {"a": 1}}),
    ("list-kept-or-replaced-whole", {"l": [1, 2]}, {"l": [3]}, {"l": [1, 2]}, {"l": [3]}),
    ("list-fills-empty-list", {"l": []}, {"l": [3]}, {"l": [3]}, {"l": [3]}),
    ("list-over-scalar", {"l": "x"}, {"l": [3]}, {"l": "x"}, {"l": [3]}),
    ("scalar-over-map", {"m": {"a": 1}}, {"m": "x"}, {"m": {"a": 1}}, {"m": "x"}),
    ("false-and-zero-are-empty", {"b": False, "n": 0}, {"b": True, "n": 7}, {"b": True, "n": 7}, {"b": True, "n": 7}),
]


@pytest.mark.parametrize(
    "dst,src,merged,overwritten", [pytest.param(*c[1:], id=c[0]) for c in MERGE_CASES]
)
def test_merge_follows_mergo(dst: Any, src: Any, merged: Any, overwritten: Any) -> None:
    from pyinject.sprig.dicts import merge, merge_overwrite
    from pyinject.golang.values import to_go

    assert merge(to_go(dst), to_go(src)) == to_go(merged)
    assert merge_overwrite(to_go(dst), to_go(src)) == to_go(overwritten)


def test_merge_mutates_dst_and_takes_several_sources() -> None:
    out = render('{{$d := dict "a" 1}}{{$_ := merge $d (dict "b" 2) (dict "b" 3 "c" 4)}}{{$d}}', None)
    assert out == "map[a:1 b:2 c:4]"


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{dig "a" .m}}', "at least three arguments", id="dig-too-few"),
        pytest.param('{{dig "a" "b" "d" .m}}', "interface {} is float64, not map[string]interface {}", id="dig-through-number"),
        pytest.param('{{dig 1 "d" .m}}', "interface {} is int, not string", id="dig-int-key"),
        pytest.param('{{dig "a" "d" "notamap"}}', "interface {} is string", id="dig-not-a-map"),
    ],
)
def test_dict_errors(template: str, fragment: str) -> None:
    check_error(template, {"m": {"a": 1}}, fragment)


# --------------------------------------------------------------------------
# Defaults, flow control, reflection


@pytest.mark.parametrize(
    "template,data,want",
    [
        case("default-keeps-nonempty-list", '{{default "d" (list 0)}}', "[0]"),
        case("default-replaces-zero-int64", '{{default "d" (sub 1 1)}}', "d"),
        case("empty-struct-like-values", "{{empty (dict)}} {{empty (list nil)}} {{empty 0.0}}", "true false true"),
        case("coalesce-skips-empties", '{{coalesce "" 0 .missing "x" "y"}}', "x"),
        case("coalesce-all-empty", "{{coalesce 0 false}}", "<no value>"),
        case("all-any", '{{all 1 "a"}} {{all 1 ""}} {{any 0 ""}} {{any}} {{all}}', "true false false false true"),
        case("ternary-false", '{{ternary "y" "n" false}}', "n"),
        case("typeIsLike", '{{typeIsLike "string" "x"}} {{typeIs "int64" (add 1)}}', "true true"),
        case("kindIs", '{{kindIs "slice" (list)}} {{kindOf (add 1)}} {{kindOf .missing}}', "true int64 invalid"),
        case("deepEqual-nested", '{{deepEqual (dict "a" (list 1)) (dict "a" (list 1))}} {{deepEqual 1 (add 1)}}', "true false"),
    ],
)
def test_defaults_and_reflection(template: str, data: Any, want: str) -> None:
    check(template, data, want)


def test_fail_stops_the_template_with_its_message() -> None:
    check_error('{{fail "values.x is required"}}', None, "values.x is required")


# --------------------------------------------------------------------------
# JSON


@pytest.mark.parametrize(
    "template,data,want",
    [
        case("toJson-escapes-html-and-separators", "{{toJson .s}}", '"\\u003cb\\u003e\\u0026\\u2028\\u0001"', {"s": "<b>&\u2028\x01"}),
        case("toRawJson-keeps-html-not-separators", "{{toRawJson .s}}", '"<b>&\\u2028"', {"s": "<b>&\u2028"}),
        case("toJson-floats", "{{toJson .l}}", "[0.1,1e-7,1e+21,100,-0]", {"l": [0.1, 1e-7, 1e21, 100, -0.0]}),
        case("toJson-int64-and-nested-typed", '{{toJson (dict "n" (add 1 2) "s" (splitList "," "a,b"))}}', '{"n":3,"s":["a","b"]}'),
        case("toJson-nil", "{{toJson .missing}}", "null"),
        case("toJson-nan-is-empty", '[{{toJson (float64 "nan")}}]', "[]"),
        case("toPrettyJson-nested", '{{toPrettyJson (dict "a" (list 1 (dict)))}}', '{\n  "a": [\n    1,\n    {}\n  ]\n}'),
        case("fromJson-numbers-are-float64", '{{$v := fromJson "{\\"n\\": 2}"}}{{typeOf $v.n}}', "float64"),
        case("fromJson-big-int", '{{fromJson "12345678901234567890"}}', "1.2345678901234567e+19"),
        case("fromJson-nan-rejected", '[{{fromJson "NaN"}}]', "[<no value>]"),
        case("fromJson-lone-surrogate", '{{fromJson "\\"\\\\ud800\\""}}', "\ufffd"),
    ],
)
def test_json(template: str, data: Any, want: str) -> None:
    check(template, data, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{mustFromJson "[1,"}}', "unexpected end of JSON input", id="truncated"),
        pytest.param('{{mustFromJson "{\\"a\\" 1}"}}', "invalid character '1' after object key", id="missing-colon"),
        pytest.param('{{mustFromJson "1 2"}}', "invalid character '2' after top-level value", id="extra-value"),
        pytest.param('{{mustToJson (float64 "inf")}}', "json: unsupported value: +Inf", id="toJson-inf"),
    ],
)
def test_json_errors(template: str, fragment: str) -> None:
    check_error(template, None, fragment)


def test_toJson_reports_a_cycle_instead_of_recursing() -> None:
    check_error('{{$d := dict}}{{$_ := set $d "self" $d}}{{mustToJson $d}}', None, "encountered a cycle")


# --------------------------------------------------------------------------
# Encodings and digests


@pytest.mark.parametrize(
    "template,want",
    [
        pytest.param('{{b64enc "é"}} {{b64dec "w6k="}}', "w6k= é", id="b64-utf8"),
        pytest.param('{{b64dec "YWJj\\nZGVm"}}', "abcdef", id="b64dec-skips-newlines"),
        pytest.param('{{b64dec "YQ"}}', "illegal base64 data at input byte 0", id="b64dec-missing-padding"),
        pytest.param('{{b64dec "YWJjZA=x"}}', "illegal base64 data at input byte 6", id="b64dec-bad-padding"),
        pytest.param('{{b64dec "YQ==YQ=="}}', "illegal base64 data at input byte 4", id="b64dec-data-after-padding"),
        pytest.param('{{b64dec "/w=="}}', "\ufffd", id="b64dec-invalid-utf8"),
        pytest.param('{{b32enc "abc"}} {{b32dec "MFRGG==="}}', "MFRGG=== abc", id="b32-roundtrip"),
        pytest.param('{{b32dec "MFRGG"}}', "illegal base32 data at input byte 0", id="b32dec-missing-padding"),
        pytest.param('{{b32dec "M1======"}}', "illegal base32 data at input byte 1", id="b32dec-bad-symbol"),
        pytest.param('{{sha256sum ""}}', "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", id="sha256-empty"),
        pytest.param('{{sha512sum "abc" | trunc 16}}', "ddaf35a193617aba", id="sha512-abc"),
        pytest.param('{{adler32sum "Wikipedia"}}', "300286872", id="adler32"),
    ],
)
def test_encodings(template: str, want: str) -> None:
    check(template, None, want)


# --------------------------------------------------------------------------
# Regular expressions


@pytest.mark.parametrize(
    "template,want",
    [
        pytest.param('{{regexFindAll "a*" "baaab" -1}}', "[ aaa ]", id="findAll-no-empty-match-after-match"),
        pytest.param('{{regexFindAll "." "héllo" 2}}', "[h é]", id="findAll-limit-unicode"),
        pytest.param('{{regexFindAll "x" "abc" 0 | len}}', "0", id="findAll-zero"),
        pytest.param('{{regexReplaceAll "(\\\\w+)@(\\\\w+)" "ann@example" "${2}:$1"}}', "example:ann", id="replace-groups"),
        pytest.param('{{regexReplaceAll "(?P<user>\\\\w+)@" "ann@x" "<$user>"}}', "<ann>x", id="replace-named-group"),
        pytest.param('{{regexReplaceAll "(a)" "a" "$1x|$$|$"}}', "|$|$", id="replace-dollar-forms"),
        pytest.param('{{regexReplaceAll "a*" "baaac" "-"}}', "-b-c-", id="replace-empty-matches"),
        pytest.param('{{regexReplaceAllLiteral "b" "abc" "${1}"}}', "a${1}c", id="replace-literal"),
        pytest.param('{{regexSplit "a*" "abaabaccadaaae" 5}}', "[ b b c cadaaae]", id="split-go-doc-example"),
        pytest.param('{{regexSplit "," "" -1 | len}}', "1", id="split-empty-string"),
        pytest.param('{{regexSplit "z+" "pizza" -1}}', "[pi a]", id="split-all"),
        pytest.param('{{regexMatch "^\\\\d{3}$" "123"}} {{regexMatch "(?s)a.b" "a\\nb"}}', "true true", id="match-flags"),
        pytest.param('{{regexQuoteMeta "a.b*c{d}|$"}}', "a\\.b\\*c\\{d\\}\\|\\$", id="quote-meta"),
        pytest.param('{{regexFind "[[:upper:]]+" "abcDEFg"}}', "DEF", id="find-posix-class"),
        pytest.param('[{{mustRegexFind "x" "abc"}}]', "[]", id="mustFind-no-match"),
    ],
)
def test_regex(template: str, want: str) -> None:
    check(template, None, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{regexFindAll "[a" "x" -1}}', "regexp: Compile(`[a`): error parsing regexp: missing closing ]: `[a`", id="findAll-panics"),
        pytest.param('{{mustRegexReplaceAll "a{2,1}" "x" "y"}}', "error parsing regexp: invalid repeat count", id="must-returns-error"),
        pytest.param('{{regexSplit "(?<" "x" -1}}', "error parsing regexp", id="split-bad-group"),
        pytest.param('{{mustRegexMatch "\\\\8" "x"}}', "invalid escape sequence", id="bad-escape"),
    ],
)
def test_regex_errors(template: str, fragment: str) -> None:
    check_error(template, None, fragment)


def test_bad_regex_in_regexMatch_is_false_and_silent(capfd: pytest.CaptureFixture[str]) -> None:
    assert render('{{regexMatch "(" "x"}}', None) == "false"
    assert capfd.readouterr().err == ""  # RE2 must not log to stderr


# --------------------------------------------------------------------------
# Semantic versions


@pytest.mark.parametrize(
    "constraint,version,want",
    [
        ("1.2.x", "1.2.9", True),
        ("1.2.x", "1.3.0", False),
        ("~1.2.3", "1.2.9", True),
        ("~1.2.3", "1.3.0", False),
        ("^0.2.3", "0.2.9", True),
        ("^0.2.3", "0.3.0", False),
        ("^0.0.3", "0.0.4", False),
        (">= 1.2, < 1.3", "1.2.5", True),
        ("1.1 - 1.3", "1.3.0", True),
        ("1.1 - 1.3", "1.3.9", True),
        ("1.1 - 1.3", "1.4.0", False),
        ("<1 || >=3", "2.0.0", False),
        ("!=1.2.3", "1.2.4", True),
        ("!=1.2.3", "1.2.3", False),
        (">1.2", "1.2.5", False),
        ("<=1.2", "1.2.5", True),
        (">=1.2.3", "1.2.4-rc.1", False),
        (">=1.2.3-0", "1.2.4-rc.1", True),
        ("*", "0.0.1", True),
        ("=v1.0.0", "1.0.0+build", True),
    ],
)
def test_semver_compare(constraint: str, version: str, want: bool) -> None:
    assert render("{{semverCompare .c .v}}", {"c": constraint, "v": version}) == str(want).lower()


@pytest.mark.parametrize(
    "template,want",
    [
        pytest.param('{{(semver "1.0.0-alpha").LessThan (semver "1.0.0-alpha.1")}}', "true", id="shorter-prerelease-first"),
        pytest.param('{{(semver "1.0.0-2").Compare (semver "1.0.0-11")}}', "-1", id="numeric-identifiers"),
        pytest.param('{{(semver "1.0.0-beta").Compare (semver "1.0.0-11")}}', "1", id="words-after-numbers"),
        pytest.param('{{(semver "1.0.0+a").Equal (semver "1.0.0+b")}}', "true", id="metadata-ignored"),
        pytest.param('{{semver "v2"}} {{(semver "v2").Original}} {{typeOf (semver "1")}}', "2.0.0 v2 *semver.Version", id="print"),
        pytest.param('{{(semver "v1.2.3-rc.1+b").IncPatch.Original}} {{(semver "1.2.3").IncMinor}}', "v1.2.3 1.3.0", id="increments"),
        pytest.param('{{$v := (semver "1.2.3").SetPrerelease "beta"}}{{$v}} {{typeOf $v}}', "1.2.3-beta semver.Version", id="set-prerelease"),
    ],
)
def test_semver_values(template: str, want: str) -> None:
    check(template, None, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{semver "1.2.3.4"}}', "Invalid Semantic Version", id="four-parts"),
        pytest.param('{{semver "1.0.0-01"}}', "Version segment starts with 0", id="leading-zero-prerelease"),
        pytest.param('{{semverCompare "> 1 <" "1.0.0"}}', "improper constraint", id="dangling-operator"),
    ],
)
def test_semver_errors(template: str, fragment: str) -> None:
    check_error(template, None, fragment)


# --------------------------------------------------------------------------
# Paths and URLs


@pytest.mark.parametrize(
    "template,want",
    [
        pytest.param('{{clean "//a/./b/../../.."}} {{clean "a/../../b"}}', "/ ../b", id="clean"),
        pytest.param('{{base "a/b//"}} {{dir "/a"}} {{dir "a/b/"}}', "b / a/b", id="base-dir"),
        pytest.param('{{ext "a.b/c"}}|{{ext ".bashrc"}}', "|.bashrc", id="ext"),
        pytest.param('{{osBase "/x/y.txt"}} {{osIsAbs "y"}}', "y.txt false", id="filepath-on-linux"),
        pytest.param('{{(urlParse "http://[::1]:8080/a%20b?x=1").hostname}}', "::1", id="urlParse-ipv6"),
        pytest.param('{{(urlParse "http://h/a%20b").path}}', "/a b", id="urlParse-unescapes-path"),
        pytest.param('{{(urlParse "mailto:ann@example.com").opaque}}', "ann@example.com", id="urlParse-opaque"),
        pytest.param('{{urlJoin (dict "scheme" "https" "host" "h" "path" "a b" "fragment" "x y")}}', "https://h/a%20b#x%20y", id="urlJoin-escapes"),
        pytest.param('{{urlJoin (dict "path" "a:b")}}', "./a:b", id="urlJoin-colon-in-first-segment"),
        pytest.param('{{urlJoin (urlParse "https://u:p%40@h:1/x?q#f")}}', "https://u:p%40@h:1/x?q#f", id="url-roundtrip"),
    ],
)
def test_paths_and_urls(template: str, want: str) -> None:
    check(template, None, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{urlParse "http://h:x/"}}', 'invalid port ":x" after host', id="bad-port"),
        pytest.param('{{urlParse "http://h/%zz"}}', 'invalid URL escape "%zz"', id="bad-escape"),
        pytest.param('{{urlParse "1a:b"}}', "first path segment in URL cannot contain colon", id="colon-segment"),
        pytest.param('{{urlJoin (dict "host" 1)}}', "must be of type string, but int found", id="join-non-string"),
    ],
)
def test_url_errors(template: str, fragment: str) -> None:
    check_error(template, None, fragment)


# --------------------------------------------------------------------------
# Dates and durations


@pytest.mark.parametrize(
    "nanos,want",
    [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (2_000_000, "2ms"),
        (1_000_000_001, "1.000000001s"),
        (-90_000_000_000, "-1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (-(1 << 63), "-2562047h47m16.854775808s"),
    ],
)
def test_duration_string(nanos: int, want: str) -> None:
    assert duration_string(nanos) == want


@pytest.mark.parametrize(
    "text,want",
    [
        ("1h30m", 5_400_000_000_000),
        ("-1.5h", -5_400_000_000_000),
        ("+.5s", 500_000_000),
        ("1µs2ns", 1_002),
        ("0", 0),
        ("1.0000000001s", 1_000_000_000),
    ],
)
def test_parse_duration(text: str, want: int) -> None:
    assert parse_duration(text) == want


@pytest.mark.parametrize(
    "text,message",
    [
        ("", 'time: invalid duration ""'),
        ("1", 'time: missing unit in duration "1"'),
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        (".s", 'time: invalid duration ".s"'),
        ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
    ],
)
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(DurationError, match=message.replace("(", r"\(")):
        parse_duration(text)


@pytest.mark.parametrize(
    "template,want",
    [
        pytest.param('{{duration "61"}} {{duration (int64 7200)}} {{duration 5}}', "1m1s 2h0m0s 0s", id="duration-types"),
        pytest.param('{{durationRound "25h"}} {{durationRound "24h"}} {{durationRound "-3s"}}', "1d 24h 3s", id="durationRound-strict"),
        pytest.param('{{durationRound "768h"}} {{durationRound "9000h"}} {{durationRound 3}}', "1mo 1y 0s", id="durationRound-months"),
        pytest.param('{{dateInZone "2006-01-02 15:04 MST" (int64 0) "Asia/Tokyo"}}', "1970-01-01 09:00 JST", id="dateInZone"),
        pytest.param('{{dateInZone "Mon Jan _2 3:04:05PM" 86400 "UTC"}}', "Fri Jan  2 12:00:00AM", id="date-go-int-seconds"),
        pytest.param('{{dateInZone "2006" (int64 0) "No/Such_Zone"}}', "1970", id="unknown-zone-is-utc"),
        pytest.param('{{htmlDateInZone (int64 1700000000) "UTC"}}', "2023-11-14", id="htmlDateInZone"),
        pytest.param('{{toDate "2006-01-02T15:04:05Z07:00" "2001-02-03T04:05:06Z" | unixEpoch}}', "981173106", id="toDate-rfc3339"),
        pytest.param('{{(toDate "02/01/2006 15:04 -0700" "31/12/1999 23:00 -0100").UTC}}', "2000-01-01 00:00:00 +0000 UTC", id="toDate-offset"),
        pytest.param('{{toDate "2006-01-02" "1999-02-29"}}', "0001-01-01 00:00:00 +0000 UTC", id="toDate-bad-day-is-zero"),
        pytest.param('{{dateInZone "15:04:05.000" (dateModify "1.5s" (toDate "2006 MST" "2020 UTC")) "UTC"}}', "00:00:01.500", id="dateModify"),
        pytest.param('{{(toDate "Jan _2 2006 .999" "Feb  3 2013 .120").Nanosecond}}', "120000000", id="toDate-fraction"),
        pytest.param("{{typeOf now}} {{len (ago now)}}", "time.Time 2", id="now-and-ago"),
    ],
)
def test_dates(template: str, want: str) -> None:
    check(template, None, want)


@pytest.mark.parametrize(
    "template,fragment",
    [
        pytest.param('{{mustToDate "2006-01-02" "2021-1-02"}}', 'cannot parse "1-02" as "01"', id="mustToDate-mismatch"),
        pytest.param('{{mustToDate "15:04" "25:00"}}', "hour out of range", id="mustToDate-range"),
        pytest.param('{{mustDateModify "1y" now}}', 'unknown unit "y"', id="mustDateModify-bad-unit"),
        pytest.param('{{dateModify "1h" "2020-01-01"}}', "expected time.Time", id="dateModify-needs-a-time"),
    ],
)
def test_date_errors(template: str, fragment: str) -> None:
    check_error(template, None, fragment)


# --------------------------------------------------------------------------
# Host access, crypto and identifiers


def test_env_and_expandenv_read_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYINJECT_SPRIG_TEST", "v")
    monkeypatch.delenv("PYINJECT_SPRIG_UNSET", raising=False)
    out = render('{{env "PYINJECT_SPRIG_TEST"}}|{{expandenv "a${PYINJECT_SPRIG_TEST}b $PYINJECT_SPRIG_UNSET. ${x"}}', None)
    assert out == "v|avb . x"


@pytest.mark.parametrize(
    "text,want",
    [
        ("$", "$"),
        ("a$", "a$"),
        ("$$", ""),
        ("${}x", "x"),
        ("$-x", "x"),
        ("$ x", "$ x"),
        ("${PYINJECT_SPRIG_TEST}", "v"),
    ],
)
def test_expandenv_shell_syntax(monkeypatch: pytest.MonkeyPatch, text: str, want: str) -> None:
    monkeypatch.setenv("PYINJECT_SPRIG_TEST", "v")
    for special in "$-":
        monkeypatch.delenv(special, raising=False)
    assert render("{{expandenv .t}}", {"t": text}) == want


def test_getHostByName_never_resolves() -> None:
    check_error('{{getHostByName "localhost"}}', None, "not supported by pyinject")


@pytest.mark.parametrize("name", ["genPrivateKey", "genCA", "bcrypt", "encryptAES", "derivePassword"])
def test_key_material_functions_refuse(name: str) -> None:
    with pytest.raises(GoFuncError, match="not supported by pyinject"):
        SPRIG_FUNCS[name]("rsa")


def test_identifiers_have_their_shape() -> None:
    uuid, rand = render("{{uuidv4}} {{randBytes 6 | len}}", None).split(" ")
    assert len(uuid) == 36 and uuid[14] == "4"
    assert rand == "8"  # six bytes in base64


def test_direct_calls_return_go_typed_values() -> None:
    assert type(SPRIG_FUNCS["add"](1, 2)) is Int64
    assert isinstance(SPRIG_FUNCS["splitList"](",", "a"), TypedList)
