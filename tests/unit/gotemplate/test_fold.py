"""Run-constant folding (pyinject/gotemplate/fold.py): pipelines over constant data run once, exactly.

Each test renders twice or more in one process and checks what a stale or
wrong fold would get wrong: the second render must give what an engine
without folding gives.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import pytest

from pyinject.golang.values import GoFuncError, GoObject
from pyinject.gotemplate import Template, parse
from pyinject.gotemplate.errors import GoTemplateExecError
from pyinject.gotemplate.fold import Effects


class Data(GoObject):
    """Template data whose fields named in ``constants`` are run-constant; the token is their objects."""

    __slots__ = ("fields", "constants")

    def __init__(self, fields: Mapping[str, Any], constants: tuple[str, ...] = ("Values",)) -> None:
        self.fields = dict(fields)
        self.constants = constants

    def go_type(self) -> str:
        return "main.Data"

    def go_field(self, name: str) -> Any:
        if name in self.fields:
            return self.fields[name]
        raise KeyError(name)

    def go_run_constants(self) -> tuple[frozenset[str], tuple[Any, ...]]:
        return frozenset(self.constants), tuple(self.fields.get(n) for n in self.constants)


class Counter:
    """A pure template function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, s: str) -> str:
        self.calls += 1
        return s.upper()


