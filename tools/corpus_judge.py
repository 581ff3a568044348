"""The conformance corpora's semantic equality, for the release-check tools.

Both sides are read as multi-document YAML; empty documents are dropped; in each
document, mapping keys whose value is null, ``{}`` or ``[]`` go (bottom-up),
``metadata.creationTimestamp: null`` goes, a top-level ``status`` whose leaves
are all zero goes, and integral floats compare as integers.  Strings stay
strings, so JSON held in a string compares byte for byte.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML


def _normalize(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _normalize(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _zero_leaves(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_zero_leaves(v) for v in value.values())
    if isinstance(value, list):
        return all(_zero_leaves(v) for v in value)
    return value is not True and value in (None, "", 0, False)


def normalized_documents(text: str) -> list[Any]:
    """The documents of ``text`` as the corpora compare them."""
    docs = []
    for doc in YAML(typ="safe", pure=True).load_all(text):
        if doc is None:
            continue
        if isinstance(doc, dict):
            meta = doc.get("metadata")
            if isinstance(meta, dict) and "creationTimestamp" in meta and meta["creationTimestamp"] is None:
                del meta["creationTimestamp"]
            if "status" in doc and _zero_leaves(doc["status"]):
                del doc["status"]
        docs.append(_normalize(doc))
    return docs
