"""sprig's string functions, with Go's byte-indexed strings where sprig slices bytes.

Argument order follows sprig (the string comes last) so pipelines read
naturally: ``{{ .name | trunc 63 | trimSuffix "-" }}``.
"""

from typing import Any, Callable

from pyinject.golang.fmt import format_value

from pyinject.golang.strconv import quote as go_quote
from pyinject.golang.values import GoFuncError, TypedList, TypedMap
from pyinject.sandbox import limits

from pyinject.sprig.case import GO_SPACE, is_space
from pyinject.sprig.cast import from_go_bytes, go_bytes, go_len, go_slice, strval


_MAX_REPEAT = 1 << 30


def hello() -> str:
    """The greeting sprig ships as a smoke test: "Hello!"."""
    return "Hello!"


def trim(s: str) -> str:
    """strings.TrimSpace: strip Unicode white space at both ends."""
    return s.strip(GO_SPACE)


def trim_all(cutset: str, s: str) -> str:
    """trimAll CUTSET S: strip any of the runes in CUTSET from both ends."""
    return s.strip(cutset) if cutset else s


def trim_prefix(prefix: str, s: str) -> str:
    """trimPrefix PREFIX S: remove PREFIX once, if S starts with it."""
    return s.removeprefix(prefix)


def trim_suffix(suffix: str, s: str) -> str:
    """trimSuffix SUFFIX S: remove SUFFIX once, if S ends with it."""
    return s.removesuffix(suffix)


def contains(substr: str, s: str) -> bool:
    """contains SUBSTR S: whether SUBSTR occurs in S."""
    return substr in s


def has_prefix(prefix: str, s: str) -> bool:
    """hasPrefix PREFIX S."""
    return s.startswith(prefix)


def has_suffix(suffix: str, s: str) -> bool:
    """hasSuffix SUFFIX S."""
    return s.endswith(suffix)


def repeat(count: int, s: str) -> str:
    """repeat COUNT S: S repeated COUNT times; a negative count is Go's panic."""
    if count < 0:
        raise GoFuncError("strings: negative Repeat count")
    size = go_len(s) * count
    if size >= 1 << 63:
        raise GoFuncError("strings: Repeat output length overflow")
    if size > _MAX_REPEAT:
        # Go would try to allocate it; refuse instead of exhausting memory.
        raise GoFuncError(f"strings: Repeat output of {size} bytes is too large")
    limits.allow_size(size, "the result of repeat")
    return s * count


def replace(old: str, new: str, src: str) -> str:
    """replace OLD NEW SRC: every OLD replaced; an empty OLD matches between every rune."""
    if old == "":
        if src == "":
            return new
        return new + new.join(src) + new
    return src.replace(old, new)


def plural(one: str, many: str, count: int) -> str:
    """plural ONE MANY COUNT: ONE when COUNT is exactly 1, else MANY."""
    return one if count == 1 else many


def _bounds_error(detail: str) -> GoFuncError:
    return GoFuncError(f"runtime error: slice bounds out of range {detail}")


def trunc(c: int, s: str) -> str:
    """trunc N S: the first N bytes of S; a negative N keeps the last -N bytes."""
    n = go_len(s)
    if c < 0 and n + c > 0:
        return go_slice(s, n + c)
    if c >= 0 and n > c:
        return go_slice(s, 0, c)
    return s


def substr(start: int, end: int, s: str) -> str:
    """substr START END S: bytes START..END; a negative START means 0, a negative or too large END means the rest."""
    n = go_len(s)
    if start < 0:
        if end < 0 or end > n:
            raise _bounds_error(f"[:{end}] with length {n}")
        return go_slice(s, 0, end)
    if end < 0 or end > n:
        if start > n:
            raise _bounds_error(f"[{start}:{n}]")
        return go_slice(s, start)
    if start > end:
        raise _bounds_error(f"[{start}:{end}]")
    return go_slice(s, start, end)


def _abbreviate(b: bytes, offset: int, width: int) -> bytes | None:
    """goutils.AbbreviateFull on bytes; None where goutils returns an error."""
    if not b:
        return b
    if width < 4:
        return None
    if len(b) <= width:
        return b
    offset = min(offset, len(b))
    if len(b) - offset < width - 3:
        offset = len(b) - (width - 3)
    if offset <= 4:
        return b[: width - 3] + b"..."
    if width < 7:
        return None
    if offset + width - 3 < len(b):
        rest = _abbreviate(b[offset:], 0, width - 3)
        return b"..." + (rest or b"")
    return b"..." + b[len(b) - (width - 3) :]


