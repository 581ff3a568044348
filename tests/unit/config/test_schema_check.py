"""check() answers as jsonschema does on valid and invalid data, without loading jsonschema."""

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
    ({"concurrency": 2.0}, False),  # jsonschema's integer, though not an int
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


@pytest.mark.parametrize("data,clean", PROXY_CONFIGS, ids=[json.dumps(c[0], default=str) for c in PROXY_CONFIGS])
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_proxy_config(data: Any, clean: bool, strict: bool) -> None:
    """``clean``: plain data meeting the schema with exact types (unknown keys aside)."""
    unknown = isinstance(data, dict) and "unknownKey" in data
    expected = _problems(data, "mesh", "ProxyConfig", strict)
    if clean and not (strict and unknown):
        assert expected == []
    if isinstance(data, dict) and not all(isinstance(k, str) for k in data):
        return  # check() itself cannot word an unknown key that is no string
    # check() gives jsonschema's answer.
    assert (check(data, "mesh", strict=strict, definition="ProxyConfig") == []) == (expected == [])


def test_embedded_values_and_mesh_are_valid() -> None:
    values = yaml.safe_load((TEMPLATES / "values.yaml").read_text(encoding="utf-8"))
    assert check(values, "values", strict=False) == []
    assert _problems(values, "values", None, False) == []
    mesh = yaml.safe_load((TEMPLATES / "mesh-defaults.yaml").read_text(encoding="utf-8"))
    for doc in (v for v in (mesh if isinstance(mesh, dict) else {}).values() if isinstance(v, dict)):
        assert (check(doc, "mesh", strict=False) == []) == (_problems(doc, "mesh", None, False) == [])


def test_a_valid_proxy_config_annotation_does_not_load_jsonschema() -> None:
    code = (
        "import sys\n"
        "from pyinject.config.mesh import parse_proxy_config_annotation\n"
        "parse_proxy_config_annotation('{\"holdApplicationUntilProxyStarts\": true}')\n"
        "sys.exit(1 if 'jsonschema' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
