"""Piecewise decoding of rendered templates equals decoding them whole, or declines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyinject.errors import Location
from pyinject.inject import as_decoded
from pyinject.k8s.shapes import fits
from pyinject.manifests.load import load_plain
from pyinject.render import decode
from pyinject.render.decode import NotPieceable, decode_rendered

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"

SIDECAR = """\
metadata:
  labels:
    service.istio.io/canonical-name: "web"
  annotations: {
    istio.io/rev: "default",
  }
spec:
  initContainers:

  - name: istio-init
    args:
    - "-p"
    -  "1337"
    resources:
      limits:
        cpu: 2000m
        memory: 1024Mi
  containers:
  - name: istio-proxy
    ports:
    - containerPort: 15090
      name: http-envoy-prom
    env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: ISTIO_CPU_LIMIT
      valueFrom:
        resourceFieldRef:
          resource: limits.cpu
    - name: PROXY_CONFIG
      value: |
             {}
    - name: EMPTY
      value: ""
    readinessProbe:
      initialDelaySeconds: 0
      periodSeconds: 2
    unknownField: dropped
    $patch: merge
  - name: app
    env: []
  # a comment inside the block
  volumes:
  - name: v
    emptyDir: {}
"""

#: Texts decoded piecewise: each must come out as decoding it whole does.
PIECEABLE = {
    "sidecar": SIDECAR,
    "no final line break": SIDECAR.rstrip("\n"),
    "keep chomping at the end": "metadata:\n  a: b\nspec:\n  x: |+\n    keep\n\n",
    "keep chomping, no final break": "spec:\n  x: |+\n    keep",
    "keep chomping between keys": "spec:\n  x: |+\n    keep\n\n  y: 1\n",
    "clip chomping at the end of a container": "spec:\n  containers:\n  - name: a\n    args:\n    - |\n      text\n",
    "zero-indented lists": "spec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: z\n    ports:\n    - containerPort: 80\n",
    "empty containers": "spec:\n  containers:\n  volumes: []\n",
    "env with no items": "spec:\n  containers:\n  - name: a\n    env:\n    image: i\n",
    "quantities": "spec:\n  containers:\n  - name: a\n    resources:\n      requests: {cpu: 1.5, memory: 1.5Gi}\n",
    "comment in a quoted scalar": 'spec:\n  x: "a\n  # b"\n  y: 1\n',
    "yaml 1.1 scalars": "spec:\n  x: yes\n  y: 0755\n  containers:\n  - name: a\n    stdin: on\n    tty: y\n",
    "blank lines before the first key": "\n  \n\nmetadata:\n  a: b\nspec:\n  x: 1\n",
    "lines of spaces between pieces": "spec:\n  containers:\n  - name: a\n \n    image: i\n\n  x: 1\n      \n",
    "comment lines at any indentation": "# top\nspec:\n# left\n  x: 1\n      # deep\n  y: 2\n # end\n",
    "list items at the key's indentation": (
        "spec:\n  volumes:\n  - name: v\n  -\n    name: w\n  containers:\n  - name: a\n    ports:\n"
        "    - containerPort: 1\n    args:\n    - x\n    -\n"
    ),
    "item key on the next line": "spec:\n  containers:\n  -\n    name: a\n    image: i\n",
    "item head a comment": "spec:\n  containers:\n  - # c\n    name: a\n",
    "item key further right": "spec:\n  containers:\n  -   name: a\n      image: i\n",
    "lists indented under their key": "spec:\n  containers:\n    - name: a\n      env:\n        - name: X\n          value: z\n",
    "env last, no final line break": "spec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: |+\n        y",
    "env item kept chomping before a field": (
        "spec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: |+\n        y\n\n    image: i\n"
    ),
    "a key after spec": "metadata:\n  a: b\nspec:\n  x: 1\nstatus:\n  y: 2\n",
    "spec first, a key after it": "spec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: z\nstatus: {}\n",
    "container fields that Go drops or fills": (
        "spec:\n  containers:\n  - name: a\n    tty: false\n    resources: {}\n    unknown: 1\n    $patch: merge\n"
        "  initContainers:\n  - image: i\n"
    ),
}

#: Texts that must be decoded whole (the cut would be unsafe, or they are not YAML).
NOT_PIECEABLE = {
    "spec twice": "spec:\n  x: 1\nspec:\n  y: 2\n",
    "spec as a flow mapping, then as a block": "spec: {}\nspec:\n  x: 1\n",
    "quoted scalar continued at the key's indentation": 'spec:\n  x: "a\n  y: b"\n',
    "flow mapping closed at the key's indentation": "spec:\n  x: {a: 1,\n  b: 2}\n",
    "explicit key": "spec:\n  ? x\n  : 1\n",
    "alias across pieces": "spec:\n  x: &a 1\n  y: *a\n",
    "alias inside a piece": "spec:\n  x: [&a 1, *a]\n",
    "tag": "spec:\n  x: !!str 1\n",
    "duplicate key": "spec:\n  x: 1\n  x: 2\n",
    "duplicate container field": "spec:\n  containers:\n  - name: a\n    name: b\n",
    "document marker": "---\nspec:\n  x: 1\n",
    "spec not a block": "spec: {containers: [{name: a}]}\n",
    "containers not a block": "spec:\n  containers: [{name: a, tty: false}]\n",
    "containers item not a mapping": "spec:\n  containers:\n  - a\n",
    "tab": "spec:\n\tx: 1\n",
    "carriage return": "spec:\r\n  x: 1\r\n",
    "a list at the root": "- a\n- b\n",
    "invalid": "metadata: [\n",
    "only a comment": "# nothing\n",
    "less indented line between pieces": "spec:\n  x: 1\n y: 2\n  z: 3\n",
    "less indented line between items": "spec:\n  containers:\n  - name: a\n - name: b\n",
    "less indented line in a container": "spec:\n  containers:\n  - name: a\n   image: i\n",
    "less indented line in env": "spec:\n  containers:\n  - name: a\n    env:\n    - name: X\n   - name: Y\n",
    "text before the first key": "  x: 1\nspec:\n  y: 2\n",
    "a list before the first key": "spec:\n  - a\n  x: 1\n",
    "dash without a space at the key's indentation": "spec:\n  volumes:\n  - a\n  -b\n",
    "a key among the items": "spec:\n  containers:\n    - name: a\n    image: i\n",
    "item head a list": "spec:\n  containers:\n  - - a\n",
    "item head an explicit key": "spec:\n  containers:\n  - ? a\n    : b\n",
    "item not indented under containers": "spec:\n  containers:\n- name: a\n",
    "spec with no block": "spec:\nmetadata: {}\n",
}


#: Comments at any indentation stay with their piece: the result is the whole
#: decoding's, or the text is declined (then the whole decoding reports it).
COMMENTS = {
    "comment left of the block": "spec:\n  containers:\n  - name: a\n # c\n    image: i\n",
    "comment ends a block scalar": "spec:\n  x: |\n    a\n # c\n    b\n",
    "comment in a flow mapping": "spec:\n  x: {a: 1,\n# c\n    b: 2}\n",
}


def whole(text: str) -> Any:
    return as_decoded(load_plain(text, Location()))


def typed(value: Any) -> Any:
    """``value`` with the type of every mapping and list, and key order: what must match exactly."""
    if isinstance(value, dict):
        return (type(value).__name__, [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, value)


@pytest.mark.parametrize("text", PIECEABLE.values(), ids=PIECEABLE.keys())
def test_piecewise_equals_whole(text: str) -> None:
    decode._memo.clear()
    first = decode_rendered(text)
    assert typed(first) == typed(whole(text))
    # A second decoding comes from the memo and is just as right.
    assert typed(decode_rendered(text)) == typed(first)


#: Texts Go cannot decode into a Pod: the piece decoder leaves them to the whole text's decoding, which says where.
UNDECODABLE = {
    "a container field": "spec:\n  containers:\n  - name: a\n    ports: abc\n",
    "an env value": "spec:\n  containers:\n  - name: a\n    env:\n    - name: A\n      value: 3\n",
    "an env item": "spec:\n  containers:\n  - name: a\n    env:\n    - tty\n",
    "a spec field": "spec:\n  volumes: none\n  containers:\n  - name: a\n",
    "a metadata field": "metadata:\n  annotations:\n    a: 1\nspec:\n  containers:\n  - name: a\n",
}


@pytest.mark.parametrize("text", UNDECODABLE.values(), ids=UNDECODABLE.keys())
def test_values_go_cannot_decode_are_left_to_the_whole_decoding(text: str) -> None:
    for _ in range(2):  # and never served from the memo
        with pytest.raises(NotPieceable):
            decode_rendered(text)


@pytest.mark.parametrize("text", NOT_PIECEABLE.values(), ids=NOT_PIECEABLE.keys())
def test_unsafe_cuts_are_declined(text: str) -> None:
    with pytest.raises(NotPieceable):
        decode_rendered(text)


@pytest.mark.parametrize("text", COMMENTS.values(), ids=COMMENTS.keys())
def test_comments_never_change_the_result(text: str) -> None:
    try:
        expected = json.dumps(whole(text))
    except Exception:
        with pytest.raises(NotPieceable):
            decode_rendered(text)
    else:
        assert json.dumps(decode_rendered(text)) == expected


def test_results_share_the_memoised_pieces() -> None:
    """Pieces are handed out uncopied (read-only): the injector copies only what the merge stores."""
    first, second = decode_rendered(SIDECAR), decode_rendered(SIDECAR)
    assert first is not second and first["spec"] is not second["spec"]
    assert first["spec"]["containers"][0] is not second["spec"]["containers"][0]
    assert first["spec"]["volumes"] is second["spec"]["volumes"]
    assert first["spec"]["containers"][0]["env"][0] is second["spec"]["containers"][0]["env"][0]
    assert json.dumps(second) == json.dumps(whole(SIDECAR))


def test_only_changed_pieces_are_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    decode._memo.clear()
    decode_rendered(SIDECAR)
    pieces: list[str] = []
    real = decode._decode
    monkeypatch.setattr(decode, "_decode", lambda text: pieces.append(text) or real(text))
    other = SIDECAR.replace("fieldPath: metadata.name", "fieldPath: metadata.uid")
    assert json.dumps(decode_rendered(other)) == json.dumps(whole(other))
    assert pieces == ["- name: POD_NAME\n  valueFrom:\n    fieldRef:\n      fieldPath: metadata.uid\n"]


def test_the_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decode, "MEMO_LIMIT", 10)
    for i in range(50):
        decode_rendered(f"metadata:\n  name: n{i}\nspec:\n  x: 1\n")
        assert len(decode._memo) <= 12


def test_copies_keep_go_structs_and_share_nothing() -> None:
    from pyinject.golang.encoding_json import JSONStruct
    from pyinject.manifests.load import copy_plain

    original = {"c": [JSONStruct([("name", "a"), ("ports", [JSONStruct([("containerPort", 80)])])])]}
    copied = copy_plain(original)
    assert typed(copied) == typed(original)
    copied["c"][0]["ports"][0]["containerPort"] = 81
    assert original["c"][0]["ports"][0]["containerPort"] == 80


SKELETON_PIECES = [
    '- name: ISTIO_META_WORKLOAD_NAME\n  value: "orders-cart-0"\n',
    'metadata:\n  labels:\n    a: "x"\n    b: "15020"\n  annotations: {\n    c: "d e",\n    "quoted-key": "v",\n  }\n',
    'x: ["a", "b", 1, "c"]\n',
    'x: "a"  # "comment"\n',  # a placeholder in a comment: declined
    'x: \'say "hi"\'\n',  # quotes inside a single-quoted scalar
    'x: |\n  "block"\n',  # quotes inside a block scalar
    'x: "a\\"b"\n',  # an escape: decoded directly
    'x: "\\u00a70\\u00a7"\n',  # spells a placeholder: decoded directly
    'x: "\u00a70\u00a7"\n',  # holds the mark: decoded directly
    'x: "same"\ny: "same"\n',
    '"k": "v"\n',  # a quoted key
    'x: "a\n  b"\n',  # a double-quoted scalar over two lines
    'x: "a" "b"\n',  # invalid YAML
]


@pytest.mark.parametrize("text", SKELETON_PIECES)
def test_pieces_through_their_skeleton_equal_direct_decoding(text: str) -> None:
    from pyinject.manifests.load import load_piece

    decode._skeletons.clear()
    for variant in (text, text.replace('"a"', '"zz top"').replace('"v"', '"w"')):
        try:
            expected: Any = ("data", typed(load_piece(variant)))
        except ValueError:
            expected = ("error",)
        for _ in range(2):  # the skeleton's first use, then its reuse
            try:
                got: Any = ("data", typed(decode._decode(variant)))
            except NotPieceable:
                got = ("error",)
            assert got == expected


def test_pieces_differing_in_a_quoted_value_share_a_skeleton(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyinject.manifests import load

    decode._skeletons.clear()
    parsed: list[str] = []
    real = load.load_piece
    monkeypatch.setattr(decode, "load_piece", lambda text: parsed.append(text) or real(text))
    values = [decode._decode(f'- name: NAME\n  value: "pod-{i}"\n') for i in range(5)]
    assert values == [[{"name": "NAME", "value": f"pod-{i}"}] for i in range(5)]
    assert len(parsed) == 1
    values[0][0]["value"] = "changed"
    assert decode._decode('- name: NAME\n  value: "pod-0"\n') == [{"name": "NAME", "value": "pod-0"}]


def test_a_quoted_key_is_not_a_placeholder() -> None:
    decode._skeletons.clear()
    assert decode._from_skeleton('"k": "v"\n') is decode._OMIT


#: Texts decoded one after the other with the memo kept: each differs from the
#: one before in one small place (a character, the line break after a piece or
#: an item), so a memo hit that should have been a miss gives the wrong data.
NEIGHBOURS = [
    SIDECAR,
    SIDECAR.replace("cpu: 2000m", "cpu: 2001m"),
    SIDECAR.replace("- name: istio-init", "- name: istio-inut"),
    SIDECAR.replace("unknownField: dropped", "tty: true"),
    SIDECAR.replace("    $patch: merge\n", ""),
    SIDECAR.replace("  - name: app\n    env: []\n", "  - name: app\n    env:\n    - name: A\n"),
    "spec:\n  containers:\n  - name: a\n    args:\n    - |+\n      text\n  volumes: []\n",
    "spec:\n  containers:\n  - name: a\n    args:\n    - |+\n      text",
    "spec:\n  containers:\n  - name: a\n    args:\n    - |+\n      text\n",
    "spec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: |+\n        y\n  x: 1\n",
    "spec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: |+\n        y",
    "spec:\n  containers:\n  - name: a\n    image: |+\n      i\n  x: 1\n",
    "spec:\n  containers:\n  - name: a\n    image: |+\n      i",
    "spec:\n  containers:\n  - name: a\n  initContainers:\n  - name: a\n",
    "spec:\n  containers:\n    - name: a\n  initContainers:\n  - name: a\n",
]


def test_neighbouring_texts_never_hit_a_stale_memo() -> None:
    decode._memo.clear()
    for text in NEIGHBOURS * 2:
        assert typed(decode_rendered(text)) == typed(whole(text))


def test_a_repeated_container_item_is_not_cut_again(monkeypatch: pytest.MonkeyPatch) -> None:
    decode._memo.clear()
    first = decode_rendered(SIDECAR)
    built: list[str] = []
    real = decode._build_container

    def build(item: str, *args: Any) -> Any:
        if args[2:] != (True,):  # a list read as one item first tries its fields from the memo: not a build
            built.append(item)
        return real(item, *args)

    monkeypatch.setattr(decode, "_build_container", build)
    other = SIDECAR.replace("periodSeconds: 2", "periodSeconds: 3")
    second = decode_rendered(other)
    assert typed(second) == typed(whole(other))
    # Only the item that changed was cut; istio-init and app came whole from the memo.
    assert [item.split("\n")[0] for item in built] == ["  - name: istio-proxy"]
    # What the decoding makes for each container is still new on a hit.
    again = decode_rendered(SIDECAR)
    for one, two in zip(first["spec"]["containers"], again["spec"]["containers"]):
        assert one is not two
        assert one["resources"] is not two["resources"]
        if "env" in one:
            assert one["env"] is not two["env"] and one["env"] == two["env"]


SIMPLE_ENV = [
    "- name: OWNER\n  value: kubernetes://apis/apps/v1/namespaces/ns/deployments/web\n",
    "- name: OWNER\n  value: kubernetes://apis/apps/v1/namespaces/ns/deployments/web",
    '- name: NAME\n  value: "orders cart: #0"\n',
    '- name: EMPTY\n  value: ""\n',
    "- name: y\n  value: yes\n",  # YAML 1.1 booleans, as the loader resolves them
    "- name: PORT\n  value: 0755\n",
    "- name: F\n  value: .5\n",
    "- name: N\n  value: ~\n",
    "- name: S\n  value: $(POD_NAME)-x=1@a%b+c\n",
    "- name: C\n  value: a:b\n",
    "- name: C\n  value: a:\n",  # a key, not a scalar: decoded by the parser
    "- name: C\n  value: a # note\n",
    "- name: C\n  value: a\n    b\n",  # a plain scalar continued on the next line
    "- name: C\n  value: [a]\n",
    "- name: C\n  value: 'a'\n",
    '- name: C\n  value: "a\\tb"\n',
    "- name: C\n  value: a\n  name: D\n",
    "- name: <<\n  value: a\n",
    "- name: OWNER\n  value: a/b\n\n   \n",  # lines of spaces after the value
    '- name: NAME\n  value: "a"\n \n',
    "- name: C\n  value: a\n\n  b\n",  # a blank line, then a continuation
    "- name: C\n  value: a\n# c\n",
]


@pytest.mark.parametrize("text", SIMPLE_ENV)
def test_simple_env_items_equal_the_parser(text: str) -> None:
    from pyinject.k8s import typed_patch
    from pyinject.manifests.load import load_piece

    decode._memo.clear()
    try:
        item = load_piece(text)[0]
    except ValueError:
        expected: Any = "declined"
    else:
        # An item Go cannot decode (a value that is not a string) is left to the whole text's decoding.
        expected = typed(typed_patch.encode_patch("EnvVar", item)) if fits(item, decode.ENV_VAR) else "declined"
    try:
        got: Any = typed(decode._env_var(text, 0, False)[0])
    except NotPieceable:
        got = "declined"
    assert got == expected


def _collection_ids(value: Any) -> set[int]:
    """The ids of every dict and list reachable from ``value``."""
    found: set[int] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list, tuple)) and id(node) not in found:
            if not isinstance(node, tuple):
                found.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return found


COPIED = {**PIECEABLE, **{f"neighbour {n}": text for n, text in enumerate(NEIGHBOURS)},
          "a null and a directive in a container": SIDECAR.replace("    unknownField: dropped\n", "    command: null\n"),
          "a null at the top": "metadata:\nspec:\n  containers:\n  - name: a\n",
          "a null in spec": "spec:\n  containers:\n  - name: a\n  volumes:\n"}


@pytest.mark.parametrize("text", COPIED.values(), ids=COPIED.keys())
def test_the_copy_made_while_decoding_is_the_frozen_merge_s_and_owned(text: str) -> None:
    """take_copy gives what merging the fragment into an empty map gives, from new maps and lists only."""
    from pyinject.k8s.merge import merge_overlay

    decode._memo.clear()
    copies = []
    # A piece's first sight, its second (the recipe is written) and its third (the recipe is followed).
    for _ in range(3):
        fragment = decode_rendered(text)
        copy = decode.take_copy(fragment)
        assert copy is not None
        assert typed(copy) == typed(merge_overlay({}, fragment, frozen=True))
        assert decode.take_copy(fragment) is None  # handed out once
        assert not _collection_ids(copy) & _collection_ids(fragment)
        assert not _collection_ids(copy) & _collection_ids(list(decode._memo.values()))
        copies.append(copy)
    for n, copy in enumerate(copies):
        for other in copies[n + 1:]:
            assert not _collection_ids(copy) & _collection_ids(other)


def test_no_copy_for_a_fragment_with_a_top_level_directive() -> None:
    fragment = decode_rendered("metadata:\n  a: b\n$patch: replace\n")
    assert decode.take_copy(fragment) is None


def test_no_copy_for_a_fragment_the_decoder_did_not_make() -> None:
    fragment = decode_rendered(SIDECAR)
    assert decode.take_copy(dict(fragment)) is None
    assert decode.take_copy(fragment) is not None


def test_the_table_of_copies_stays_bounded() -> None:
    for i in range(3 * decode._COPIES_LIMIT):
        decode_rendered(f"metadata:\n  name: n{i}\n")
        assert len(decode._copies) <= decode._COPIES_LIMIT


def test_a_container_differing_only_in_env_reuses_its_other_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    decode._memo.clear()
    decode_rendered(SIDECAR)
    shapes: list[int] = []
    real = decode._container_shape
    monkeypatch.setattr(decode, "_container_shape", lambda pieces, *args: shapes.append(len(pieces)) or real(pieces, *args))
    for value in ("metadata.uid", "metadata.labels", "metadata.uid"):
        other = SIDECAR.replace("fieldPath: metadata.name", f"fieldPath: {value}")
        assert typed(decode_rendered(other)) == typed(whole(other))
    assert shapes == []  # the env changed, nothing else: the other fields came from the memo
    other = SIDECAR.replace("periodSeconds: 2", "periodSeconds: 5")
    assert typed(decode_rendered(other)) == typed(whole(other))
    assert len(shapes) == 1


#: Texts around a container's env: each differs from the one before in the text
#: before env's piece, in it, or after it (a field, a line break, an indentation),
#: so a memoised shape of the other fields that should have missed gives wrong data.
_ENV_ITEM = "  - name: a\n    image: i\n    env:\n    - name: X\n      value: y\n    tty: true\n"
ENV_NEIGHBOURS = [
    "spec:\n  containers:\n" + _ENV_ITEM,
    "spec:\n  containers:\n" + _ENV_ITEM.replace("value: y", "value: z"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("image: i", "image: j"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("tty: true", "tty: false"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    tty: true\n", ""),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    tty: true\n", "").rstrip("\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    tty: true\n", "\n    tty: true\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    - name: X\n      value: y\n", "      - name: X\n        value: y\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    - name: X\n      value: y\n", ""),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    env:\n", "    env:  \n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    env:\n", "    env: []\n").replace("    - name: X\n      value: y\n", ""),
    "spec:\n  containers:\n" + _ENV_ITEM + "    env:\n    - name: Y\n",
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    tty: true\n", "   tty: true\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    tty: true\n", "    # c\n    tty: true\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    tty: true\n", "    - name: Z\n    tty: true\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("  - name: a\n    image: i\n", "  - env:\n    - name: W\n    image: i\n"),
    "spec:\n  containers:\n  -\n    name: a\n    env:\n    - name: X\n",
    "spec:\n  containers:\n    -\n    name: a\n    env:\n    - name: X\n",
    "spec:\n  containers:\n" + _ENV_ITEM + "status:\n  x: 1\n",
    "spec:\n  containers:\n" + _ENV_ITEM + "spec:\n  x: 1\n",
    "metadata:\n  a: b\nspec:\n  containers:\n" + _ENV_ITEM + "# end\n",
    # A list read as one item: a second item after it, the same item twice, not a list at all.
    "spec:\n  containers:\n" + _ENV_ITEM + "  - name: b\n",
    "spec:\n  containers:\n" + _ENV_ITEM + _ENV_ITEM,
    "spec:\n  containers:\n" + _ENV_ITEM + " - name: b\n",
    "spec:\n  containers:\n" + _ENV_ITEM.replace("  - name: a", "  -  name: a"),
    "spec:\n  containers:\n    name: a\n    env:\n    - name: X\n",
    "spec:\n  containers:\n  -name: a\n    env:\n    - name: X\n",
    # env's items and its end found in one scan: comments, deeper lists, lines between.
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    env:\n", "    env:\n    # c\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    env:\n", "    env:\n      # c\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("      value: y\n", "      value: y\n     z: 1\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("      value: y\n", "      value: y\n   z: 1\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    - name: X\n      value: y\n", "      name: X\n"),
    "spec:\n  containers:\n" + _ENV_ITEM.replace("    - name: X\n      value: y\n", "      - name: X\n    - name: Y\n"),
]


def test_neighbours_around_env_never_hit_a_stale_memo() -> None:
    decode._memo.clear()
    for text in ENV_NEIGHBOURS * 2:
        try:
            expected: Any = typed(whole(text))
        except Exception:  # noqa: BLE001 - not YAML, or not a pod: the piecewise decoding must decline
            expected = "declined"
        try:
            got: Any = typed(decode_rendered(text))
        except NotPieceable:
            got = "declined"
        if got != "declined":
            assert got == expected, text