def abbrev(width: int, s: str) -> str:
    """abbrev WIDTH S: cut S to WIDTH bytes, ending in "..." (widths below 4 leave S alone)."""
    if width < 4:
        return s
    result = _abbreviate(go_bytes(s), 0, width)
    return from_go_bytes(result) if result is not None else ""


def abbrevboth(left: int, right: int, s: str) -> str:
    """abbrevboth LEFT RIGHT S: abbreviate on both sides, starting near byte LEFT, at most RIGHT bytes."""
    if right < 4 or (left > 0 and right < 7):
        return s
    result = _abbreviate(go_bytes(s), left, right)
    return from_go_bytes(result) if result is not None else ""


def _latin1_rune(byte: int) -> str:
    # goutils walks strings byte by byte and writes each byte back as a rune,
    # so a multi-byte UTF-8 character comes out as Latin-1 mojibake.
    return chr(byte)


def nospace(s: str) -> str:
    """nospace S: remove all white space (goutils.DeleteWhiteSpace)."""
    if s.isascii():
        return "".join(c for c in s if not is_space(c))
    raw = go_bytes(s)
    kept = [b for b in raw if not is_space(chr(b))]
    if len(kept) == len(raw):
        return s
    return "".join(map(_latin1_rune, kept))


def initials(s: str) -> str:
    """initials S: the first character of every space-separated word (byte-wise, as goutils does)."""
    out = []
    last_was_gap = True
    for b in go_bytes(s):
        c = chr(b)
        if is_space(c):
            last_was_gap = True
        elif last_was_gap:
            out.append(_latin1_rune(b))
            last_was_gap = False
    return "".join(out)


def _wrap_custom(s: str, width: int, newline: str, wrap_long_words: bool) -> str:
    """goutils.WrapCustom on bytes: break at spaces so lines fit in WIDTH bytes."""
    if s == "":
        return ""
    nl = go_bytes(newline or "\n")
    width = max(width, 1)
    b = go_bytes(s)
    n = len(b)
    offset = 0
    out = bytearray()
    while n - offset > width:
        if b[offset] == 0x20:
            offset += 1
            continue
        space = b.rfind(b" ", offset, width + offset + 1)
        if space >= offset:
            out += b[offset:space] + nl
            offset = space + 1
        elif wrap_long_words:
            out += b[offset : offset + width] + nl
            offset += width
        else:
            space = b.find(b" ", width + offset)
            if space >= 0:
                out += b[offset:space] + nl
                offset = space + 1
            else:
                out += b[offset:]
                offset = n
    out += b[offset:]
    return from_go_bytes(bytes(out))


def wrap(width: int, s: str) -> str:
    """wrap WIDTH S: word-wrap at WIDTH bytes with newlines; long words stay whole."""
    return _wrap_custom(s, width, "", False)


def wrap_with(width: int, sep: str, s: str) -> str:
    """wrapWith WIDTH SEP S: word-wrap with SEP as the line break; long words are cut."""
    return _wrap_custom(s, width, sep, True)


def quote(*args: Any) -> str:
    """quote ARGS...: each non-nil argument as a Go double-quoted string, space-separated."""
    return " ".join(go_quote(strval(a)) for a in args if a is not None)


def squote(*args: Any) -> str:
    """squote ARGS...: each non-nil argument in single quotes (no escaping), space-separated."""
    return " ".join("'" + format_value(a) + "'" for a in args if a is not None)


def cat(*args: Any) -> str:
    """cat ARGS...: the non-nil arguments printed with %v, space-separated."""
    parts = [format_value(a) for a in args if a is not None]
    limits.allow_size(sum(len(p) for p in parts) + len(parts), "the result of cat")
    return " ".join(parts)


def indent(spaces: int, s: str) -> str:
    """indent N S: N spaces before every line of S, including the first and after a trailing newline."""
    if spaces < 0:
        raise GoFuncError("strings: negative Repeat count")
    if spaces > _MAX_REPEAT:
        raise GoFuncError(f"strings: Repeat output of {spaces} bytes is too large")
    limits.allow_size(len(s) + spaces * (s.count("\n") + 1), "the result of indent")
    pad = " " * spaces
    return pad + s.replace("\n", "\n" + pad)


def nindent(spaces: int, s: str) -> str:
    """nindent N S: a newline, then indent N S."""
    return "\n" + indent(spaces, s)


def to_string(v: Any) -> str:
    """toString V: strings as they are, anything else printed with %v (nil is "<nil>")."""
    return strval(v)


