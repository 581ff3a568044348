"""The YAML 1.1 plain-scalar rules, written out by hand, answer exactly as their regular expressions do.

The expressions below are the rules' definitions (go-yaml v2's resolve table and
pyinject's broader quoting rule); the module checks texts without compiling them.
"""

from __future__ import annotations

import random
import re

import pytest

from pyinject.golang import yaml11

SPEC = {
    "BOOL": re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    "NULL": re.compile(r"^(?:~|null|Null|NULL|)$"),
    "INT": re.compile(r"^[-+]?(?:0[bB][01_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)$"),
    "FLOAT": re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    "MERGE": re.compile(r"^(?:<<)$"),
    "BASE60": re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$"),
    "TIMESTAMP": re.compile(r"^\d{4}-\d{1,2}-\d{1,2}"
                            r"(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$"),
}
NOT_A_STRING = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE"
    r"|~|null|Null|NULL|=|<<"
    r"|[-+]?(?:0[bB][01_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)"
    r"|[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|\d{4}-\d{1,2}-\d{1,2}(?:[Tt \t].*)?)",
    re.DOTALL,
)

KNOWN = [
    "", "\n", "y", "yes\n", "Yes", "yES", "on", "~", "null", "Null\n", "nULL", "=", "<<", "<<\n", "<", "0", "-0", "+7",
    "0b101", "0B", "0b", "0b2", "0o17", "0O8", "017", "019", "0x1F", "0xg", "0x", "1_000", "_1", "1__", "12\n", "1.5",
    "1.", ".5", ".", "-.5", "1e5", "1E+5", "1e", "1e-", "e5", "1.5e5", ".5E-3", "1_0.2_5", "1.2.3", ".inf", "-.Inf",
    "+.INF", ".nan", "-.nan", ".NaN\n", ".iNf", "1:30", "1:3", "1:60", "-1:30:15.5", "1:30.", "1:", ":30", "1:305",
    "2001-12-14", "2001-1-1", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59", "2001-12-14x", "2001-123-1",
    "2001-12-145", "2001-12-1\tX", "٢٠٠١-١٢-١٤", "2001-12-14\nrest", "1.20.3", "100m", "9080", "15020", "-p", "v1",
    "true", "REDIRECT", "*", "0.5Gi", "+", "-", "+-1", "1e5\n", "1_e5", "１２",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43 ", "2001-12-14T1:02:03Z",
    "2001-12-14\t \t21:59:43Z\n", "2001-12-14T21:59:43+123", "2001-12-14T21:59:43+12:3", "2001-12-14T21:59:4",
    "2001-12-14T21:59:43.", "2001-12-14T21:59:43.5 Z", "2001-12-14T215:59:43", "2001-12-14 ", "2001-12-14T",
]
ALPHABET = "0123456789_.+-eExXbBoOaf:Tt \n<=~yn٣"


def _samples() -> list[str]:
    rng = random.Random(1)
    texts = list(KNOWN)
    for _ in range(30000):
        texts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 9))))
    digits = "0123456789"
    for _ in range(5000):
        date = f"{rng.choice(digits) * 4}-{rng.choice(digits) * rng.randint(1, 3)}-{rng.choice(digits) * rng.randint(0, 3)}"
        texts.append(date + rng.choice(["", "T", "t1", " x", "\t", "Z", "\n", "5"]))
        clock = f"{rng.choice(digits) * rng.randint(0, 3)}:{rng.choice(digits) * rng.randint(1, 3)}:{rng.choice(digits) * 2}"
        zone = rng.choice(["", "Z", " Z", "+1", "-12", "+12:30", "+1:3", " \t-05:00", ".", ".5", ".5Z", " ", "\n"])
        texts.append(date[:10] + rng.choice(["T", "t", " ", " \t ", "x"]) + clock + zone)
        sexagesimal = ":".join(rng.choice(["1", "12", "1_2", "5", "59", "60", "7", "", "123"]) for _ in range(rng.randint(1, 4)))
        texts.append(rng.choice(["", "+", "-"]) + sexagesimal + rng.choice(["", ".", ".5", "._1", ".x", "\n"]))
    return texts


SAMPLES = _samples()


@pytest.mark.parametrize("name", sorted(SPEC))
def test_each_rule_matches_as_its_expression(name: str) -> None:
    rule = getattr(yaml11, name)
    wrong = [t for t in SAMPLES if bool(rule.match(t)) != bool(SPEC[name].match(t))]
    assert wrong == []


def test_needs_quotes_matches_its_expression() -> None:
    wrong = [t for t in SAMPLES if yaml11.needs_quotes(t) != bool(NOT_A_STRING.fullmatch(t))]
    assert wrong == []


@pytest.mark.parametrize(("text", "is_string"), [
    ("hello", True), ("yes", False), ("0755", False), ("1_000", False), ("1:30", False), ("2001-12-14", False),
    ("2001-12-14 21:59:43", False), ("2001-12-14x", True), (".inf", False), ("1.20.3", True), ("~", False),
])
def test_resolves_to_string(text: str, is_string: bool) -> None:
    assert yaml11.resolves_to_string(text) is is_string
