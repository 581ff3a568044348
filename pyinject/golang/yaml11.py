"""YAML 1.1 plain scalars as go-yaml v2 (kubectl, sigs.k8s.io/yaml) reads them: the one rule set.

Readers use the patterns to type a plain scalar (``yes`` is true, ``0755`` is
493, ``~`` is null); go-yaml's own writer asks :func:`resolves_to_string`
before it writes a string plain; pyinject's writers ask :func:`needs_quotes`,
which is deliberately broader: quoting a string that did not need it costs
nothing, missing one changes its type in the cluster.
"""

from __future__ import annotations

import re

BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
#: go-yaml v2 removes "_" and hands the rest to Go's strconv.ParseInt(s, 0, 64):
#: decimal, 0x hex, 0o / leading-0 octal, 0b binary (prefixes in either case).
INT = re.compile(r"^[-+]?(?:0[bB][01_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)$")
FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
#: Sexagesimal numbers (``1:30``), which YAML 1.1 reads as integers or floats.
BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
TIMESTAMP = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}"
    r"(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$"
)

# What pyinject's writers quote: every non-string above, loosely (underscores
# anywhere in numbers, anything after a date), plus YAML 1.1's merge key
# ``<<`` and value key ``=``.
_NOT_A_STRING = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE"
    r"|~|null|Null|NULL|=|<<"
    r"|[-+]?(?:0[bB][01_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)"
    r"|[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|\d{4}-\d{1,2}-\d{1,2}(?:[Tt \t].*)?)",
    re.DOTALL,
)


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
    return _NOT_A_STRING.fullmatch(text) is not None
