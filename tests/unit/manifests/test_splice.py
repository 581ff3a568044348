"""The splicing writer: the change is applied, and nothing else in the text moves.

Manifests here are written for these tests.  Besides the hand-written cases,
seeded random mutations (set, delete, insert, retype) check two properties:
the output reads back as the new data, and every original line outside the
changed nodes is still there, in order.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import pytest

from pyinject.errors import Location
from pyinject.golang.values import data_equal
from pyinject.manifests.splice import CannotSplice, match_items, splice
from pyinject.manifests.emit import Layout
from pyinject.manifests.load import load_plain
from pyinject.manifests.nodes import ComposeError, Node, compose

LOC = Location(file="t.yaml")

DEPLOY = """\
# shop front end
apiVersion: apps/v1
kind: Deployment
metadata:
  name: front   # the public one
  labels: &labels
    app: front
    tier: "web"
spec:
  replicas: 3
  selector:
    matchLabels: *labels
  strategy: {type: RollingUpdate}
  template:
    metadata:
      labels: *labels
      annotations:
        note: 'keep me'
    spec:
      containers:
      # main
      - name: front
        image: "shop/front:1.2"
        args: ['--port', '8080', yes]
        ports:
        - containerPort: 8080
          name: http
        env:
        - name: MODE
          value: |
            fast
            safe
      - name: cache
        image: redis:7
      volumes:
      - name: data
        emptyDir: {}

      dnsPolicy: ClusterFirst
"""


def load(text: str) -> Any:
    return load_plain(text, LOC)


def apply(text: str, change: Callable[[Any], None], layout: Layout | None = None) -> tuple[str, Any]:
    original = load(text)
    new = copy.deepcopy(original)
    change(new)
    return splice(text, original, new, layout), new


def pod(d: Any) -> Any:
    return d["spec"]["template"]["spec"]


def assert_kept(original: str, out: str, dropped: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Every original line (but ``dropped``) is in the output, in the same order."""
    lines = iter(out.splitlines())
    for line in original.splitlines():
        if line in dropped:
            continue
        assert any(line == candidate for candidate in lines), f"lost or moved: {line!r}"


CHANGES: dict[str, tuple[Callable[[Any], None], set[str]]] = {
    "nothing": (lambda d: None, set()),
    "replace a scalar": (lambda d: d["spec"].update(replicas=5), {"  replicas: 3"}),
    "replace a quoted scalar": (lambda d: pod(d)["containers"][0].update(image="shop/front:1.3"),
                                {'        image: "shop/front:1.2"'}),
    "add a key to a nested mapping": (lambda d: d["spec"]["template"]["metadata"]["annotations"].update(x="y"), set()),
    "add a container": (lambda d: pod(d)["containers"].append({"name": "istio-proxy", "image": "proxyv2"}), set()),
    "prepend a volume": (lambda d: pod(d)["volumes"].insert(0, {"name": "istio-envoy", "emptyDir": {}}), set()),
    "insert a container in the middle": (lambda d: pod(d)["containers"].insert(1, {"name": "mid"}), set()),
    "remove a container": (lambda d: pod(d)["containers"].pop(1), {"      - name: cache", "        image: redis:7"}),
    "remove a key": (lambda d: d["spec"].pop("strategy"), {"  strategy: {type: RollingUpdate}"}),
    "change a flow mapping": (lambda d: d["spec"]["strategy"].update(extra=1), {"  strategy: {type: RollingUpdate}"}),
    "change a flow sequence": (lambda d: pod(d)["containers"][0]["args"].append("-v"),
                               {"        args: ['--port', '8080', yes]"}),
    "change a block scalar": (lambda d: pod(d)["containers"][0]["env"][0].update(value="slow\n"),
                              {"          value: |", "            fast", "            safe"}),
    "scalar becomes a mapping": (lambda d: d["spec"].update(replicas={"min": 1}), {"  replicas: 3"}),
    "mapping becomes empty": (lambda d: d["spec"]["template"]["metadata"].update(annotations={}),
                              {"      annotations:", "        note: 'keep me'"}),
    "empty flow mapping fills": (lambda d: pod(d)["volumes"][0].update(emptyDir={"medium": "Memory"}),
                                 {"        emptyDir: {}"}),
    "add a key to the last mapping": (lambda d: pod(d).update(hostNetwork=False), set()),
    "add top-level status": (lambda d: d.update(status={}), set()),
}


