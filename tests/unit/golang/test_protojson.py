"""The protobuf type tables: built per message on first read, answering as a fully built table would."""

from __future__ import annotations

import itertools
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


def _json_camel_by_letter(name: str) -> str:
    out: list[str] = []
    upper = False
    for c in name:
        if c == "_":
            upper = True
        elif upper:
            out.append(c.upper())
            upper = False
        else:
            out.append(c)
    return "".join(out)


def test_json_names_follow_protoc_letter_by_letter() -> None:
    """Every name of up to five characters over underscores, cases, digits, dots and ß (upper-cased to SS)."""
    for size in range(6):
        for letters in itertools.product("a_B1.ß", repeat=size):
            name = "".join(letters)
            assert protojson.json_camel(name) == _json_camel_by_letter(name), name


def test_a_fields_go_name_is_made_when_first_read() -> None:
    field = protojson.ProtoField("k8s_sa_jwt_path", 1, "string", None)
    assert (field.json_name, field.go_name, field.go_name) == ("k8sSaJwtPath", "K8SSaJwtPath", "K8SSaJwtPath")
