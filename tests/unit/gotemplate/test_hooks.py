"""The engine's hooks for stand-in values (pyinject.gotemplate.hooks): where they apply, and only there."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pyinject.gotemplate import parse
from pyinject.gotemplate.errors import GoTemplateExecError


class StandIn:
    """A value that stands for a Go string."""

    def __init__(self, label: str) -> None:
        self.label = label


class Hooks:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def call(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any) -> Any:
            self.calls.append((name, args))
            if any(isinstance(a, StandIn) for a in args):
                return f"{name}(stand-in)"
            return fn(*args)
        return wrapped

    def text(self, value: Any) -> str | None:
        return f"<{value.label}>" if isinstance(value, StandIn) else None

    def truth(self, value: Any) -> bool:
        return True if isinstance(value, StandIn) else bool(value)

    def is_string(self, value: Any) -> bool:
        return isinstance(value, StandIn)


def upper(s: str) -> str:
    return s.upper()


TEMPLATE = ('{{ .name }}|{{ if .name }}yes{{ end }}|{{ upper .name }}|{{ upper "x" }}|'
            '{{ and .name "z" }}|{{ with .name }}{{ . }}{{ end }}|{{ .name | printf "%s!" }}')


def test_a_stand_in_goes_through_the_hooks() -> None:
    template = parse(TEMPLATE, "t", {"upper": upper})
    hooks = Hooks()
    out = template.execute({"name": StandIn("n")}, None, hooks)
    assert out == "<n>|yes|upper(stand-in)|X|z|<n>|printf(stand-in)"
    assert [name for name, _ in hooks.calls] == ["upper", "upper", "printf"]


def test_ordinary_runs_of_the_same_template_are_untouched() -> None:
    template = parse(TEMPLATE, "t", {"upper": upper})
    template.execute({"name": StandIn("n")}, None, Hooks())
    assert template.execute({"name": "web"}) == "web|yes|WEB|X|z|web|web!"


def test_without_hooks_a_string_parameter_refuses_a_stand_in() -> None:
    template = parse("{{ upper .name }}", "t", {"upper": upper})
    with pytest.raises(GoTemplateExecError, match="wrong type for value; expected string"):
        template.execute({"name": StandIn("n")})


@pytest.mark.parametrize("text", ["{{ .name.Field }}", "{{ range .name }}{{ end }}"])
def test_other_uses_are_left_to_the_engine(text: str) -> None:
    # A stand-in that is neither a map nor a view: the engine's own error, as for any odd value.
    with pytest.raises(GoTemplateExecError):
        parse(text, "t", {}).execute({"name": StandIn("n")}, None, Hooks())