def _set(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    d[key] = value
    return d


def _boom(s: str) -> str:
    raise GoFuncError(f"no good: {s}")


def template(text: str, **funcs: Callable[..., Any]) -> tuple[Template, Counter]:
    """``text`` parsed with ``up`` (pure, counted), ``boom`` (pure, fails) and ``set`` (changing)."""
    up = Counter()
    table: dict[str, Callable[..., Any]] = {"up": up, "boom": _boom, "set": _set, **funcs}
    return parse(text, "t", table, effects=Effects(pure=["up", "boom"], changing=["set"])), up


def unfolded(text: str, data: Data) -> str:
    """What the engine gives without folding: the same data as a plain map."""
    plain = parse(text, "t", {"up": Counter(), "boom": _boom, "set": _set})
    return plain.execute(dict(data.fields))


def test_a_constant_pipeline_runs_once_per_token() -> None:
    t, up = template("{{ up .Values.name }}-{{ if eq (up .Values.name) `A` }}yes{{ end }}")
    values = {"name": "a"}
    assert t.execute(Data({"Values": values})) == "A-yes"
    assert up.calls == 2
    assert t.execute(Data({"Values": values})) == "A-yes"
    assert up.calls == 2


def test_other_values_object_refolds() -> None:
    t, up = template("{{ up .Values.name }}")
    assert t.execute(Data({"Values": {"name": "a"}})) == "A"
    assert t.execute(Data({"Values": {"name": "b"}})) == "B"
    # The same object again after another one: folded afresh, not the older fold.
    first = {"name": "c"}
    assert t.execute(Data({"Values": first})) == "C"
    assert up.calls == 3


def test_an_equal_value_of_another_type_is_not_the_same() -> None:
    text = '{{ printf "%T %v" .Values.n .Values.n }}'
    t, _ = template(text)
    for n, want in ((1, "int 1"), (True, "bool true"), (1.0, "float64 1"), (1, "int 1")):
        data = Data({"Values": {"n": n}})
        assert t.execute(data) == want == unfolded(text, data)


def test_any_token_object_changing_refolds() -> None:
    t, _ = template("{{ up .Values.a }}{{ up .Mesh.b }}", )
    values = {"a": "x"}
    first = Data({"Values": values, "Mesh": {"b": "y"}}, ("Values", "Mesh"))
    second = Data({"Values": values, "Mesh": {"b": "z"}}, ("Values", "Mesh"))
    assert t.execute(first) == "XY"
    assert t.execute(second) == "XZ"


def test_fields_not_declared_constant_are_read_every_time() -> None:
    t, up = template("{{ up .Values.a }}{{ up .Pod.name }}")
    values = {"a": "x"}
    assert t.execute(Data({"Values": values, "Pod": {"name": "p"}})) == "XP"
    assert t.execute(Data({"Values": values, "Pod": {"name": "q"}})) == "XQ"
    assert up.calls == 3


def test_dollar_in_a_defined_template_is_its_own_dot() -> None:
    # In "sub", $ and . are whatever the caller passed: .Pod, different every run.
    text = ('{{ define "sub" }}{{ up $.Values.x }}{{ up .Values.x }}{{ end }}'
            '{{ template "sub" .Pod }}|{{ up $.Values.x }}')
    t, _ = template(text)
    values = {"x": "root"}
    for pod in ("a", "b"):
        data = Data({"Values": values, "Pod": {"Values": {"x": pod}}})
        assert t.execute(data) == f"{pod.upper()}{pod.upper()}|ROOT" == unfolded(text, data)


def test_dot_inside_range_and_with_is_not_the_root() -> None:
    text = ("{{ range .Pods }}{{ up .Values.x }}{{ up $.Values.x }};{{ end }}"
            "{{ with .Pod }}{{ up .Values.x }}{{ end }}"
            "{{ range $.Values.list }}{{ up . }}{{ end }}")
    t, _ = template(text)
    values = {"x": "root", "list": ["l1", "l2"]}
    for name in ("a", "b"):
        data = Data({"Values": values, "Pods": [{"Values": {"x": name}}, {"Values": {"x": name + "2"}}],
                     "Pod": {"Values": {"x": name + "3"}}})
        assert t.execute(data) == unfolded(text, data)
        assert t.execute(data).startswith(f"{name.upper()}ROOT;")


def test_an_assigned_dollar_is_not_the_root() -> None:
    text = "{{ up $.Values.x }}{{ $ = .Pod }}{{ up $.Values.x }}"
    t, _ = template(text)
    values = {"x": "root"}
    for pod in ("a", "b"):
        data = Data({"Values": values, "Pod": {"Values": {"x": pod}}})
        assert t.execute(data) == "ROOT" + pod.upper() == unfolded(text, data)


def test_a_set_that_changes_maps_never_folds() -> None:
    text = "{{ up .Values.x }}{{ $_ := set .Values `x` `changed` }}"
    t, up = template(text)
    values = {"x": "first"}
    assert t.execute(Data({"Values": values})) == "FIRST"
    assert t.execute(Data({"Values": values})) == "CHANGED"
    assert up.calls == 2


def test_a_change_within_one_render_is_seen() -> None:
    text = "{{ range .Pod.n }}{{ up $.Values.x }}{{ $_ := set $.Values `x` `changed` }}{{ end }}"
    t, _ = template(text)
    assert t.execute(Data({"Values": {"x": "first"}, "Pod": {"n": 2}})) == "FIRSTCHANGED"


def test_a_change_made_by_another_set_retires_the_folds() -> None:
    reader, up = template("{{ up .Values.x }}")
    writer, _ = template("{{ $_ := set .Values `x` `changed` }}")
    values = {"x": "first"}
    assert reader.execute(Data({"Values": values})) == "FIRST"
    writer.execute(Data({"Values": values}))
    assert reader.execute(Data({"Values": values})) == "CHANGED"


def test_call_changes_anything_so_a_set_with_it_never_folds() -> None:
    def change(d: dict[str, Any]) -> str:
        d["x"] = "changed"
        return ""

    text = "{{ up .Values.x }}{{ call .Values.f .Values }}"
    t, up = template(text)
    values: dict[str, Any] = {"x": "first", "f": change}
    assert t.execute(Data({"Values": values})) == "FIRST"
    assert t.execute(Data({"Values": values})) == "CHANGED"


@pytest.mark.parametrize("text, error", [
    ("a\n{{ boom .Values.x }}", 'template: t:2:3: executing "t" at <boom .Values.x>: error calling boom: no good: v'),
    ("{{ if index .Values.list 5 }}x{{ end }}",
     'template: t:1:6: executing "t" at <index .Values.list 5>: error calling index: '
     "index out of range: 5"),
    ("{{ .Values.x.y.z }}", 'template: t:1:10: executing "t" at <.Values.x.y.z>: '
     "can't evaluate field y in type string"),
])
def test_an_error_is_raised_every_time(text: str, error: str) -> None:
    t, _ = template(text)
    values = {"x": "v", "list": [1]}
    with pytest.raises(GoTemplateExecError) as err:
        parse(text, "t", {"boom": _boom}).execute({"Values": values})
    assert str(err.value) == error
    for _ in range(3):
        with pytest.raises(GoTemplateExecError) as err:
            t.execute(Data({"Values": values}))
        assert str(err.value) == error


def test_the_node_an_error_reports_after_a_fold_is_the_same() -> None:
    # The range's error names the range (it sets its node); a variable's error names
    # the variable: after a fold, the node left current is restored either way.
    text = "{{ up .Values.x }}{{ $y }}"
    with pytest.raises(Exception):
        parse(text, "t", {"up": Counter()})  # undefined variable: a parse error in Go
    text = "{{ up .Values.x }}{{ range .Pod }}{{ end }}"
    t, _ = template(text)
    values = {"x": "v"}
    messages = []
    for _ in range(2):
        with pytest.raises(GoTemplateExecError) as err:
            t.execute(Data({"Values": values, "Pod": "text"}))
        messages.append(str(err.value))
    assert messages[0] == messages[1]


class Method(GoObject):
    """A view with a method whose calls are counted: not known to be pure."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls = 0

    def go_type(self) -> str:
        return "*main.Method"

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name == "Get":

            def get() -> str:
                self.calls += 1
                return f"call {self.calls}"

            return get
        return None


def test_a_pipeline_calling_a_method_is_not_kept() -> None:
    t, _ = template("{{ up .Values.m.Get }}")
    values = {"m": Method()}
    assert t.execute(Data({"Values": values})) == "CALL 1"
    assert t.execute(Data({"Values": values})) == "CALL 2"


def test_with_keeps_only_values_nothing_can_change() -> None:
    # A map made by a pure function is the with's dot: reused, it would be the same map.
    text = "{{ with .Values.m }}{{ len . }}{{ end }}{{ with .Values.s }}{{ . }}{{ end }}{{ .Pod.n }}"
    t, _ = template(text)
    values: dict[str, Any] = {"m": {"k": 1}, "s": "str"}
    for n in (1, 2):
        data = Data({"Values": values, "Pod": {"n": n}})
        assert t.execute(data) == f"1str{n}" == unfolded(text, data)


def test_a_constant_argument_of_a_per_run_call_is_kept_only_when_immutable() -> None:
    made: list[int] = []

    def pair(s: str) -> list[str]:
        made.append(1)
        return [s, s]

    text = "{{ if or (eq .Pod.x `y`) (ne (up .Values.a) ``) }}{{ index (pair .Values.a) .Pod.i }}{{ .Pod.x }}{{ end }}"
    up = Counter()
    t = parse(text, "t", {"up": up, "pair": pair}, effects=Effects(pure=["up", "pair"]))
    values = {"a": "v"}
    for x in ("p", "q"):
        assert t.execute(Data({"Values": values, "Pod": {"x": x, "i": 1}})) == "v" + x
    assert up.calls == 1  # a string: kept
    assert len(made) == 2  # a list: evaluated each time
    assert t.execute(Data({"Values": {"a": ""}, "Pod": {"x": "z", "i": 0}})) == ""


class Steps:
    """A budget recording the step counts it is asked to check, with a step limit."""

    class Limits:
        output = 0

    limits = Limits()

    def __init__(self, limit: int) -> None:
        self.seen: list[int] = []
        self.limit = limit

    def check(self, steps: int) -> None:
        self.seen.append(steps)
        if steps > self.limit:
            raise RuntimeError(f"over {self.limit} steps")

    def allow_size(self, size: int, what: str) -> None:
        pass


def test_folds_count_their_steps() -> None:
    # Each iteration: the range's step and the three calls the fold stands for.
    text = "{{ range .Pod.n }}{{ up $.Values.x | up | up }}{{ end }}"
    t, up = template(text)
    values = {"x": "v"}
    counts = []
    for _ in range(2):
        budget = Steps(1 << 40)
        t.execute(Data({"Values": values, "Pod": {"n": 5000}}), budget)
        counts.append(budget.seen)
    plain = parse(text, "t", {"up": Counter()})
    budget = Steps(1 << 40)
    plain.execute({"Values": values, "Pod": {"n": 5000}}, budget)
    assert counts[0] == counts[1] == budget.seen == [4096, 8192, 12288, 16384]
    assert up.calls == 3


def test_a_step_limit_still_stops_a_folded_loop() -> None:
    t, _ = template("{{ range .Pod.n }}{{ up $.Values.x | up | up }}{{ end }}")
    values = {"x": "v"}
    for _ in range(2):
        with pytest.raises(RuntimeError, match="over 10000 steps"):
            t.execute(Data({"Values": values, "Pod": {"n": 1 << 30}}), Steps(10000))


class Output:
    """A budget with an output limit that refuses larger strings."""

    def __init__(self, output: int) -> None:
        self.limits = type("Limits", (), {"output": output})()

    def check(self, steps: int) -> None:
        pass

    def allow_size(self, size: int, what: str) -> None:
        if size > self.limits.output:
            raise RuntimeError(f"{what} would be {size}")


def test_other_limits_refold() -> None:
    t, _ = template("{{ len (up .Values.long) }}")
    values = {"x": "v", "long": "x" * 100}
    assert t.execute(Data({"Values": values}), Output(1000)) == "100"
    with pytest.raises(RuntimeError, match="the result of up would be 100"):
        t.execute(Data({"Values": values}), Output(50))


class CountingHooks:
    """Hooks that count the function calls they see."""

    def __init__(self) -> None:
        self.calls = 0

    def call(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any) -> Any:
            self.calls += 1
            return fn(*args)

        return counted

    def text(self, value: Any) -> str | None:
        return None

    def truth(self, value: Any) -> bool:
        return bool(value)

    def is_string(self, value: Any) -> bool:
        return False


def test_runs_with_hooks_do_not_fold() -> None:
    t, _ = template("{{ up .Values.x }}")
    hooks = CountingHooks()
    values = {"x": "v"}
    for _ in range(3):
        assert t.execute(Data({"Values": values}), hooks=hooks) == "V"
    assert hooks.calls == 3


def test_a_table_without_declared_effects_does_not_fold() -> None:
    up = Counter()
    t = parse("{{ up .Values.x }}", "t", {"up": up})
    values = {"x": "v"}
    t.execute(Data({"Values": values}))
    t.execute(Data({"Values": values}))
    assert up.calls == 2


def test_a_table_binding_a_pure_name_to_another_function_does_not_fold_it() -> None:
    # "eq" is pure as Go's builtin; a table's own eq is not known to be.
    calls = []

    def eq(a: Any, b: Any) -> bool:
        calls.append(a)
        return bool(a == b)

    t, _ = template("{{ if eq .Values.x `v` }}yes{{ end }}", eq=eq)
    values = {"x": "v"}
    t.execute(Data({"Values": values}))
    t.execute(Data({"Values": values}))
    assert len(calls) == 2


def test_folded_output_matches_the_unfolded_engine() -> None:
    text = ("{{ if .Values.on }}on{{ else }}off{{ end }}\n"
            "{{- with .Values.name }} name={{ . | up }}{{ end }}\n"
            "{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }},{{ end }}\n"
            "{{ range .Values.list }}[{{ . }}]{{ else }}none{{ end }}\n"
            '{{ printf "%v/%v" .Values.missing .Pod.id }} {{ .Values.on | not }}')
    t, _ = template(text)
    values: dict[str, Any] = {"on": True, "name": "n", "list": [1, 2]}
    for pod in (1, 2):
        data = Data({"Values": values, "Pod": {"id": pod}})
        assert t.execute(data) == unfolded(text, data)
    other: dict[str, Any] = {"on": False, "name": "", "list": []}
    data = Data({"Values": other, "Pod": {"id": 3}})
    assert t.execute(data) == unfolded(text, data)
