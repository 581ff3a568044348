"""What kind of Istio config file this is, so a file in the wrong slot is refused instead of silently misread.

Each config flag takes one kind of file.  A whole ``kubectl get cm ... -o yaml``
ConfigMap is accepted where one of its keys belongs (``.data.config`` and
``.data.values`` of ``istio-sidecar-injector``, ``.data.mesh`` of ``istio``): the
key is taken out, and a note says so.  Anything that looks like another kind
is refused with one line naming what it looks like and the flag it belongs to.
A file that looks like nothing known is left to the slot's own checks.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.config.layers import JSON, parse_yaml
from pyinject.errors import ConfigError
from pyinject.records import dataclass

INJECT = "injection config"
VALUES = "values"
MESH = "mesh config"
OPERATOR = "IstioOperator"

#: The flag each kind belongs to.
FLAG_FOR = {
    INJECT: "--injectConfigFile",
    VALUES: "--valuesFile",
    MESH: "--meshConfigFile",
    OPERATOR: "--operatorFileName",
}
#: ConfigMap key -> the kind it holds.
CONFIGMAP_KEYS = {"config": INJECT, "values": VALUES, "mesh": MESH}
_INJECT_KEYS = frozenset({"templates", "template", "defaultTemplates", "neverInjectSelector",
                          "alwaysInjectSelector", "injectedAnnotations", "aliases", "format"})


@dataclass(frozen=True)
class Unwrapped:
    """A document for a slot, and a note when it came out of a whole ConfigMap."""

    doc: JSON
    note: str | None = None


@lru_cache(maxsize=None)
def _schema_keys(name: str) -> frozenset[str]:
    # By path, as the package is installed as files: importlib.resources would add
    # pathlib, zipfile and tempfile to every start.
    path = os.path.join(os.path.dirname(__file__), "schemas", f"{name}.schema.json")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return frozenset(json.loads(text).get("properties", {}))


def recognise(doc: JSON) -> str | None:
    """The kind ``doc`` looks like, ``"ConfigMap NAME"`` for a whole ConfigMap, or None."""
    if not isinstance(doc, dict):
        return None
    kind = doc.get("kind")
    if kind == "IstioOperator":
        return OPERATOR
    if kind == "ConfigMap" and isinstance(doc.get("data"), dict):
        name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else None
        return f"ConfigMap {name or '(unnamed)'}"
    keys = set(map(str, doc))
    if keys & _INJECT_KEYS and ("templates" in keys or "template" in keys or "format" in keys):
        return INJECT
    values = len(keys & _schema_keys("values"))
    mesh = len(keys & _schema_keys("mesh"))
    if values > mesh:
        return VALUES
    if mesh > values:
        return MESH
    return None


def for_slot(doc: JSON, slot: str, what: str) -> Unwrapped:
    """``doc`` as the ``slot`` kind wants it: as is, out of a ConfigMap, or refused.

    ``what`` names the file in the note (its path).
    """
    looks = recognise(doc)
    if looks is None or looks == slot:
        return Unwrapped(doc)
    if looks.startswith("ConfigMap "):
        data = doc["data"]
        for key, kind in CONFIGMAP_KEYS.items():
            if kind == slot and key in data:
                inner = data[key]
                if not isinstance(inner, str):
                    raise ConfigError(f"{looks}: .data.{key} is not text")
                parsed = inner if slot == INJECT else parse_yaml(inner, f"{looks} .data.{key}")
                return Unwrapped(parsed, f"{what} is a whole {looks}; using its .data.{key}")
        held = [f".data.{key} belongs to {FLAG_FOR[kind]}" for key, kind in CONFIGMAP_KEYS.items() if key in data]
        wanted = _key_for(slot)
        missing = f" with no .data.{wanted} for {FLAG_FOR[slot]}" if wanted else f", not {_article(slot)} {slot} file"
        raise ConfigError(f"this is a whole {looks}{missing}" + (f" ({'; '.join(held)})" if held else ""))
    raise ConfigError(f"this looks like {_article(looks)} {looks} file, not {_article(slot)} {slot} file: "
                      f"pass it with {FLAG_FOR[looks]}")


def _key_for(slot: str) -> str | None:
    return next((key for key, kind in CONFIGMAP_KEYS.items() if kind == slot), None)


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiouAEIO" else "a"


def describe(doc: Any) -> str:
    """What ``doc`` looks like, for messages of slots that check kinds themselves."""
    looks = recognise(doc)
    return f"{_article(looks)} {looks}" if looks else "none of the config kinds pyinject knows"
