"""The quick schema check: never says valid where jsonschema finds a problem, and serves valid data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pyinject.config.schemas import _load, check
from pyinject.config.schemas.quick import surely_valid

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def _problems(data: Any, name: str, definition: str | None, strict: bool) -> list[str]:
    """What jsonschema itself reports, unknown keys dropped unless ``strict`` (check()'s rule)."""
    root = _load(name)
    target = root if definition is None else {"$ref": f"#/$defs/{definition}", "$defs": root["$defs"]}
    return [e.message for e in jsonschema.Draft202012Validator(target).iter_errors(data)
            if strict or e.validator != "additionalProperties"]


PROXY_CONFIGS = [
    ({"holdApplicationUntilProxyStarts": True}, True),
    ({"concurrency": None, "proxyMetadata": {"A": "b"}}, True),
    ({"drainDuration": "45s", "tracing": {"sampling": 1, "maxPathTagLength": 0}}, True),
    ({"interceptionMode": "TPROXY", "controlPlaneAuthPolicy": 1000}, True),
    ({"extraStatTags": ["a", "b"], "unknownKey": {"x": 1}}, True),  # unknown keys: not reported unless strict
    ({"holdApplicationUntilProxyStarts": "yes"}, False),
    ({"concurrency": True}, False),  # bool is no integer
    ({"concurrency": 2.0}, False),  # jsonschema's integer; the quick check leaves floats to it
    ({"statusPort": "15020"}, False),
    ({"interceptionMode": "BOGUS"}, False),
    ({"interceptionMode": True}, False),  # True == 1, but not in enum by JSON's equality
    ({"drainDuration": "45 seconds"}, False),
    ({"drainDuration": 45}, False),
    ({"fileFlushMinSizeKb": -1}, False),
    ({"tracing": {"maxPathTagLength": -3}}, False),
    ({"proxyMetadata": {"A": 1}}, False),
    ({"extraStatTags": ["a", 2]}, False),
    ({1: "x"}, False),  # a key that is not a string
    ({"proxyMetadata": {"A": b"bytes"}}, False),  # not plain JSON data
    ([], False),
    (None, False),
]


@pytest.mark.parametrize("data,quick", PROXY_CONFIGS, ids=[json.dumps(c[0], default=str) for c in PROXY_CONFIGS])
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_proxy_config(data: Any, quick: bool, strict: bool) -> None:
    said = surely_valid(_load("mesh"), data, strict=strict, definition="ProxyConfig")
    if said:
        assert _problems(data, "mesh", "ProxyConfig", strict) == []
    unknown = isinstance(data, dict) and "unknownKey" in data
    assert said == (quick and not (strict and unknown))
    if isinstance(data, dict) and not all(isinstance(k, str) for k in data):
        return  # check() itself cannot word an unknown key that is no string
    # check() gives jsonschema's answer whichever way it went.
    assert (check(data, "mesh", strict=strict, definition="ProxyConfig") == []) == (
        _problems(data, "mesh", "ProxyConfig", strict) == [])


def test_embedded_values_and_mesh_are_surely_valid() -> None:
    values = yaml.safe_load((TEMPLATES / "values.yaml").read_text(encoding="utf-8"))
    assert surely_valid(_load("values"), values, strict=False)
    mesh = yaml.safe_load((TEMPLATES / "mesh-defaults.yaml").read_text(encoding="utf-8"))
    for doc in (v for v in (mesh if isinstance(mesh, dict) else {}).values() if isinstance(v, dict)):
        if surely_valid(_load("mesh"), doc, strict=False):
            assert _problems(doc, "mesh", None, False) == []


def test_unknown_keywords_are_left_to_jsonschema() -> None:
    root = {"$defs": {"X": {"type": "string", "format": "email"}}}
    assert not surely_valid(root, "a@b", strict=False, definition="X")
    assert not surely_valid({"$defs": {"X": {"$ref": "#/$defs/Missing"}}}, "a", strict=False, definition="X")
    assert not surely_valid({"type": "object", "patternProperties": {}, "additionalProperties": False},
                            {"a": 1}, strict=False)


def test_a_valid_proxy_config_annotation_does_not_load_jsonschema() -> None:
    code = (
        "import sys\n"
        "from pyinject.config.mesh import parse_proxy_config_annotation\n"
        "parse_proxy_config_annotation('{\"holdApplicationUntilProxyStarts\": true}')\n"
        "sys.exit(1 if 'jsonschema' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
