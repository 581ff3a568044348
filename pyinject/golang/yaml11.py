"""YAML 1.1 plain scalars as go-yaml v2 (kubectl, sigs.k8s.io/yaml) reads them: the one rule set.

Readers use the patterns to type a plain scalar (``yes`` is true, ``0755`` is
493, ``~`` is null); go-yaml's own writer asks :func:`resolves_to_string`
before it writes a string plain; pyinject's writers ask :func:`needs_quotes`,
which is deliberately broader: quoting a string that did not need it costs
nothing, missing one changes its type in the cluster.
"""

from __future__ import annotations

from collections.abc import Callable

#: ASCII digits (``[0-9]``); ``\\d`` below is any Unicode decimal digit, as in ``re``.
_DIGITS = "0123456789"
_DIGITS_ = _DIGITS + "_"
_HEX_ = _DIGITS_ + "abcdefABCDEF"
_BOOL_WORDS = frozenset("y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF".split())
_NULL_WORDS = frozenset(("~", "null", "Null", "NULL", ""))
_INF = frozenset(sign + dot for sign in ("", "+", "-") for dot in (".inf", ".Inf", ".INF"))
_NAN = frozenset((".nan", ".NaN", ".NAN"))


class Rule:
    """A ``re.compile("^(?:...)$")`` look-alike for one plain-scalar rule, written out instead of compiled.

    ``match`` answers as the pattern's ``match`` would, truthy or not (``$`` also
    matches before a final newline); compiling the patterns cost more at every
    start than reading a whole manifest.  (``not text.strip(chars)``: every
    character of ``text`` is one of ``chars``.)
    """

    __slots__ = ("_whole",)

    def __init__(self, whole: Callable[[str], bool]) -> None:
        self._whole = whole

    def match(self, text: str) -> bool:
        return self._whole(text) or (text[-1:] == "\n" and self._whole(text[:-1]))


def _int(text: str) -> bool:
    """``[-+]?(?:0[bB][01_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)`` (0[0-7_]+ is decimal's)."""
    s = text[1:] if text[:1] in ("+", "-") and text else text
    if not s or s[0] not in _DIGITS:
        return False
    prefix = s[:2]
    if prefix in ("0b", "0B"):
        return len(s) > 2 and not s[2:].strip("01_")
    if prefix in ("0o", "0O"):
        return len(s) > 2 and not s[2:].strip("01234567_")
    if prefix in ("0x", "0X"):
        return len(s) > 2 and not s[2:].strip(_HEX_)
    return not s.strip(_DIGITS_)


def _number(text: str, digits: str) -> bool:
    """``[-+]?(?:\\.D+|[0-9]D*(?:\\.D*)?)(?:[eE][-+]?[0-9]+)?`` where D is ``digits``."""
    s = text[1:] if text[:1] in ("+", "-") and text else text
    cut = s.find("e")
    upper = s.find("E")
    if upper >= 0 and (cut < 0 or upper < cut):
        cut = upper
    if cut >= 0:
        exponent = s[cut + 1:]
        if exponent[:1] in ("+", "-") and exponent:
            exponent = exponent[1:]
        if not exponent or exponent.strip(_DIGITS):
            return False
        s = s[:cut]
    head, dot, tail = s.partition(".")
    if tail.strip(digits):
        return False
    if not head:
        return bool(tail)
    return head[0] in _DIGITS and not head.strip(digits)


def _float(text: str) -> bool:
    """``[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?``, or infinity, or not-a-number."""
    return _number(text, _DIGITS) or text in _INF or text in _NAN


def _base60(text: str) -> bool:
    """``[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?``."""
    if ":" not in text:
        return False
    head, _, fraction = (text[1:] if text[:1] in ("+", "-") else text).partition(".")
    parts = head.split(":")
    first = parts[0]
    if fraction.strip(_DIGITS_) or not first or first[0] not in _DIGITS or first.strip(_DIGITS_):
        return False
    return all((len(p) == 1 and p in _DIGITS) or (len(p) == 2 and p[0] in "012345" and p[1] in _DIGITS)
               for p in parts[1:])