def to_strings(v: Any) -> TypedList:
    """toStrings LIST: a []string of the elements printed with %v, nil elements dropped.

    A value that is not a list becomes a one-element list; nil an empty one.
    """
    if isinstance(v, TypedList) and v.elem == "string":
        return v
    if isinstance(v, (list, tuple)):
        return TypedList((strval(x) for x in v if x is not None), elem="string")
    if v is None:
        return TypedList(elem="string")
    return TypedList([strval(v)], elem="string")


def join(sep: str, v: Any) -> str:
    """join SEP LIST: the list's elements printed with %v (nils dropped), joined by SEP."""
    parts = to_strings(v)
    limits.allow_size(sum(len(p) for p in parts) + len(sep) * len(parts), "the result of join")
    return sep.join(parts)


def sort_alpha(v: Any) -> TypedList:
    """sortAlpha LIST: the elements as strings in byte order; a non-list becomes a one-element list."""
    if isinstance(v, (list, tuple)):
        return TypedList(sorted(to_strings(v)), elem="string")
    return TypedList([strval(v)], elem="string")


def _go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """strings.SplitN: n < 0 all parts, n == 0 none, n > 0 at most n parts."""
    if n == 0:
        return []
    if sep == "":
        runes = list(s)
        if 0 < n < len(runes):
            return runes[: n - 1] + ["".join(runes[n - 1 :])]
        return runes
    if n < 0:
        return s.split(sep)
    return s.split(sep, n - 1)


def split_list(sep: str, s: str) -> TypedList:
    """splitList SEP S: S split at every SEP, as a []string."""
    return TypedList(_go_split(s, sep), elem="string")


def _indexed(parts: list[str]) -> TypedMap:
    return TypedMap({f"_{i}": p for i, p in enumerate(parts)}, elem="string", zero="")


def split(sep: str, s: str) -> TypedMap:
    """split SEP S: the parts as a map with keys _0, _1, ... (map[string]string)."""
    return _indexed(_go_split(s, sep))


def splitn(sep: str, n: int, s: str) -> TypedMap:
    """splitn SEP N S: at most N parts, the last holding the rest, keyed _0, _1, ..."""
    return _indexed(_go_split(s, sep, n))


# Random strings: nondeterministic by nature, so only their shape can be
# relied on. goutils draws from these alphabets with crypto/rand. The random
# modules are imported by the functions that use them, not at start-up.
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_ALNUM = _LETTERS + _DIGITS
_ASCII_PRINTABLE = "".join(chr(c) for c in range(32, 127))


def _random_string(count: int, alphabet: str) -> str:
    if count < 0:
        # goutils returns an error that sprig drops: the result is "".
        return ""
    if count > _MAX_REPEAT:
        raise GoFuncError(f"random string of {count} characters is too large")
    import secrets

    return "".join(secrets.choice(alphabet) for _ in range(count))


def rand_alpha_num(count: int) -> str:
    """randAlphaNum N: N random letters and digits."""
    return _random_string(count, _ALNUM)


def rand_alpha(count: int) -> str:
    """randAlpha N: N random letters."""
    return _random_string(count, _LETTERS)


def rand_ascii(count: int) -> str:
    """randAscii N: N random printable ASCII characters."""
    return _random_string(count, _ASCII_PRINTABLE)


def rand_numeric(count: int) -> str:
    """randNumeric N: N random digits."""
    return _random_string(count, _DIGITS)


def shuffle(s: str) -> str:
    """shuffle S: the runes of S in random order."""
    import random

    runes = list(s)
    random.shuffle(runes)
    return "".join(runes)


STRING_FUNCS: dict[str, Callable[..., Any]] = {
    "hello": hello,
    "abbrev": abbrev,
    "abbrevboth": abbrevboth,
    "trunc": trunc,
    "trim": trim,
    "substr": substr,
    "repeat": repeat,
    "trimall": trim_all,
    "trimAll": trim_all,
    "trimSuffix": trim_suffix,
    "trimPrefix": trim_prefix,
    "nospace": nospace,
    "initials": initials,
    "randAlphaNum": rand_alpha_num,
    "randAlpha": rand_alpha,
    "randAscii": rand_ascii,
    "randNumeric": rand_numeric,
    "shuffle": shuffle,
    "wrap": wrap,
    "wrapWith": wrap_with,
    "contains": contains,
    "hasPrefix": has_prefix,
    "hasSuffix": has_suffix,
    "quote": quote,
    "squote": squote,
    "cat": cat,
    "indent": indent,
    "nindent": nindent,
    "replace": replace,
    "plural": plural,
    "toString": to_string,
    "split": split,
    "splitList": split_list,
    "splitn": splitn,
    "toStrings": to_strings,
    "join": join,
    "sortAlpha": sort_alpha,
}
