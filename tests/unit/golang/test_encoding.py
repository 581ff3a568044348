"""Go JSON/YAML, duration and protobuf-JSON formatting (pyinject/golang: encoding_json, goyaml, durations, protojson).

Expected strings are what encoding/json, sigs.k8s.io/yaml (go-yaml v2),
time.Duration.String and Istio's protomarshal write for the same input.
"""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.golang import durations, goyaml, encoding_json, protojson
from pyinject.golang.encoding_json import JSONStruct

DEFAULTS = {
    "configPath": "/etc/istio/proxy",
    "binaryPath": "/usr/local/bin/envoy",
    "serviceCluster": "istio-proxy",
    "drainDuration": "45s",
    "terminationDrainDuration": "5s",
    "proxyAdminPort": 15000,
    "controlPlaneAuthPolicy": "MUTUAL_TLS",
    "discoveryAddress": "istiod.istio-system.svc:15012",
    "statNameLength": 189,
    "statusPort": 15020,
}


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param({"b": 1, "a": 2}, '{"a":2,"b":1}', id="map-keys-sorted"),
        pytest.param(JSONStruct([("b", 1), ("a", 2)]), '{"b":1,"a":2}', id="struct-keeps-order"),
        pytest.param("<a&b>", '"\\u003ca\\u0026b\\u003e"', id="html-escaped"),
        pytest.param("tab\there\x01", '"tab\\there\\u0001"', id="control-chars"),
        pytest.param("docker.io/istio", '"docker.io/istio"', id="nothing-to-escape"),
        pytest.param('q"b\\ \u2028\x1f', '"q\\"b\\\\ \\u2028\\u001f"', id="quote-backslash-separator"),
        pytest.param([1.0, 1.5, 1e21, 1e-7, 123456789.0], "[1,1.5,1e+21,1e-7,123456789]", id="floats"),
        pytest.param({"x": None, "y": [True, False]}, '{"x":null,"y":[true,false]}', id="null-bools"),
    ],
)
def test_go_json(value: Any, want: str) -> None:
    assert encoding_json.go_json(value) == want


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param(
            {"requests": {"memory": "128Mi", "cpu": "100m"}},
            "requests:\n  cpu: 100m\n  memory: 128Mi\n",
            id="resources",
        ),
        pytest.param({"cpu": "2"}, 'cpu: "2"\n', id="numeric-string-quoted"),
        pytest.param({"a": "true", "b": "yes", "c": "", "d": "null"}, 'a: "true"\nb: "yes"\nc: ""\nd: "null"\n', id="bool-null-like"),
        pytest.param({"a": "*", "b": "a: b", "c": "x #y", "d": " lead"}, "a: '*'\nb: 'a: b'\nc: 'x #y'\nd: ' lead'\n", id="single-quoted"),
        pytest.param({"a": "docker.io/istio/proxyv2", "b": "(x)=y+z", "c": "-x", "d": "a:b", "e": "-", "f": "...x"},
                     "a: docker.io/istio/proxyv2\nb: (x)=y+z\nc: -x\nd: a:b\ne: '-'\nf: '...x'\n", id="plain-or-not"),
        pytest.param({"k": ["a", {"x": 1, "w": 2}]}, "k:\n- a\n- w: 2\n  x: 1\n", id="sequence-not-indented"),
        pytest.param({"x10": 1, "x9": 2, "X": 3, "_": 4}, "_: 4\nX: 3\nx9: 2\nx10: 1\n", id="natural-key-order"),
        pytest.param({"e": {}, "l": [], "z": None}, "e: {}\nl: []\nz: null\n", id="empty-and-null"),
        pytest.param({"n": 1, "y": 2}, '"n": 1\n"y": 2\n', id="yaml11-bool-keys-quoted"),
        pytest.param({"s": "line1\nline2\n"}, "s: |\n  line1\n  line2\n", id="literal-clip"),
        pytest.param({"s": "a\nb"}, "s: |-\n  a\n  b\n", id="literal-strip"),
        pytest.param({"f": 1.5, "i": 100.0}, "f: 1.5\ni: 100\n", id="numbers-via-json"),
        pytest.param({"d": "2024-01-02", "t": "1:20"}, 'd: "2024-01-02"\nt: "1:20"\n', id="timestamp-base60"),
        pytest.param(
            {"k": "word " * 20},
            "k: 'word word word word word word word word word word word word word word word word\n"
            "  word word word word '\n",
            id="long-string-folded",
        ),
        pytest.param("scalar", "scalar\n", id="root-scalar"),
        pytest.param([["a", "b"]], "- - a\n  - b\n", id="nested-sequences"),
    ],
)
def test_go_yaml(value: Any, want: str) -> None:
    assert goyaml.go_yaml(value) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("45s", "45s", id="seconds"),
        pytest.param("1.5s", "1.5s", id="fraction"),
        pytest.param("3600s", "1h0m0s", id="hour"),
        pytest.param("90s", "1m30s", id="minutes"),
        pytest.param("0.0015s", "1.5ms", id="milliseconds"),
        pytest.param("0.000000001s", "1ns", id="nanosecond"),
        pytest.param("0s", "0s", id="zero"),
        pytest.param("-2s", "-2s", id="negative"),
        pytest.param("1m30s", "1m30s", id="go-syntax-input"),
    ],
)
def test_format_duration(text: str, want: str) -> None:
    secs, nanos = durations.parse_proto_duration(text)
    assert durations.duration_string(secs * 10**9 + nanos) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("23s", "23s", id="whole"),
        pytest.param("1.5s", "1.500s", id="millis-three-digits"),
        pytest.param("0.000001s", "0.000001s", id="micros-six-digits"),
        pytest.param("1m", "60s", id="go-minutes"),
    ],
)
def test_proto_duration_json(text: str, want: str) -> None:
    assert durations.format_proto_duration(durations.parse_proto_duration(text)[0] * 10**9 + durations.parse_proto_duration(text)[1]) == want


