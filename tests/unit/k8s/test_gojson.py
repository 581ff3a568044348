"""Go encoding/json emulation: quantities, struct order, omitempty and string escaping.

Expected values follow apimachinery's documented Quantity canonical form and
Go's encoding/json rules; the container cases mirror what Istio writes into
``proxy.istio.io/overrides``.
"""

from __future__ import annotations

import random
import re

import pytest

from pyinject.golang.encoding_json import JSONStruct, go_json
from pyinject.k8s import gojson


QUANTITIES = [
    ("millis-to-whole", "3000m", "3"),
    ("fraction-to-millis", "1.5", "1500m"),
    ("binary-fraction-to-smaller-suffix", "1.5Gi", "1536Mi"),
    ("binary-kept", "128Mi", "128Mi"),
    ("decimal-thousand", "1000", "1k"),
    ("decimal-not-multiple", "1024", "1024"),
    ("binary-below-1024-becomes-decimal", "0.5Ki", "512"),
    ("binary-exact-promotes", "2048Mi", "2Gi"),
    ("tenth", "0.1", "100m"),
    ("exponent-kept", "1e3", "1e3"),
    ("zero", "0", "0"),
    ("zero-with-suffix", "0Mi", "0"),
    ("negative", "-1500m", "-1500m"),
    ("integer-input", 2, "2"),
    ("nano-rounds-up", "0.0000000001", "1n"),
    ("not-a-quantity", "lots", "lots"),
    ("negative-nano-rounds-up", "-0.0000000015", "-1n"),
    ("small-exponent-rounds-up", "1e-12", "1e-9"),
    ("exponent-grows", "1000e3", "1e6"),
    ("float-input", 0.25, "250m"),
    ("beyond-exa", "1000E", "1000E"),
    ("trailing-dot", "5.", "5"),
]


@pytest.mark.parametrize(("raw", "want"), [q[1:] for q in QUANTITIES], ids=[q[0] for q in QUANTITIES])
def test_canonical_quantity(raw: object, want: str) -> None:
    assert gojson.canonical_quantity(raw) == want


