"""sprig's regular expressions: Go's regexp (RE2 syntax, via google-re2) with Go's match iteration and $-expansion.

Matching runs on the UTF-8 bytes, so offsets are Go's byte offsets. Finding
all matches, replacing and splitting follow Go's loops rather than Python's:
an empty match right after a previous match does not count.
"""

import functools
from typing import Any, Callable

import re2  # type: ignore[import-untyped]

from pyinject.golang.strconv import can_backquote, quote
from pyinject.golang.values import GoFuncError, TypedList

from pyinject.sprig.case import is_digit, is_letter
from pyinject.sprig.cast import from_go_bytes, go_bytes

_OPTIONS = re2.Options()
# RE2 logs every bad pattern to stderr by default; stdout and stderr belong to the CLI.
_OPTIONS.log_errors = False

# RE2's error texts, reworded as Go's regexp/syntax ErrorCodes.
_GO_ERROR_CODES = {
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "missing ]": "missing closing ]",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid repetition size": "invalid repeat count",
    "no argument for repetition operator": "missing argument to repetition operator",
    "trailing \\": "trailing backslash at end of expression",
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class range": "invalid character class range",
    "invalid character class": "invalid character class",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid named capture group": "invalid named capture",
    "invalid UTF-8": "invalid UTF-8",
    "pattern too large - compile failed": "expression too large",
    "pattern too large - reverse compile failed": "expression too large",
    "bad named capture group": "invalid named capture",
}


def _go_error(pattern: str, err: Exception) -> str:
    """"error parsing regexp: CODE: `EXPR`", Go's wording of a compile error."""
    raw = err.args[0] if err.args else ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    code, _, expr = text.partition(": ")
    go_code = _GO_ERROR_CODES.get(code, code)
    if go_code == "missing closing )":
        expr = pattern  # Go quotes the whole expression for an unclosed group
    return f"error parsing regexp: {go_code}: `{expr}`"


class _Compiled:
    """A compiled pattern with what Go's expansion needs."""

    def __init__(self, pattern: str) -> None:
        try:
            self.regex = re2.compile(pattern, _OPTIONS)
        except re2.error as err:
            raise GoFuncError(_go_error(pattern, err)) from None
        self.groups = self.regex.groups
        self.names = {name.decode() if isinstance(name, bytes) else name: i for name, i in self.regex.groupindex.items()}


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> _Compiled:
    return _Compiled(pattern)


def _must_compile(pattern: str) -> _Compiled:
    """regexp.MustCompile: sprig's non-must functions panic on a bad pattern."""
    try:
        return _compile(pattern)
    except GoFuncError as err:
        raise GoFuncError(f"regexp: Compile({_backquote(pattern)}): {str(err)}") from None


def _backquote(s: str) -> str:
    # MustCompile quotes with strconv.Quote unless a raw string literal can hold it.
    return "`" + s + "`" if can_backquote(s) else quote(s)


def _all_matches(c: _Compiled, b: bytes, n: int) -> list[tuple[int, ...]]:
    """Go's allMatches: spans of successive matches, skipping an empty match that abuts the previous one."""
    if n < 0:
        n = len(b) + 1
    out: list[tuple[int, ...]] = []
    pos = 0
    prev_end = -1
    while len(out) < n and pos <= len(b):
        m = c.regex.search(b, pos)
        if m is None:
            break
        start, end = m.span()
        accept = True
        if end == pos:
            if start == prev_end:
                accept = False
            pos += _rune_width(b, pos)
        else:
            pos = end
        prev_end = end
        if accept:
            out.append(tuple(x for g in range(c.groups + 1) for x in m.span(g)))
    return out


def _rune_width(b: bytes, pos: int) -> int:
    """Bytes in the UTF-8 sequence at pos (1 at the end of input, as Go advances)."""
    if pos >= len(b):
        return 1
    lead = b[pos]
    width = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return min(width, len(b) - pos)


def _expand(c: _Compiled, template: str, b: bytes, span: tuple[int, ...]) -> bytes:
    """Regexp.Expand: $1, ${1}, $name, ${name}; $$ is "$"; $1x names group "1x"."""
    out = bytearray()
    rest = template
    while True:
        before, dollar, after = rest.partition("$")
        out += go_bytes(before)
        if not dollar:
            break
        rest = after
        if rest.startswith("$"):
            out += b"$"
            rest = rest[1:]
            continue
        name, remainder = _extract_name(rest)
        if name is None:
            out += b"$"
            continue
        rest = remainder
        index = _group_index(c, name)
        if index is not None and 2 * index + 1 < len(span) and span[2 * index] >= 0:
            out += b[span[2 * index] : span[2 * index + 1]]
    return bytes(out)


def _extract_name(s: str) -> tuple[str | None, str]:
    brace = s.startswith("{")
    body = s[1:] if brace else s
    i = 0
    while i < len(body) and (is_letter(body[i]) or is_digit(body[i]) or body[i] == "_"):
        i += 1
    if i == 0:
        return None, s
    name = body[:i]
    if brace:
        if i >= len(body) or body[i] != "}":
            return None, s
        i += 1
    return name, body[i:]


def _group_index(c: _Compiled, name: str) -> int | None:
    # Up to nine ASCII digits without a leading zero are a group number;
    # anything else ("1x", "01") is a group name.
    if name.isascii() and name.isdigit() and len(name) <= 9 and (len(name) == 1 or name[0] != "0"):
        return int(name)
    return c.names.get(name)


