"""pyinject.records.dataclass behaves as dataclasses.dataclass on the options it takes over."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from pyinject import records


def _pair(**options: Any) -> list[type]:
    """The same class body under the standard decorator and under ours."""
    made = []
    for decorate in (dataclasses.dataclass, records.dataclass):

        class Sample:
            name: str
            count: int = 3
            tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)
            seen: list[str] = dataclasses.field(default_factory=list, compare=False, hash=False)
            note: str = dataclasses.field(default="n", compare=False, repr=False)
            hidden: int = dataclasses.field(default=7, init=False)

        made.append(decorate(**options)(Sample))
    return made


OPTIONS = [{}, {"frozen": True}, {"eq": False}, {"frozen": True, "eq": False}, {"repr": False}]
IDS = ["plain", "frozen", "no-eq", "frozen-no-eq", "no-repr"]

CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("a",), {}),
    (("a", 5, ("x",), [], "m"), {}),
    ((), {"name": "b", "tags": ("t",)}),
    (("a",), {"count": 1, "note": "z"}),
]

BAD_CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((), {}),
    (("a", 1, (), [], "n", "extra"), {}),
    (("a",), {"name": "again"}),
    (("a",), {"hidden": 1}),
    (("a",), {"nope": 1}),
]


@pytest.mark.parametrize("options", OPTIONS, ids=IDS)
@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_instances_match_the_standard_decorator(options: dict[str, Any], args: tuple[Any, ...],
                                                kwargs: dict[str, Any]) -> None:
    std_cls, ours_cls = _pair(**options)
    std, ours = std_cls(*args, **kwargs), ours_cls(*args, **kwargs)
    assert vars(ours) == vars(std)
    if options.get("repr", True):
        assert repr(ours) == repr(std)
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(std)]
    assert dataclasses.asdict(ours) == dataclasses.asdict(std)
    assert dataclasses.is_dataclass(ours)
    again = ours_cls(*args, **kwargs)
    assert (ours == again) == (std == std_cls(*args, **kwargs))
    assert (ours == ours_cls("other")) == (std == std_cls("other"))
    assert (ours_cls.__hash__ is None) == (std_cls.__hash__ is None)
    if std_cls.__hash__ is not None and options.get("eq", True):
        assert hash(ours) == hash(again)


@pytest.mark.parametrize("options", OPTIONS, ids=IDS)
@pytest.mark.parametrize(("args", "kwargs"), BAD_CALLS)
def test_wrong_arguments_fail_as_with_the_standard_decorator(options: dict[str, Any], args: tuple[Any, ...],
                                                             kwargs: dict[str, Any]) -> None:
    std_cls, ours_cls = _pair(**options)
    with pytest.raises(TypeError):
        std_cls(*args, **kwargs)
    with pytest.raises(TypeError):
        ours_cls(*args, **kwargs)


def test_compare_false_fields_are_left_out_of_equality_and_hash() -> None:
    _, cls = _pair(frozen=True)
    assert cls("a", note="x") == cls("a", note="y")
    assert hash(cls("a", note="x")) == hash(cls("a", note="y"))
    assert cls("a") != cls("a", count=4)


def test_frozen_instances_refuse_assignment_and_deletion() -> None:
    _, cls = _pair(frozen=True)
    obj = cls("a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.name = "b"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del obj.count
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.anything_else = 1
    changed = dataclasses.replace(obj, count=9)
    assert (changed.name, changed.count, obj.count) == ("a", 9, 3)


def test_mutable_instances_take_assignment_and_are_unhashable() -> None:
    _, cls = _pair()
    obj = cls("a")
    obj.count = 4
    assert obj.count == 4
    with pytest.raises(TypeError):
        hash(obj)


def test_factories_give_each_instance_its_own_value() -> None:
    _, cls = _pair()
    first, second = cls("a"), cls("b")
    first.seen.append("x")
    assert second.seen == []


def test_explicit_methods_are_kept() -> None:
    @records.dataclass(frozen=True)
    class Kept:
        value: int

        def __repr__(self) -> str:
            return "kept"

        def __hash__(self) -> int:
            return 42

    assert repr(Kept(1)) == "kept"
    assert hash(Kept(1)) == 42
    assert Kept(1) == Kept(1)


def test_an_own_setattr_sees_every_field_however_the_record_is_made() -> None:
    """Fields of a class with its own __setattr__ are assigned through it, not stored behind its back."""
    seen: list[str] = []

    @records.dataclass
    class Watched:
        name: str
        count: int = 1
        tags: list[str] = records.field(default_factory=list)

        def __setattr__(self, key: str, value: Any) -> None:
            seen.append(key)
            super().__setattr__(key, value)

    for make in (lambda: Watched("a"), lambda: Watched(name="a"), lambda: Watched("a", 2, []),
                 lambda: Watched(count=2, name="a")):
        made = make()
        assert (made.name, made.tags) == ("a", [])
        assert sorted(seen) == ["count", "name", "tags"]
        seen.clear()


def test_a_subclass_property_over_a_field_still_runs() -> None:
    """An instance of a subclass that turns a field into a property is set through the property."""

    @records.dataclass
    class Base:
        name: str
        count: int = 1

    class Shouting(Base):
        @property
        def name(self) -> str:  # type: ignore[override]
            return self._name

        @name.setter
        def name(self, value: str) -> None:
            self._name = value.upper()

    assert Shouting(name="quiet").name == "QUIET"
    assert Shouting("quiet", 2).name == "QUIET"


def test_post_init_runs_after_the_fields_are_set() -> None:
    seen = []

    @records.dataclass
    class Checked:
        value: int

        def __post_init__(self) -> None:
            seen.append(self.value)

    Checked(5)
    assert seen == [5]


def test_subclasses_add_their_fields_after_the_base_ones() -> None:
    @records.dataclass(frozen=True)
    class Base:
        a: int

    @records.dataclass(frozen=True)
    class Child(Base):
        b: int = 2

    child = Child(1)
    assert (child.a, child.b) == (1, 2)
    assert child != Base(1)
    assert repr(child).endswith("Child(a=1, b=2)")


def test_options_it_does_not_reproduce_go_to_the_standard_decorator() -> None:
    @records.dataclass(frozen=True, slots=True)
    class Slotted:
        value: int

    assert Slotted.__slots__ == ("value",)
    assert Slotted(1) == Slotted(1)


def test_recursive_repr_does_not_loop() -> None:
    @records.dataclass
    class Node:
        items: list[Any]

    node = Node([])
    node.items.append(node)
    assert repr(node).endswith("Node(items=[...])")


def test_pickles_round_trip() -> None:
    assert pickle.loads(pickle.dumps(Point(1, 2))) == Point(1, 2)


@records.dataclass(frozen=True)
class Point:
    x: int
    y: int


def test_undocumented_classes_get_the_signature_as_their_docstring() -> None:
    @records.dataclass
    class Bare:
        a: int
        b: str = "x"

    assert Bare.__doc__ == "Bare(a: int, b: str = 'x')"


def test_records_neither_load_nor_need_dataclasses_until_asked() -> None:
    code = ("from __future__ import annotations\n"
            "import sys\n"
            "from pyinject import records\n"
            "@records.dataclass(frozen=True)\n"
            "class A:\n"
            "    x: int\n"
            "    y: tuple[int, ...] = records.field(default_factory=tuple)\n"
            "a = records.replace(A(1), x=2)\n"
            "print([f.name for f in records.fields(a)], a, 'dataclasses' in sys.modules)\n"
            "import dataclasses\n"
            "print([f.name for f in dataclasses.fields(a)], dataclasses.asdict(a), dataclasses.replace(a, x=3))\n")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["['x', 'y'] A(x=2, y=()) False", "['x', 'y'] {'x': 2, 'y': ()} A(x=3, y=())"]


def test_fields_and_replace_match_the_standard_functions() -> None:
    std_cls, ours_cls = _pair(frozen=True)
    assert [f.name for f in records.fields(ours_cls)] == [f.name for f in dataclasses.fields(std_cls)]
    ours = records.replace(ours_cls("a", 5), note="z")
    assert vars(ours) == vars(dataclasses.replace(std_cls("a", 5), note="z"))
    with pytest.raises(ValueError):
        records.replace(ours, hidden=1)
    with pytest.raises(TypeError):
        records.replace(ours, nope=1)


def test_slots_without_frozen_are_made_here() -> None:
    @records.dataclass(eq=False, slots=True)
    class Slotted:
        a: int
        b: list[int] = dataclasses.field(default_factory=list)
        c: str = "c"

    one = Slotted(1)
    assert Slotted.__slots__ == ("a", "b", "c")
    assert (one.a, one.b, one.c) == (1, [], "c")
    assert not hasattr(one, "__dict__")
    assert repr(Slotted(2, [3], "d")) == repr(Slotted(a=2, b=[3], c="d"))
    assert [f.name for f in dataclasses.fields(one)] == ["a", "b", "c"]


def test_a_default_before_a_field_without_one_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @records.dataclass
        class Wrong:
            a: int = 1
            b: int  # type: ignore[misc]


def _slotted_subclass(decorate: Any) -> Any:
    @decorate(eq=False, slots=True)
    class Base:
        pos: int

    @decorate(eq=False, slots=True)
    class Derived(Base):
        items: list[int] = dataclasses.field(default_factory=list)

    return Derived


def test_slots_a_base_has_are_not_declared_again() -> None:
    derived = _slotted_subclass(records.dataclass)
    assert derived.__slots__ == _slotted_subclass(dataclasses.dataclass).__slots__ == ("items",)
    one = derived(3)
    assert (one.pos, one.items) == (3, [])
    assert not hasattr(one, "__dict__")
    assert repr(one) == "_slotted_subclass.<locals>.Derived(pos=3, items=[])"