@pytest.mark.parametrize("change,dropped", CHANGES.values(), ids=CHANGES.keys())
def test_change_is_applied_and_the_rest_kept(change: Callable[[Any], None], dropped: set[str]) -> None:
    out, new = apply(DEPLOY, change)
    assert data_equal(load(out), new)
    assert_kept(DEPLOY, out, dropped)


def test_nothing_changed_is_the_same_text() -> None:
    assert apply(DEPLOY, lambda d: None)[0] == DEPLOY


def test_alias_edited_at_its_use_keeps_the_anchor_and_other_uses() -> None:
    # Loaded data shares aliased objects; injection works on copies, so does this.
    out, new = apply(DEPLOY, lambda d: d["spec"]["template"]["metadata"].update(
        labels=dict(d["metadata"]["labels"], sidecar="istio")))
    data = load(out)
    assert data_equal(data, new)
    assert data["spec"]["selector"]["matchLabels"] == {"app": "front", "tier": "web"}
    assert "    matchLabels: *labels\n" in out and "  labels: &labels\n" in out


def test_changed_anchor_moves_to_its_first_unchanged_alias() -> None:
    out, new = apply(DEPLOY, lambda d: d["metadata"].update(labels=dict(d["metadata"]["labels"], owner="team-a")))
    data = load(out)
    assert data_equal(data, new)
    assert data["spec"]["selector"]["matchLabels"] == {"app": "front", "tier": "web"}
    assert "matchLabels: &labels" in out and "labels: *labels" in out


def test_new_metadata_goes_before_spec() -> None:
    text = "kind: Pod\nspec:\n  containers: []\n"
    out, _ = apply(text, lambda d: d.update(metadata={"name": "p"}))
    assert out == "kind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n"


LAYOUTS = {
    "kubectl style": ("a:\n  b:\n  - x\n", Layout(2, 0), "a:\n  b:\n  - x\n  c:\n  - z\n"),
    "indented sequences": ("a:\n  b:\n    - x\n", Layout(2, 2), "a:\n  b:\n    - x\n  c:\n    - z\n"),
    "four spaces": ("a:\n    b:\n    - x\n", Layout(4, 0), "a:\n    b:\n    - x\n    c:\n    - z\n"),
}