def _by_fractions(text: str) -> str:
    """The canonical text by exact rational arithmetic, written independently of the code under test."""
    from fractions import Fraction

    sign, num, suffix = re.fullmatch(r"([+-]?)([0-9.]+)(.*)", text).groups()  # type: ignore[union-attr]
    value = Fraction(num.rstrip(".") or "0") * (-1 if sign == "-" else 1)
    binary = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
    decimal = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
    if suffix in binary:
        value *= 2 ** binary[suffix]
    else:
        value *= Fraction(10) ** (decimal[suffix] if suffix in decimal else int(suffix[1:]))
    scaled = value * 10**9
    nano = -((-scaled.numerator) // scaled.denominator)  # rounded up, as apimachinery does
    if nano == 0:
        return "0"
    if suffix in binary and abs(nano) >= 1024 * 10**9 and nano % 10**9 == 0:
        whole, shift = abs(nano) // 10**9, 0
        while shift < 60 and whole % (1 << (shift + 10)) == 0:
            shift += 10
        names = {0: "", 10: "Ki", 20: "Mi", 30: "Gi", 40: "Ti", 50: "Pi", 60: "Ei"}
        return f"{'-' if nano < 0 else ''}{whole >> shift}{names[shift]}"
    exponent = suffix not in binary and suffix not in decimal
    exp = -9
    while (exp < 18 or exponent) and abs(nano) % 10 ** (exp + 12) == 0:
        exp += 3
    names = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
    written = (f"e{exp}" if exp else "") if exponent else names[exp]
    return f"{'-' if nano < 0 else ''}{abs(nano) // 10 ** (exp + 9)}{written}"


def test_canonical_quantity_is_exact() -> None:
    rng = random.Random(15)
    suffixes = ["", "n", "u", "m", "k", "M", "G", "E", "Ki", "Mi", "Gi", "Ei", "e3", "e-3", "E6", "e-12"]
    for _ in range(3000):
        number = rng.choice([str(rng.randint(0, 10**9)), f"{rng.randint(0, 5000)}.{rng.randint(0, 10**12)}",
                             f".{rng.randint(0, 999)}"])
        text = rng.choice(["", "-"]) + number + rng.choice(suffixes)
        assert gojson.canonical_quantity(text) == _by_fractions(text), text


CONTAINERS = [
    (
        "resources-always-written",
        {"name": "istio-init"},
        '{"name":"istio-init","resources":{}}',
    ),
    (
        "struct-order-not-input-order",
        {"tty": True, "args": ["a"], "image": "x", "name": "c"},
        '{"name":"c","image":"x","args":["a"],"resources":{},"tty":true}',
    ),
    (
        "unknown-fields-and-zero-values-dropped",
        {"name": "c", "bogus": 1, "stdin": False, "workingDir": ""},
        '{"name":"c","resources":{}}',
    ),
    (
        "pointer-bools-keep-false",
        {"name": "c", "securityContext": {"readOnlyRootFilesystem": False, "runAsUser": 0}},
        '{"name":"c","resources":{},"securityContext":{"runAsUser":0,"readOnlyRootFilesystem":false}}',
    ),
    (
        "quantities-canonical-map-keys-sorted",
        {"name": "c", "resources": {"requests": {"memory": "1Gi", "cpu": "3000m"}}},
        '{"name":"c","resources":{"requests":{"cpu":"3","memory":"1Gi"}}}',
    ),
    (
        "probe-handler-inline",
        {"name": "c", "livenessProbe": {"periodSeconds": 2, "httpGet": {"port": 15021, "path": "/p"}}},
        '{"name":"c","resources":{},"livenessProbe":{"httpGet":{"path":"/p","port":15021},"periodSeconds":2}}',
    ),
    (
        "grpc-service-null",
        {"name": "c", "readinessProbe": {"grpc": {"port": 9000}}},
        '{"name":"c","resources":{},"readinessProbe":{"grpc":{"port":9000,"service":null}}}',
    ),
    (
        "env-value-from-divisor-zero",
        {"name": "c", "env": [{"name": "L", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}]},
        '{"name":"c","env":[{"name":"L","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"0"}}}],'
        '"resources":{}}',
    ),
]


@pytest.mark.parametrize(("container", "want"), [c[1:] for c in CONTAINERS], ids=[c[0] for c in CONTAINERS])
def test_encode_container(container: dict[str, object], want: str) -> None:
    assert go_json(gojson.encode("Container", container)) == want
    # The default table is read through plans made once; any other table field by field.
    assert go_json(gojson.encode("Container", container, dict(gojson.STRUCTS))) == want


PROBERS = [
    {"httpGet": {"port": 8080, "path": "/h", "scheme": "HTTPS"}, "timeoutSeconds": 3},
    {"httpGet": {"port": "http", "host": "", "httpHeaders": [{"name": "a", "value": ""}]}},
    {"tcpSocket": {"port": 0}, "timeoutSeconds": 0},
    {"grpc": {"port": 9000, "service": ""}},
    {"grpc": {"port": 9000, "service": None}, "bogus": 1},
    {},
    None,
]


@pytest.mark.parametrize("prober", PROBERS)
def test_encode_by_plan_matches_field_by_field(prober: object) -> None:
    planned = go_json(gojson.encode("Prober", prober))  # type: ignore[arg-type]
    assert planned == go_json(gojson.encode("Prober", prober, dict(gojson.STRUCTS)))  # type: ignore[arg-type]


STRINGS = [
    ("html-escaped", "a<b>&c", '"a\\u003cb\\u003e\\u0026c"'),
    ("quotes-and-backslash", 'say "hi"\\', '"say \\"hi\\"\\\\"'),
    ("non-ascii-raw", "é", '"é"'),
    ("control-chars", "a\nb\x01", '"a\\nb\\u0001"'),
    ("line-separator", "\u2028", '"\\u2028"'),
]


@pytest.mark.parametrize(("text", "want"), [s[1:] for s in STRINGS], ids=[s[0] for s in STRINGS])
def test_dumps_strings(text: str, want: str) -> None:
    assert go_json(text) == want


def test_dumps_sort_keys_by_bytes() -> None:
    assert go_json({"b": 1, "a": [None, True]}) == '{"a":[null,true],"b":1}'
    assert go_json(JSONStruct(b=1, a=2)) == '{"b":1,"a":2}'


@pytest.mark.parametrize(
    ("value", "want"),
    [(1.5, "1.5"), (2.0, "2"), (0.00001, "0.00001"), (1e-7, "1e-7"), (1e21, "1e+21")],
    ids=["fraction", "whole", "small-plain", "tiny-exponent", "huge-exponent"],
)
def test_dumps_floats_like_go(value: float, want: str) -> None:
    assert go_json(value) == want


def test_pointer_scalars_keep_zero_values() -> None:
    container = {
        "name": "c",
        "readinessProbe": {"exec": {"command": ["x"]}, "terminationGracePeriodSeconds": 0, "periodSeconds": 0},
        "envFrom": [{"configMapRef": {"name": "m", "optional": False}}],
    }
    assert go_json(gojson.encode("Container", container)) == (
        '{"name":"c","envFrom":[{"configMapRef":{"name":"m","optional":false}}],"resources":{},'
        '"readinessProbe":{"exec":{"command":["x"]},"terminationGracePeriodSeconds":0}}'
    )