def _replace_all(c: _Compiled, s: str, replacement: Callable[[bytes, tuple[int, ...]], bytes]) -> str:
    """Go's replaceAll loop: no replacement for an empty match right after a match."""
    b = go_bytes(s)
    out = bytearray()
    last_end = 0
    search = 0
    while search <= len(b):
        m = c.regex.search(b, search)
        if m is None:
            break
        start, end = m.span()
        out += b[last_end:start]
        if end > last_end or start == 0:
            out += replacement(b, tuple(x for g in range(c.groups + 1) for x in m.span(g)))
        last_end = end
        width = _rune_width(b, search)
        if search + width > end:
            search += width
        elif search + 1 > end:
            search += 1
        else:
            search = end
    out += b[last_end:]
    return from_go_bytes(bytes(out))


def _split(c: _Compiled, pattern: str, s: str, n: int) -> TypedList:
    """Regexp.Split: at most n pieces (n < 0: all); n == 0 gives nil."""
    if n == 0:
        return TypedList(elem="string")
    if pattern and s == "":
        return TypedList([""], elem="string")
    b = go_bytes(s)
    pieces: list[str] = []
    begin = end = 0
    for span in _all_matches(c, b, n):
        if n > 0 and len(pieces) == n - 1:
            break
        end = span[0]
        if span[1] != 0:
            pieces.append(from_go_bytes(b[begin:end]))
        begin = span[1]
    if end != len(b):
        pieces.append(from_go_bytes(b[begin:]))
    return TypedList(pieces, elem="string")


def _find_all(c: _Compiled, s: str, n: int) -> TypedList:
    b = go_bytes(s)
    return TypedList((from_go_bytes(b[m[0] : m[1]]) for m in _all_matches(c, b, n)), elem="string")


def _find(c: _Compiled, s: str) -> str:
    b = go_bytes(s)
    m = c.regex.search(b)
    return "" if m is None else from_go_bytes(m.group())


def regex_match(regex: str, s: str) -> bool:
    """regexMatch RE S: whether RE matches anywhere in S; false for a bad RE."""
    try:
        return must_regex_match(regex, s)
    except GoFuncError:
        return False


def must_regex_match(regex: str, s: str) -> bool:
    """mustRegexMatch RE S: like regexMatch, but a bad RE is an error."""
    return _compile(regex).regex.search(go_bytes(s)) is not None


def regex_find_all(regex: str, s: str, n: int) -> TypedList:
    """regexFindAll RE S N: up to N matches (all for N < 0) as a []string."""
    return _find_all(_must_compile(regex), s, n)


def must_regex_find_all(regex: str, s: str, n: int) -> TypedList:
    """mustRegexFindAll RE S N."""
    return _find_all(_compile(regex), s, n)


def regex_find(regex: str, s: str) -> str:
    """regexFind RE S: the first match, or ""."""
    return _find(_must_compile(regex), s)


def must_regex_find(regex: str, s: str) -> str:
    """mustRegexFind RE S."""
    return _find(_compile(regex), s)


def regex_replace_all(regex: str, s: str, repl: str) -> str:
    """regexReplaceAll RE S REPL: every match replaced by REPL, with $1/${name} expanded."""
    c = _must_compile(regex)
    return _replace_all(c, s, lambda b, span: _expand(c, repl, b, span))


def must_regex_replace_all(regex: str, s: str, repl: str) -> str:
    """mustRegexReplaceAll RE S REPL."""
    c = _compile(regex)
    return _replace_all(c, s, lambda b, span: _expand(c, repl, b, span))


def regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    """regexReplaceAllLiteral RE S REPL: every match replaced by REPL as is."""
    literal = go_bytes(repl)
    return _replace_all(_must_compile(regex), s, lambda b, span: literal)


def must_regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    """mustRegexReplaceAllLiteral RE S REPL."""
    literal = go_bytes(repl)
    return _replace_all(_compile(regex), s, lambda b, span: literal)


def regex_split(regex: str, s: str, n: int) -> TypedList:
    """regexSplit RE S N: S cut at the matches into at most N pieces (all for N < 0)."""
    return _split(_must_compile(regex), regex, s, n)


def must_regex_split(regex: str, s: str, n: int) -> TypedList:
    """mustRegexSplit RE S N."""
    return _split(_compile(regex), regex, s, n)


_META = frozenset("\\.+*?()|[]{}^$")


def regex_quote_meta(s: str) -> str:
    """regexQuoteMeta S: S with Go's regexp metacharacters backslash-escaped."""
    return "".join("\\" + ch if ch in _META else ch for ch in s)


REGEX_FUNCS: dict[str, Callable[..., Any]] = {
    "regexMatch": regex_match,
    "mustRegexMatch": must_regex_match,
    "regexFindAll": regex_find_all,
    "mustRegexFindAll": must_regex_find_all,
    "regexFind": regex_find,
    "mustRegexFind": must_regex_find,
    "regexReplaceAll": regex_replace_all,
    "mustRegexReplaceAll": must_regex_replace_all,
    "regexReplaceAllLiteral": regex_replace_all_literal,
    "mustRegexReplaceAllLiteral": must_regex_replace_all_literal,
    "regexSplit": regex_split,
    "mustRegexSplit": must_regex_split,
    "regexQuoteMeta": regex_quote_meta,
}
