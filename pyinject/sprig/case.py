"""Letter case in sprig: Go's unicode tables, strings.Title, goutils and xstrings (v1.3) case conversions."""

import unicodedata
from typing import Any, Callable

# unicode.IsSpace: Latin-1 spaces plus the White_Space property. Python's
# str.isspace also counts \x1c-\x1f, which Go does not.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_SET = frozenset(GO_SPACE)


def is_space(c: str) -> bool:
    """unicode.IsSpace."""
    return c in _SPACE_SET


def _category(c: str) -> str:
    return unicodedata.category(c)


def is_upper(c: str) -> bool:
    """unicode.IsUpper (category Lu)."""
    return _category(c) == "Lu"


def is_lower(c: str) -> bool:
    """unicode.IsLower (category Ll)."""
    return _category(c) == "Ll"


def is_title(c: str) -> bool:
    """unicode.IsTitle (category Lt)."""
    return _category(c) == "Lt"


def is_letter(c: str) -> bool:
    """unicode.IsLetter (categories L*)."""
    return _category(c)[0] == "L"


def is_digit(c: str) -> bool:
    """unicode.IsDigit (category Nd)."""
    return _category(c) == "Nd"


def is_number(c: str) -> bool:
    """unicode.IsNumber (categories N*)."""
    return _category(c)[0] == "N"


def is_punct(c: str) -> bool:
    """unicode.IsPunct (categories P*)."""
    return _category(c)[0] == "P"


# Go maps one rune to one rune (simple case mapping); Python's str methods use
# the full mapping, where "ß".upper() is "SS" and "İ".lower() is two runes.


def to_upper(c: str) -> str:
    """unicode.ToUpper of one rune."""
    u = c.upper()
    if len(u) == 1:
        return u
    t = c.title()
    return t if len(t) == 1 else c


def to_lower(c: str) -> str:
    """unicode.ToLower of one rune."""
    low = c.lower()
    if len(low) == 1:
        return low
    return "i" if c == "\u0130" else c


def to_title(c: str) -> str:
    """unicode.ToTitle of one rune."""
    t = c.title()
    return t if len(t) == 1 else c


def upper(s: str) -> str:
    """strings.ToUpper: every rune upper-cased on its own (so "ß" stays "ß")."""
    if s.isascii():
        return s.upper()
    return "".join(map(to_upper, s))


def lower(s: str) -> str:
    """strings.ToLower: every rune lower-cased on its own (no final-sigma rule)."""
    if s.isascii():
        return s.lower()
    return "".join(map(to_lower, s))


def _is_title_separator(c: str) -> bool:
    # strings.Title's word boundaries: ASCII punctuation counts, so "don't"
    # becomes "Don'T"; beyond ASCII only letters and digits join words.
    if c <= "\x7f":
        return not (c.isalnum() or c == "_")
    if is_letter(c) or is_digit(c):
        return False
    return is_space(c)


def title(s: str) -> str:
    """strings.Title: title-case the first letter of every word, leave the rest."""
    out = []
    prev = " "
    for c in s:
        out.append(to_title(c) if _is_title_separator(prev) else c)
        prev = c
    return "".join(out)


def untitle(s: str) -> str:
    """goutils.Uncapitalize: lower-case the first rune of every space-separated word."""
    out = []
    start_of_word = True
    for c in s:
        if is_space(c):
            start_of_word = True
            out.append(c)
        elif start_of_word:
            out.append(to_lower(c))
            start_of_word = False
        else:
            out.append(c)
    return "".join(out)


def swapcase(s: str) -> str:
    """goutils.SwapCase: upper and title runes go lower; a lower rune goes title at a word start, else upper."""
    out = []
    at_word_start = True
    for c in s:
        if is_upper(c) or is_title(c):
            out.append(to_lower(c))
            at_word_start = False
        elif is_lower(c):
            out.append(to_title(c) if at_word_start else to_upper(c))
            at_word_start = False
        else:
            out.append(c)
            at_word_start = is_space(c)
    return "".join(out)


# --------------------------------------------------------------------------
# huandu/xstrings v1.3: camelcase, snakecase, kebabcase


def _is_connector(c: str) -> bool:
    return c in "-_" or is_space(c)


def camelcase(s: str) -> str:
    """xstrings.ToCamelCase (v1.3): drop "_", "-" and spaces, upper-case the rune after one, lower-case the rest.

    Leading connectors stay; of a run of connectors all but the last stay.
    "foo_bar" → "FooBar", "FooBar" → "Foobar".
    """
    if not s:
        return ""
    out: list[str] = []
    i = 0
    n = len(s)
    while i < n and _is_connector(s[i]):
        out.append(s[i])
        i += 1
    if i == n:
        # xstrings writes the last connector a second time here ("_" → "__").
        out.append(s[-1])
        return "".join(out)
    r0 = to_upper(s[i])
    i += 1
    while i < n:
        r1 = r0
        r0 = s[i]
        i += 1
        if _is_connector(r0) and _is_connector(r1):
            out.append(r1)
            continue
        if _is_connector(r1):
            r0 = to_upper(r0)
        else:
            r0 = to_lower(r0)
            out.append(r1)
    out.append(r0)
    return "".join(out)


