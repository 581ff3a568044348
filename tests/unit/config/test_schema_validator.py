"""The built-in schema check reports exactly what jsonschema reports, on real and damaged configs."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyinject.config import schemas
from pyinject.config.inject_config import read_embedded
from pyinject.config.schemas import validator

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "istio-1.30"
ODD_VALUES: list[Any] = [None, True, False, 0, 1, -3, 2.5, 1.0, "", "x", "5s", "1m30s", "-0", "fast", [], [1, "a"],
                         {}, {"unknownKey": 1}, {"a": {"b": None}}]


def _configs() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("values", yaml.safe_load(read_embedded("values.yaml"))),
                                    ("mesh", yaml.safe_load(read_embedded("mesh-defaults.yaml")))]
    if (CORPUS / "values.json").is_file():
        found.append(("values", json.loads((CORPUS / "values.json").read_text(encoding="utf-8"))))
        found.append(("mesh", yaml.safe_load((CORPUS / "mesh.yaml").read_text(encoding="utf-8"))))
    return found


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, prefix + (index,))
    return out


def _damaged(data: Any, rng: random.Random) -> Any:
    """``data`` with a few values replaced, keys added or removed."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 4)):
        path = rng.choice(_paths(data))
        if not path:
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = rng.random()
        if action < 0.6:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action < 0.8 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "holdApplicationUntilProxyStarts", "1", "mode"])] = rng.choice(ODD_VALUES)
    return data


def _reported(data: Any, name: str, strict: bool, definition: str | None) -> list[Any]:
    return [(p.path, p.message, p.unknown_key) for p in schemas.check(data, name, strict=strict, definition=definition)]


def _by_jsonschema(monkeypatch: pytest.MonkeyPatch, *args: Any) -> list[Any]:
    with monkeypatch.context() as patch:
        patch.setattr(schemas, "supported", lambda schema: False)
        return _reported(*args)


def test_the_schemas_need_no_jsonschema() -> None:
    for name in schemas.SCHEMA_FILES:
        assert validator.supported(schemas.schema(name))


def test_damaged_configs_get_the_same_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    compared = problems = 0
    for name, data in _configs():
        for _ in range(150):
            damaged = _damaged(data, rng)
            for strict in (True, False):
                for definition in ([None, "ProxyConfig"] if name == "mesh" else [None]):
                    ours = _reported(damaged, name, strict, definition)
                    assert ours == _by_jsonschema(monkeypatch, damaged, name, strict, definition)
                    compared += 1
                    problems += len(ours)
    assert compared > 500 and problems > 300


def test_checking_a_file_loads_no_jsonschema(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("global:\n  proxy:\n    image: proxyv2\n    nope: 1\n", encoding="utf-8")
    code = ("import sys\n"
            "from pyinject.config.settings import load_settings\n"
            "settings = load_settings(sys.argv[1], None)\n"
            "print(len(settings.warnings), 'jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(values)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "False"]