@pytest.mark.parametrize("text,layout,expected", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_new_blocks_follow_the_document_indentation(text: str, layout: Layout, expected: str) -> None:
    assert apply(text, lambda d: d["a"].update(c=["z"]), layout)[0] == expected


def test_crlf_lines_stay_crlf() -> None:
    text = "kind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n  - name: a\r\n"
    out, new = apply(text, lambda d: (d["metadata"].update(labels={"a": "b"}), d["spec"]["containers"].append({"name": "b"})))
    assert data_equal(load(out), new)
    assert "\n" not in out.replace("\r\n", "")


def test_document_without_final_newline() -> None:
    out, new = apply("kind: Pod\nspec:\n  a: 1", lambda d: d["spec"].update(b=2))
    assert out == "kind: Pod\nspec:\n  a: 1\n  b: 2\n" and data_equal(load(out), new)


def test_separator_and_directives_are_kept() -> None:
    text = "%YAML 1.1\n--- # first\nkind: Pod\nspec: {}\n...\n"
    out, new = apply(text, lambda d: d["spec"].update(a=1))
    assert out.startswith("%YAML 1.1\n--- # first\n") and out.endswith("...\n") and data_equal(load(out), new)


FIRST_KEYS = {
    "first goes": (["image"], "items:\n- tag: a\n  pull: always\n- name: b\n"),
    "first two go": (["image", "tag"], "items:\n- pull: always\n- name: b\n"),
    "all go, one added": (["image", "tag", "pull"], "items:\n- \n  new: 1\n- name: b\n"),
}


@pytest.mark.parametrize("drop,expected", FIRST_KEYS.values(), ids=FIRST_KEYS.keys())
def test_first_keys_of_a_list_item_can_go(drop: list[str], expected: str) -> None:
    text = "items:\n- image: x\n  tag: a\n  pull: always\n- name: b\n"

    def change(d: Any) -> None:
        for key in drop:
            del d["items"][0][key]
        if len(drop) == 3:
            d["items"][0]["new"] = 1

    out, new = apply(text, change)
    assert out == expected and data_equal(load(out), new)


def test_reordered_list_is_rewritten_whole() -> None:
    text = "c:\n- name: a\n- name: b  # second\n"
    out, new = apply(text, lambda d: d["c"].reverse())
    assert data_equal(load(out), new)


@pytest.mark.parametrize("text", ["a: 1\nb: 2\na: 3\n", "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n"],
                         ids=["duplicate keys", "merge key"])
def test_mappings_that_do_not_line_up_are_rewritten_whole(text: str) -> None:
    target = "a" if "a:" in text else "m"
    out, new = apply(text, lambda d: d.update({target: {"z": True}}) if target == "a" else d["m"].update(z=True))
    assert data_equal(load(out), new)


def test_json_document_becomes_block_yaml_when_changed() -> None:
    text = '{\n  "kind": "Pod",\n  "spec": {"containers": []}\n}\n'
    out, new = apply(text, lambda d: d["spec"]["containers"].append({"name": "a"}))
    assert data_equal(load(out), new) and "kind: Pod" in out


def test_comments_next_to_changes_survive() -> None:
    text = "spec:\n  # about a\n  a: 1  # one\n  # about b\n  b: 2\n"
    out, _ = apply(text, lambda d: d["spec"].update(a=9, c=3))
    assert out == "spec:\n  # about a\n  a: 9  # one\n  # about b\n  b: 2\n  c: 3\n"


COMMENTED = {
    "scalar becomes a block": ({"a": "two\nlines\n"}, "spec:\n  a: |  # one\n    two\n    lines\n  b: 2\n"),
    "scalar becomes a mapping": ({"a": {"x": 1}}, "spec:\n  a:  # one\n    x: 1\n  b: 2\n"),
}


@pytest.mark.parametrize("change,expected", COMMENTED.values(), ids=COMMENTED.keys())
def test_comment_after_a_value_stays_a_comment(change: dict[str, Any], expected: str) -> None:
    text = "spec:\n  a: 1  # one\n  b: 2\n"
    out, new = apply(text, lambda d: d["spec"].update(change))
    assert out == expected and data_equal(load(out), new)


def test_compose_reports_positions() -> None:
    root, refs = compose("a: &x [1, 2]\nb: *x\n")
    assert root is not None and root.kind == "map"
    a_value, b_value = root.children[1], root.children[3]
    assert (a_value.kind, a_value.flow, a_value.anchor) == ("seq", True, "x")
    assert b_value.kind == "alias" and b_value.target is a_value and refs[id(a_value)] == [b_value]
    assert b_value.parent is root and b_value.key is root.children[2] and root.children[2].value == "b"


def test_an_alias_knows_where_it_sits_in_a_list() -> None:
    root, _ = compose("a: &x 1\nl:\n- 2\n- *x\n")
    assert root is not None
    alias = root.children[3].children[1]
    assert alias.kind == "alias" and alias.parent is root.children[3] and alias.key is None


def _tree(root: Node | None) -> Any:
    """A node tree as comparable plain data (positions, styles, anchors, shape)."""
    if root is None:
        return None
    return (root.kind, root.start, root.end, root.flow, root.style, root.value, root.anchor,
            root.target.start if root.target else None, root.key.start if root.key else None,
            [_tree(child) for child in root.children])


def _composed_fresh(text: str) -> Any:
    from pyinject.manifests import nodes

    kept, nodes._KEPT = nodes._KEPT, None
    try:
        root, refs = compose(text)
    finally:
        nodes._KEPT = kept
    return _tree(root), sorted(len(aliases) for aliases in refs.values())


@pytest.mark.parametrize("text", [
    DEPLOY, "a: &x [1, 2]\nb: *x\nc: {d: 'e'}\nf: |\n  g\n", "- 1\n- x: [a]\n",
    # Without aliases the kept tree is made on demand: every shape, at every depth.
    DEPLOY.replace("*", "").replace("&labels", ""), "a: &x [1, {b: [c, {}], d: []}]\ne: {f: &y g}\nh:\n- - i\n  - j: k\n",
    "just a scalar\n", "--- &a 'x'\n", "--- \n", "[]\n", "a:\n  b:\n    c:\n      d: >\n        e\n\n",
])
def test_the_loader_builds_the_tree_compose_would(text: str) -> None:
    """Reading a document with its nodes kept gives the writer the same tree a parse of its own would."""
    own = _composed_fresh(text)
    data = load_plain(text, LOC, keep_nodes=True)
    root, refs = compose(text)
    assert (_tree(root), sorted(len(aliases) for aliases in refs.values())) == own
    assert compose(text)[0] is root  # kept, not parsed again
    assert data == load_plain(text, LOC)


def test_a_kept_tree_serves_only_its_own_text() -> None:
    load_plain("a: 1\n", LOC, keep_nodes=True)
    root, _ = compose("a: 22\n")
    assert root is not None and root.children[1].value == "22" and root.children[1].end == 5
    # A document the fast reader leaves to the full loader keeps no tree; the last one stays for its text only.
    load_plain("a: !!str 1\n", LOC, keep_nodes=True)
    tagged, _ = compose("a: !!str 1\n")
    assert tagged is not None and tagged.children[1].value == "1"


@pytest.mark.parametrize("text", [DEPLOY, DEPLOY.replace("*labels", "{app: front}").replace("&labels", "")])
def test_splicing_a_document_read_with_its_nodes(text: str) -> None:
    """The tree the loader kept (built whole with aliases, on demand without) splices as a fresh parse's does."""
    data = load_plain(text, LOC, keep_nodes=True)
    new = copy.deepcopy(data)
    new["spec"]["replicas"] = 4
    new["metadata"]["labels"]["extra"] = "x"
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "web:2"
    out = splice(text, data, new, read_back=load)
    from pyinject.manifests import nodes

    kept, nodes._KEPT = nodes._KEPT, None
    try:
        assert splice(text, data, new, read_back=load) == out  # composed afresh
    finally:
        nodes._KEPT = kept
    assert data_equal(load(out), new) and "replicas: 4" in out and "# the public one" in out


def test_unparsable_text_cannot_be_spliced() -> None:
    with pytest.raises(ComposeError):
        compose("a: *missing\n")
    with pytest.raises(CannotSplice):
        splice("a: *missing\n", {"a": 1}, {"a": 2})


MATCHES = {
    "by name": ([{"name": "a"}, {"name": "b"}], [{"name": "x"}, {"name": "b"}, {"name": "a"}], [None, 1, 0]),
    "by mountPath": ([{"mountPath": "/a"}], [{"mountPath": "/b"}, {"mountPath": "/a", "x": 1}], [None, 0]),
    "scalars by position": (["a", "b"], ["a", "c"], [0, 1]),
    "bool is not int": ([1], [True], [0]),
}


@pytest.mark.parametrize("old,new,expected", MATCHES.values(), ids=MATCHES.keys())
def test_match_items(old: list[Any], new: list[Any], expected: list[int | None]) -> None:
    assert match_items(old, new) == expected


def test_same_keeps_bool_and_int_apart() -> None:
    assert not data_equal({"a": 1}, {"a": True}) and data_equal({"a": [1.0]}, {"a": [1]}) and data_equal(float("nan"), float("nan"))


# --------------------------------------------------------------------------
# Seeded random mutations.
# --------------------------------------------------------------------------

SAMPLES = {
    "deployment": DEPLOY,
    "indented": "kind: Pod\nspec:\n    containers:\n        - name: a\n          ports:\n            - containerPort: 80\n",
    "flow heavy": "a: {b: [1, 2, {c: d}], e: 'f'}\ng: [h, i]\nj:\n- {k: l}\n- [m, n]\n",
    "anchors": "x: &x {a: 1}\ny: &y\n  - *x\n  - b\nz: *y\nw:\n  q: *x\n",
    "scalars": "s: 'single'\nd: \"double\"\np: plain text\nl: |\n  lit\n  eral\nf: >\n  folded\n  text\nn:\ne: ''\n",
}

VALUES: list[Any] = ["yes", "0755", "=", "1:30", "15001", "a: b", "#x", "x #y", "multi\nline\n", "no end\nnl", "",
                     " lead", "trail ", "é€", "it's", 'say "hi"', "- x", "{a}", "[b]", "null", "~", "2020-01-01",
                     "0o17", "--flag", "tab\there", 1, -3, 1.5, True, False, None, {}, [], {"k": "v", "n": [1, "two"]},
                     [{"name": "c", "image": "i:1"}, "x"], [[1, 2], {"a": {}}]]


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += paths(value, prefix + (i,))
    return out


def mutate(data: Any, rng: random.Random) -> None:
    path = rng.choice(paths(data))
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    target = parent[path[-1]] if path else data
    value = copy.deepcopy(rng.choice(VALUES))
    op = rng.choice(["set", "set", "delete", "insert", "insert"])
    if isinstance(target, dict) and op == "insert":
        target[f"new{rng.randrange(100)}"] = value
    elif isinstance(target, list) and op == "insert":
        target.insert(rng.randrange(len(target) + 1), value)
    elif op == "delete" and path:
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    elif path:
        parent[path[-1]] = value


@pytest.mark.parametrize("seed", range(60), ids=lambda s: f"seed-{s}")
@pytest.mark.parametrize("sample", SAMPLES.values(), ids=SAMPLES.keys())
def test_random_mutations_read_back_as_the_new_data(sample: str, seed: int) -> None:
    rng = random.Random(seed)
    original = load(sample)
    new = copy.deepcopy(original)
    for _ in range(rng.choice([1, 1, 2, 3])):
        mutate(new, rng)
    try:
        out = splice(sample, original, new)
    except CannotSplice:
        return  # the writer falls back to its round trip; test_write covers that
    assert data_equal(load(out), new), out


@pytest.mark.parametrize("seed", range(40), ids=lambda s: f"seed-{s}")
def test_random_additions_keep_every_original_line(seed: int) -> None:
    rng = random.Random(seed)
    original = load(DEPLOY)
    new = copy.deepcopy(original)
    containers = pod(new)["containers"]
    containers.insert(rng.randrange(len(containers) + 1), {"name": "istio-proxy", "args": rng.sample(VALUES[:25], 5)})
    maps = [p for p in paths(new) if isinstance(_at(new, p), dict) and _at(new, p) and not _in_flow(p)]
    _at(new, rng.choice(maps))[f"added{seed}"] = copy.deepcopy(rng.choice(VALUES))
    out = splice(DEPLOY, original, new)
    assert data_equal(load(out), new)
    assert_kept(DEPLOY, out)


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def _in_flow(path: tuple[Any, ...]) -> bool:
    # Flow collections are rewritten whole when they change (their line goes),
    # and so are anchored labels (the anchor moves to an alias).
    return bool({"strategy", "args", "emptyDir", "labels", "matchLabels"} & set(path))


def test_nodes_are_plain_records() -> None:
    node = Node("scalar", 0, 1, value="a")
    assert node.children == [] and node.target is None


@pytest.mark.parametrize(("text", "values"), [
    ("x\n", ["x"]), ("&a 'x'\n", ["x"]), ("- a\n- {b: c}\n", ["a", "b", "c"]), ("a: [1, 2]\nb: |\n  c\n", ["a", "1", "2", "b", "c\n"]),
])
def test_built_scalars_read_as_any_node(text: str, values: list[str]) -> None:
    """Scalars keep what they all share on their class: read, they are nodes like any other."""
    from yaml import parse

    from pyinject.manifests.nodes import NodeBuilder

    builder = NodeBuilder()
    assert builder.root is None
    for event in parse(text):
        builder.add(event)
    scalars: list[Node] = []
    todo = [builder.root]
    while todo:
        node = todo.pop(0)
        assert isinstance(node, Node)
        if node.kind == "scalar":
            scalars.append(node)
        todo.extend(node.children)
    assert sorted((node.value for node in scalars), key=text.index) == values
    assert all(node.children == [] and not node.flow and node.target is node.parent is node.key is None
               and node.value.strip() in text[node.start:node.end] for node in scalars)


@pytest.mark.parametrize(("text", "expected"), [
    ("spec:\n  a : 1\n  b: 2\n", "spec:\n  a : 1\n  b: 3\n"),  # blanks before a colon: entries still line up
    ("spec:\n  a:\t1\n  b: 2\n", "spec:\n  a:\t1\n  b: 3\n"),
    ("spec:\n  ? a\n  : 1\n  b: 2\n", "spec:\n  a: 1\n  b: 3\n"),  # an explicit key has no colon after it: rewritten whole
])
def test_keys_find_their_colon_wherever_it_stands(text: str, expected: str) -> None:
    out, new = apply(text, lambda d: d["spec"].update(b=3))
    assert out == expected and data_equal(load(out), new)


def test_a_change_that_only_removes_or_only_renames_keys_is_written() -> None:
    text = "spec:\n  a: 1\n  b: 2\n  c: 3\n"
    out, _ = apply(text, lambda d: d["spec"].pop("b"))
    assert out == "spec:\n  a: 1\n  c: 3\n"
    # As many keys as before, one of them new: the new one is added, the old one removed.
    out, new = apply(text, lambda d: (d["spec"].pop("b"), d["spec"].update(d=4)))
    assert out == "spec:\n  a: 1\n  c: 3\n  d: 4\n" and data_equal(load(out), new)


@pytest.mark.parametrize(("a", "b", "equal"), [
    (1, 1.0, True), (1, True, False), (0, False, False), ("1", 1, False), (None, "null", False),
    (float("nan"), float("nan"), True), ({"a": 1}, {"a": 1.0}, True), ({"a": 1}, {"a": True}, False),
    ({"a": [1]}, {"a": (1,)}, False), ({"a": 1}, {"b": 1}, False), ({"a": {"b": "x"}}, {"a": {"b": "x"}}, True),
    ({"a": {"b": "x"}}, {"a": {"b": "y"}}, False), (["x", "y"], ["x"], False),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True), ([{"a": "x"}], [{"a": "x", "b": None}], False),
])
def test_data_equal_says_the_same_of_shared_and_copied_parts(a: Any, b: Any, equal: bool) -> None:
    """The writer compares a document with its rewrite, which share parts: sharing never changes the verdict
    (and a decoded Go struct is not a plain map)."""
    import copy

    from pyinject.golang.encoding_json import JSONStruct

    pairs = [((a, b), equal), ((b, a), equal), ((a, a), True), (({"k": a}, {"k": b}), equal), (([a], [b]), equal),
             (({"k": a}, JSONStruct({"k": a})), False)]
    for (x, y), want in pairs:
        assert data_equal(x, y) == want, (x, y)
        assert data_equal(x, y) == data_equal(copy.deepcopy(x), copy.deepcopy(y)), (x, y)
