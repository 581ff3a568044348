"""Emit documents: untouched ones byte for byte, rewritten ones keeping what the user wrote.

Every stage works on plain JSON-like data.  A rewritten workload is written by
splicing the *difference* between the original data and the new data into the
original text (:mod:`pyinject.manifests.splice`): everything that did not change keeps
its comments, key order, quoting and scalar text, byte for byte.  Where
splicing has no safe edit (an edit would remove an anchor that an alias still
needs, the text cannot be composed) or an edit that touched aliases does not
read back as the new data, the writer falls back to a round trip through
ruamel.yaml (:func:`emit_roundtrip`), which applies the same difference to a
parsed tree and re-serializes the whole document.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.errors import InputError, PyinjectError
from pyinject.manifests.read import RawDocument
from pyinject.golang.yaml11 import needs_quotes
from pyinject.golang.values import data_equal
from pyinject.manifests.splice import CannotSplice, match_items, splice
from pyinject.manifests.emit import Layout
from pyinject.manifests.load import guess_indent, load_plain, load_roundtrip

def emit_unchanged(doc: RawDocument) -> str:
    """A document injection did not touch: its original text."""
    return doc.text


def emit_yaml(doc: RawDocument, original: Any, new: Any) -> str:
    """Write ``new`` in the shape of ``doc``'s text, changing only what differs from ``original``."""
    mapping, _, offset = guess_indent(doc.body)
    try:
        return splice(doc.text, original, new, Layout(mapping=mapping, offset=offset), _reader(doc))
    except CannotSplice:
        return emit_roundtrip(doc, original, new)


def _reader(doc: RawDocument) -> Callable[[str], Any]:
    def read_back(text: str) -> Any:
        try:
            return load_plain(text, doc.location())
        except PyinjectError as err:
            raise CannotSplice(f"the spliced text does not parse: {err.message}") from err

    return read_back


def emit_roundtrip(doc: RawDocument, original: Any, new: Any) -> str:
    """The slow, general writer: apply the difference to a ruamel.yaml tree and re-serialize it."""
    tree = load_roundtrip(doc.body, doc.location())
    tree = reconcile(tree, original, new)
    return doc.separator + dump_roundtrip(tree, doc.body)


def dump_roundtrip(tree: Any, original_text: str = "") -> str:
    """Serialize a round-trip tree, indented like the original text."""
    from pyinject.manifests.load import _roundtrip_yaml

    rt = _roundtrip_yaml()
    mapping, sequence, offset = guess_indent(original_text)
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    _install_representer(rt)
    buf = io.StringIO()
    try:
        rt.dump(tree, buf)
    finally:
        rt.indent(mapping=2, sequence=2, offset=0)
    return buf.getvalue()


def emit_json(data: Any) -> str:
    """One document as indented JSON (kubectl reads a stream of JSON objects)."""
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default, allow_nan=False) + "\n"
    except ValueError as err:
        # JSON has no infinities or NaN; kubectl refuses them too.
        raise InputError("cannot be written as JSON: it holds .inf or .nan, which JSON has no way to say") from err


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class NewStr(str):
    """A string the change introduced (the writer may choose how to quote it).

    Strings read from the user's text stay ``str`` and keep their original
    style; only new ones get the YAML 1.1-safe quoting below.
    """


_REPRESENTER_READY = False


def _install_representer(rt: Any) -> None:
    """Quote new strings that YAML 1.1 readers would take for another type."""
    global _REPRESENTER_READY
    if _REPRESENTER_READY:
        return

    def represent_new(self: Any, data: str) -> Any:
        text = str(data)
        if needs_quotes(text):
            return self.represent_scalar("tag:yaml.org,2002:str", text, style='"')
        if "\n" in text and not text.startswith(" ") and not any(ord(ch) < 32 and ch not in "\n" for ch in text):
            return self.represent_scalar("tag:yaml.org,2002:str", text, style="|")
        return self.represent_str(text)

    rt.Representer.add_representer(NewStr, represent_new)
    _REPRESENTER_READY = True


def fresh(value: Any) -> Any:
    """Mark every string in a new value as introduced by the change."""
    if isinstance(value, str):
        return value if type(value) is not str else NewStr(value)
    if isinstance(value, dict):
        return {(NewStr(k) if type(k) is str else k): fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    return value


def reconcile(tree: Any, original: Any, new: Any) -> Any:
    """Apply the change ``original`` -> ``new`` to the round-trip ``tree``; return the result.

    ``tree`` was parsed from the same text as ``original``; wherever the two
    plain values are equal the tree node is returned untouched.
    """
    if data_equal(original, new):
        return tree
    if isinstance(new, dict) and isinstance(original, dict) and _is_rt_map(tree):
        tree = _unshared(tree)
        for key in [k for k in tree if k not in new]:
            del tree[key]
        for key, value in new.items():
            if key in original and key in tree:
                updated = reconcile(tree[key], original[key], value)
                if updated is not tree[key]:
                    tree[key] = updated
            else:
                _insert_key(tree, NewStr(key) if type(key) is str else key, fresh(value))
        return tree
    if isinstance(new, list) and isinstance(original, list) and _is_rt_seq(tree) and len(tree) == len(original):
        tree = _unshared(tree)
        items = _match_items(tree, original, new)
        if len(items) != len(tree) or any(a is not b for a, b in zip(items, tree)):
            tree[:] = items
        return tree
    return fresh(new)


def _unshared(node: Any) -> Any:
    """A private copy of an anchored node, so its aliases elsewhere do not change.

    Manifests alias a pod template's labels from the selector; adding labels
    to the template must leave the selector as written.
    """
    anchor = getattr(node, "anchor", None)
    if anchor is None or anchor.value is None:
        return node
    clone = copy.deepcopy(node)
    clone.anchor.value = None
    return clone


def _insert_key(tree: Any, key: str, value: Any) -> None:
    # Kubernetes objects read metadata before spec; keep new metadata there.
    if key == "metadata" and "spec" in tree and hasattr(tree, "insert"):
        tree.insert(list(tree).index("spec"), key, value)
    else:
        tree[key] = value


def _match_items(tree: Any, original: list[Any], new: list[Any]) -> list[Any]:
    """New list contents, reusing the tree's element wherever one corresponds."""
    return [
        fresh(item) if match is None else reconcile(tree[match], original[match], item)
        for item, match in zip(new, match_items(original, new))
    ]


def _is_rt_map(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap

    return isinstance(node, CommentedMap)


def _is_rt_seq(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedSeq

    return isinstance(node, CommentedSeq)

