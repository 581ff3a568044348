"""Compiled embedded templates are cached between runs, safely."""

from __future__ import annotations

from pathlib import Path

import jinja2

from pyinject.render.jinja import bytecode_cache, compile_jinja_templates
from tests.unit.render.test_template_security import _context


def test_empty_setting_turns_the_cache_off() -> None:
    assert bytecode_cache({"PYINJECT_CACHE_DIR": ""}) is None


def test_cache_goes_under_xdg_cache_home(tmp_path: Path) -> None:
    cache = bytecode_cache({"XDG_CACHE_HOME": str(tmp_path)})
    assert isinstance(cache, jinja2.FileSystemBytecodeCache)
    assert (tmp_path / "pyinject" / f"jinja-{jinja2.__version__}").is_dir()


def test_unusable_directory_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert bytecode_cache({"PYINJECT_CACHE_DIR": str(blocker)}) is None


def test_an_edited_template_is_never_served_stale(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PYINJECT_CACHE_DIR", str(tmp_path))
    first = compile_jinja_templates({"t": "metadata:\n  annotations:\n    a: one\n"})
    assert "one" in first.render("t", _context())
    assert list((tmp_path / f"jinja-{jinja2.__version__}").iterdir())
    second = compile_jinja_templates({"t": "metadata:\n  annotations:\n    a: two\n"})
    assert "two" in second.render("t", _context())
