"""The protobuf type tables: built per message on first read, answering as a fully built table would."""

from __future__ import annotations

import json
import os

import pytest

from pyinject.golang import protojson


def _raw() -> dict[str, object]:
    path = os.path.join(os.path.dirname(protojson.__file__), os.pardir, "data", "istio_types.json")
    with open(path, encoding="utf-8") as handle:
        loaded: dict[str, object] = json.load(handle)
    return loaded


def test_every_message_reads_as_its_type_table_row() -> None:
    raw = _raw()
    types = protojson.ProtoTypes(raw)
    messages = raw["messages"]
    assert isinstance(messages, dict)
    for name, rows in messages.items():
        fields = types.messages[name]
        assert [(f.name, f.number, f.type, f.oneof) for f in fields] == [
            (r[0], r[1], r[2], r[3] if len(r) > 3 else None) for r in rows]
        assert types.messages.get(name) is fields  # built once, then kept
        assert types.by_go[name] == {f.go_name: f for f in fields}
        assert {g: [f.name for f in fs] for g, fs in types.oneofs[name].items()} == {
            protojson.go_camel(o): [r[0] for r in rows if len(r) > 3 and r[3] == o]
            for o in dict.fromkeys(r[3] for r in rows if len(r) > 3 and r[3])}


@pytest.mark.parametrize("table", ["messages", "by_go", "oneofs"])
def test_a_name_the_table_lacks_is_missing(table: str) -> None:
    view = getattr(protojson.ProtoTypes(_raw()), table)
    assert "istio.mesh.v1alpha1.NoSuchMessage" not in view
    assert view.get("istio.mesh.v1alpha1.NoSuchMessage") is None
    assert view.get("istio.mesh.v1alpha1.NoSuchMessage", ()) == ()
    with pytest.raises(KeyError):
        view["istio.mesh.v1alpha1.NoSuchMessage"]
    assert "istio.mesh.v1alpha1.ProxyConfig" in view


def test_reading_one_message_builds_only_that_one() -> None:
    types = protojson.ProtoTypes(_raw())
    proxy = "istio.mesh.v1alpha1.ProxyConfig"
    assert "istio.mesh.v1alpha1.MeshConfig" in types.messages  # known without being built
    types.messages.get(proxy)
    assert list(dict.keys(types.messages)) == [proxy]  # type: ignore[arg-type]