def _date_end(text: str) -> int:
    """Where ``\\d{4}-\\d{1,2}-\\d{1,2}`` ends at the start of ``text`` (taking two day digits when there
    are), or -1; the caller decides what may follow, which fixes the day's length."""
    if len(text) < 8 or text[4] != "-" or not text[:4].isdecimal():
        return -1
    at = 7 if text[5:7].isdecimal() else 6 if text[5].isdecimal() else -1
    if at < 0 or text[at:at + 1] != "-":
        return -1
    at += 1
    day = 2 if text[at:at + 2].isdecimal() and len(text) >= at + 2 else 1 if text[at:at + 1].isdecimal() else 0
    return at + day if day else -1


def _dated(text: str) -> bool:
    """``\\d{4}-\\d{1,2}-\\d{1,2}(?:[Tt \\t].*)?`` (anything may follow the date and its separator)."""
    end = _date_end(text)
    # With two day digits taken, one day digit would leave a digit next: never a separator.
    return end >= 0 and (end == len(text) or text[end] in "Tt \t")


def _timestamp(text: str) -> bool:
    """``\\d{4}-\\d{1,2}-\\d{1,2}(?:(?:[Tt]|[ \\t]+)\\d{1,2}:\\d{2}:\\d{2}(?:\\.\\d*)?(?:[ \\t]*(?:Z|[-+]\\d{1,2}(?::\\d{2})?))?)?``."""
    at = _date_end(text)
    if at < 0:
        return False
    if at == len(text):
        return True
    if text[at] in "Tt":
        at += 1
    elif text[at] in " \t":
        while at < len(text) and text[at] in " \t":
            at += 1
    else:
        return False
    hour = 2 if text[at:at + 2].isdecimal() and len(text) >= at + 2 else 1 if text[at:at + 1].isdecimal() else 0
    at += hour
    for _ in range(2):
        if not hour or text[at:at + 1] != ":" or not (text[at + 1:at + 3].isdecimal() and len(text) >= at + 3):
            return False
        at += 3
    if text[at:at + 1] == ".":
        at += 1
        while at < len(text) and text[at].isdecimal():
            at += 1
    if at == len(text):
        return True
    while at < len(text) and text[at] in " \t":
        at += 1
    zone = text[at:]
    if zone == "Z":
        return True
    if zone[:1] not in ("+", "-"):
        return False
    zone = zone[1:]
    hours, colon, minutes = zone.partition(":")
    if not (0 < len(hours) <= 2 and hours.isdecimal()):
        return False
    return not colon or (len(minutes) == 2 and minutes.isdecimal())


BOOL = Rule(_BOOL_WORDS.__contains__)
NULL = Rule(_NULL_WORDS.__contains__)
#: go-yaml v2 removes "_" and hands the rest to Go's strconv.ParseInt(s, 0, 64):
#: decimal, 0x hex, 0o / leading-0 octal, 0b binary (prefixes in either case).
INT = Rule(_int)
FLOAT = Rule(_float)
#: YAML 1.1's merge key.
MERGE = Rule("<<".__eq__)
#: Sexagesimal numbers (``1:30``), which YAML 1.1 reads as integers or floats.
BASE60 = Rule(_base60)
TIMESTAMP = Rule(_timestamp)

#: What pyinject's writers quote: every non-string above, loosely (underscores
#: anywhere in numbers, anything after a date), plus YAML 1.1's merge key
#: ``<<`` and value key ``=``.
_QUOTED_WORDS = _BOOL_WORDS | (_NULL_WORDS - {""}) | {"=", "<<"} | _INF | _NAN


def resolves_to_string(text: str) -> bool:
    """Whether go-yaml v2 reads ``text``, written plain, back as a string (exactly its rule)."""
    if NULL.match(text) or BOOL.match(text):
        return False
    if text[0] in "+-.0123456789":
        plain = text.replace("_", "")
        if INT.match(plain) or FLOAT.match(plain):
            return False
        if TIMESTAMP.match(text) or BASE60.match(text):
            return False
    return True


def needs_quotes(text: str) -> bool:
    """Whether a YAML 1.1 reader might take ``text``, written plain, for something other than a string."""
    if text in _QUOTED_WORDS:
        return True
    return _int(text) or _number(text, _DIGITS_) or _base60(text) or _dated(text)