# Word classes of xstrings' splitter.
_INVALID, _NUMBER, _UPPER, _ALPHA, _CONNECTOR, _PUNCT, _OTHER = range(7)


def _is_alphabet(c: str) -> bool:
    # A letter, but not a CJK ideograph (those never start a new word).
    if not is_letter(c):
        return False
    o = ord(c)
    if o < 0x3400:
        return True
    return not (0x4E00 <= o <= 0x9FCC or 0x3400 <= o <= 0x4D85 or 0x20000 <= o <= 0x2B81D)


def _next_word(s: str, i: int) -> tuple[int, int]:
    """The class and end index of the word that starts at s[i]."""
    n = len(s)
    c = s[i]
    j = i + 1
    if _is_connector(c):
        while j < n and _is_connector(s[j]):
            j += 1
        return _CONNECTOR, j
    if is_punct(c):
        while j < n and is_punct(s[j]):
            j += 1
        return _PUNCT, j
    if is_upper(c):
        if j == n:
            return _UPPER, j
        if is_upper(s[j]):
            while j < n and is_upper(s[j]):
                j += 1
            # "HTTPStatus" splits as "HTTP" + "Status": the last capital
            # belongs to the next word when a letter follows it.
            if j < n and _is_alphabet(s[j]):
                j -= 1
            return _UPPER, j
        if _is_alphabet(s[j]):
            while j < n and _is_alphabet(s[j]) and not is_upper(s[j]):
                j += 1
        return _UPPER, j
    if _is_alphabet(c):
        while j < n and _is_alphabet(s[j]) and not is_upper(s[j]):
            j += 1
        return _ALPHA, j
    if is_number(c):
        while j < n and is_number(s[j]):
            j += 1
        return _NUMBER, j
    while j < n and not (_is_connector(s[j]) or _is_alphabet(s[j]) or is_number(s[j]) or is_punct(s[j])):
        j += 1
    return _OTHER, j


def _lower_word(out: list[str], kind: int, word: str, connector: str) -> None:
    if kind not in (_UPPER, _CONNECTOR):
        out.append(word)
        return
    for c in word:
        if _is_connector(c):
            out.append(connector)
        elif is_upper(c):
            out.append(to_lower(c))
        else:
            out.append(c)


def _words_joined(s: str, connector: str) -> str:
    """xstrings' camelCaseToLowerCase: split into words, lower-case, join with connector.

    Numbers glue to the word before them unless lower-case letters follow
    ("Bld4Floor" → "bld4_floor", "HTTP2xx" → "http_2xx").
    """
    if not s:
        return ""
    out: list[str] = []
    pos = 0
    n = len(s)

    def take() -> tuple[int, str]:
        nonlocal pos
        if pos >= n:
            return _INVALID, ""
        kind, end = _next_word(s, pos)
        word = s[pos:end]
        pos = end
        return kind, word

    kind, word = take()
    while pos < n:
        if kind != _CONNECTOR:
            _lower_word(out, kind, word, connector)
        prev, last = kind, word
        kind, word = take()
        if prev == _NUMBER:
            while kind in (_ALPHA, _NUMBER):
                _lower_word(out, kind, word, connector)
                kind, word = take()
            if kind not in (_INVALID, _PUNCT, _CONNECTOR):
                out.append(connector)
        elif prev == _CONNECTOR:
            _lower_word(out, prev, last, connector)
        elif prev == _PUNCT:
            pass
        else:
            if kind != _NUMBER:
                if kind not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            if pos >= n:
                continue
            last = word
            kind, word = take()
            if kind != _ALPHA:
                _lower_word(out, _NUMBER, last, connector)
                if kind not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            out.append(connector)
            _lower_word(out, _NUMBER, last, connector)
            while kind in (_ALPHA, _NUMBER):
                _lower_word(out, kind, word, connector)
                kind, word = take()
            if kind not in (_INVALID, _CONNECTOR, _PUNCT):
                out.append(connector)
    _lower_word(out, kind, word, connector)
    return "".join(out)


def snakecase(s: str) -> str:
    """xstrings.ToSnakeCase: "FooBarHTTPServer" → "foo_bar_http_server"; spaces and "-" become "_"."""
    return _words_joined(s, "_")


def kebabcase(s: str) -> str:
    """xstrings.ToKebabCase: like snakecase, joined with "-"."""
    return _words_joined(s, "-")


CASE_FUNCS: dict[str, Callable[..., Any]] = {
    "upper": upper,
    "lower": lower,
    "title": title,
    "untitle": untitle,
    "swapcase": swapcase,
    "snakecase": snakecase,
    "camelcase": camelcase,
    "kebabcase": kebabcase,
}
