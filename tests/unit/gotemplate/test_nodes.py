"""The parse-tree node classes write their own ``__init__``: it must take exactly their fields."""

from __future__ import annotations

import inspect

import pytest

from pyinject.gotemplate import nodes
from pyinject.records import MISSING, fields

NODE_CLASSES = sorted(
    (c for c in vars(nodes).values() if isinstance(c, type) and issubclass(c, nodes.Node)), key=lambda c: c.__name__
)


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_init_takes_the_fields_in_order_with_their_defaults(cls: type[nodes.Node]) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in fields(cls)]
    for p, f in zip(params, fields(cls)):
        if f.default is not MISSING:
            assert p.default == f.default, p.name
        elif f.default_factory is not MISSING:
            assert p.default is None, p.name  # None stands for a fresh list
        else:
            assert p.default is p.empty, p.name
    assert not hasattr(cls(0), "__dict__")


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_every_field_is_set_and_omitted_lists_are_fresh(cls: type[nodes.Node]) -> None:
    one, two = cls(7), cls(7)
    for f in fields(cls):
        value = getattr(one, f.name)
        if f.default_factory is not MISSING:
            assert value == [] and value is not getattr(two, f.name)
        elif f.default is not MISSING:
            assert value == f.default
    assert one.pos == 7
    assert repr(one).startswith(f"{cls.__name__}(pos=7")


def test_given_values_are_kept() -> None:
    ident = ["a", "b"]
    node = nodes.FieldNode(3, ident)
    assert node.ident is ident and str(node) == ".a.b"
    pipe = nodes.PipeNode(1, 2, cmds=[nodes.CommandNode(1, [node])])
    assert (pipe.line, pipe.is_assign, pipe.decl, str(pipe)) == (2, False, [], ".a.b")
    branch = nodes.IfNode(0, 1, pipe, nodes.ListNode(5, [nodes.TextNode(5, "x")]))
    assert str(branch) == "{{if .a.b}}x{{end}}"