def test_parse_duration_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        durations.parse_proto_duration("soon")


@pytest.mark.parametrize(
    ("overrides", "want"),
    [
        pytest.param({}, "{}", id="defaults-cleaned-away"),
        pytest.param({"interceptionMode": "TPROXY"}, '{"interceptionMode":"TPROXY"}', id="enum-name"),
        pytest.param({"interceptionMode": "REDIRECT"}, "{}", id="enum-zero-omitted"),
        pytest.param(
            {"discoveryAddress": "foo:123", "concurrency": 0, "proxyMetadata": {"Z": "1", "A": "2"}},
            '{"discoveryAddress":"foo:123","concurrency":0,"proxyMetadata":{"A":"2","Z":"1"}}',
            id="declaration-order-wrapper-zero-kept",
        ),
        pytest.param(
            {"tracing": {}, "holdApplicationUntilProxyStarts": False},
            '{"tracing":{},"holdApplicationUntilProxyStarts":false}',
            id="empty-message-and-false-wrapper-kept",
        ),
        pytest.param({"drainDuration": "23s", "terminationDrainDuration": "5.000s"}, '{"drainDuration":"23s"}', id="durations-compared-by-value"),
        pytest.param({"proxyMetadata": {}}, "{}", id="empty-metadata-dropped"),
        pytest.param({"controlPlaneAuthPolicy": "NONE"}, "{}", id="auth-policy-none-is-zero"),
        pytest.param({"serviceCluster": "mine"}, '{"serviceCluster":"mine"}', id="oneof-member"),
        pytest.param(
            {"tracing": {"sampling": 1.0, "zipkin": {"address": "z:9411"}}},
            '{"tracing":{"zipkin":{"address":"z:9411"},"sampling":1}}',
            id="nested-oneof-first",
        ),
        pytest.param({"stat_name_length": 100}, '{"statNameLength":100}', id="proto-name-accepted"),
        pytest.param({"futureField": "x"}, '{"futureField":"x"}', id="unknown-key-appended"),
    ],
)
def test_proxy_config_json(overrides: dict[str, Any], want: str) -> None:
    assert protojson.proxy_config_json({**DEFAULTS, **overrides}) == want


def test_proto_json_of_64_bit_values_is_quoted() -> None:
    msg = {"stackdriver": {"maxNumberOfAttributes": 200, "debug": True}}
    got = protojson.proto_json(msg, "istio.mesh.v1alpha1.Tracing")
    assert got == '{"stackdriver":{"debug":true,"maxNumberOfAttributes":"200"}}'


@pytest.mark.parametrize(
    ("name", "go", "js"),
    [
        pytest.param("config_path", "ConfigPath", "configPath", id="simple"),
        pytest.param("k8s_sa_jwt_path", "K8SSaJwtPath", "k8sSaJwtPath", id="digit"),
        pytest.param("mesh_mTLS", "MeshMTLS", "meshMTLS", id="mixed-case"),
    ],
)
def test_proto_names(name: str, go: str, js: str) -> None:
    assert (protojson.go_camel(name), protojson.json_camel(name)) == (go, js)


def test_json_strings_escape_exactly_what_encoding_json_escapes() -> None:
    """Every character of the Basic Multilingual Plane, alone and between others."""
    from pyinject.golang.encoding_json import go_json_string

    special = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e",
               "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
    for code in range(0x10000):
        ch = chr(code)
        want = special.get(ch) or (f"\\u{code:04x}" if code < 0x20 else ch)
        assert go_json_string(ch) == f'"{want}"', hex(code)
        assert go_json_string(f"a{ch}b") == f'"a{want}b"', hex(code)


def test_folding_shortcut_gives_what_the_character_walk_gives() -> None:
    """Scalars that cannot reach the width at a space skip the walk; the text is the same."""
    import random

    rng = random.Random(7)
    alphabet = "ab '  x"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        column, indent = rng.randint(0, 90), rng.randint(0, 12)
        for fold in (True, False):
            for quote in ("", "'"):
                want = goyaml._fold_spaces(text, column, indent, fold=fold, quote=quote)
                assert goyaml._folded(text, column, indent, fold=fold, quote=quote) == want
