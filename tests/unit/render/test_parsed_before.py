"""Go templates that parsed in an earlier run are parsed only when a pod needs them (render/parsed_before.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import pyinject.gotemplate
from pyinject.errors import TemplateSyntaxError
from pyinject.render import parsed_before
from pyinject.render.go import injection_funcs, load_go_templates
from tests.unit.render.test_go import ctx

GOOD = {"sidecar": "name: {{ .DeploymentMeta.Name }}", "gateway": "gw: {{ .Revision | default `x` }}"}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYINJECT_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates parsed, in order."""
    seen: list[str] = []
    real = pyinject.gotemplate.parse

    def counting(text: str, name: str = "t", *args: Any, **kwargs: Any) -> Any:
        seen.append(name)
        return real(text, name, *args, **kwargs)

    monkeypatch.setattr(pyinject.gotemplate, "parse", counting)
    return seen


def test_a_second_run_parses_only_the_template_it_renders(cache: Path, parses: list[str]) -> None:
    first = load_go_templates(GOOD, environ={})
    assert parses == ["sidecar", "gateway"]
    assert len(list((cache / "gotemplate-parsed").iterdir())) == 2
    parses.clear()
    second = load_go_templates(GOOD, environ={})
    assert parses == []
    assert second.names == ("sidecar", "gateway")
    assert second.render("sidecar", ctx()) == first.render("sidecar", ctx()) == "name: hello"
    assert second.render("sidecar", ctx(deployment_meta={"name": "again"})) == "name: again"
    assert parses == ["sidecar"]


def test_a_template_that_fails_to_parse_fails_every_run(cache: Path) -> None:
    broken = {**GOOD, "unused": "{{ if }}"}
    for _ in range(2):
        with pytest.raises(TemplateSyntaxError, match="unused"):
            load_go_templates(broken, environ={})


def test_an_edited_template_is_parsed_again(cache: Path) -> None:
    load_go_templates(GOOD, environ={})
    with pytest.raises(TemplateSyntaxError, match="gateway"):
        load_go_templates({**GOOD, "gateway": GOOD["gateway"] + "{{ end }}"}, environ={})


def test_the_same_text_under_another_name_is_parsed_again(cache: Path, parses: list[str]) -> None:
    load_go_templates(GOOD, environ={})
    parses.clear()
    load_go_templates({"renamed": GOOD["sidecar"]}, environ={})
    assert parses == ["renamed"]


def test_the_function_names_are_part_of_the_record(cache: Path) -> None:
    """A template calling a function only one table has is trusted only with that table."""
    text = {"t": "{{ onlyhere }}"}
    funcs = {**injection_funcs({}), "onlyhere": lambda: "x"}
    records = parsed_before.parse_records(funcs)
    records.note_parsed(records.key("t", text["t"]))
    assert records.parsed_before(records.key("t", text["t"]))
    with pytest.raises(TemplateSyntaxError, match='function "onlyhere" not defined'):
        load_go_templates(text, environ={})


def test_a_forged_record_only_postpones_the_error_to_the_first_render(cache: Path) -> None:
    broken = {"sidecar": GOOD["sidecar"], "unused": "{{ if }}"}
    records = parsed_before.parse_records(injection_funcs({}))
    records.note_parsed(records.key("unused", broken["unused"]))
    templates = load_go_templates(broken, environ={})
    assert templates.render("sidecar", ctx()) == "name: hello"
    for _ in range(2):
        with pytest.raises(TemplateSyntaxError, match="unused"):
            templates.render("unused", ctx())


def test_an_empty_setting_keeps_no_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           parses: list[str]) -> None:
    monkeypatch.setenv("PYINJECT_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    for _ in range(2):
        load_go_templates(GOOD, environ={})
    assert parses == ["sidecar", "gateway"] * 2
    assert list(tmp_path.iterdir()) == []


def test_a_directory_that_cannot_be_written_means_no_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             parses: list[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PYINJECT_CACHE_DIR", str(blocker))
    for _ in range(2):
        assert load_go_templates(GOOD, environ={}).render("sidecar", ctx()) == "name: hello"
    assert parses == ["sidecar", "gateway"] * 2


def test_an_edited_engine_trusts_no_record(cache: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]) -> None:
    load_go_templates(GOOD, environ={})
    parses.clear()
    monkeypatch.setattr(parsed_before, "_ENGINE_DIGEST", [b"another engine"])
    load_go_templates(GOOD, environ={})
    assert parses == ["sidecar", "gateway"]
