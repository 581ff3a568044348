"""pyinject's Jinja injection templates: the embedded ones compiled to Python, any other through Jinja2.

The embedded templates in ``templates/*.yaml.j2`` reproduce what Istio 1.30.3's Go
templates inject.  ``jinja_aot`` compiles them ahead of time to plain Python
(``jinja_compiled``), so a run that uses only them never imports Jinja2: its start-up
is shorter and each render skips Jinja's runtime.  Templates a user supplies, and
embedded templates edited after the compiled module was made (its source hash
no longer matches), render in the sandboxed Jinja2 environment (``jinja_env``), as
does any pod the compiled templates fail on, so that its error is worded as Jinja2
words it.  Both back ends see the same variables (``jinja_vars``) and call the same
functions (``jinja_runtime``, ``jinja_funcs``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable

from pyinject.errors import TemplateNotFound
from pyinject.model import TemplateContext
from pyinject.render import holes
from pyinject.render.jinja_runtime import GLOBALS, CompiledContext
from pyinject.render.jinja_vars import template_variables
from pyinject.sandbox.limits import Budget, RenderLimits, rendering

if TYPE_CHECKING:
    from pathlib import Path

    import jinja2

    from pyinject.render.jinja_env import JinjaTemplates

#: Template file for a name when the caller does not map names to files.
TEMPLATE_SUFFIX = ".yaml.j2"

_GLOBAL_NAMES = frozenset(GLOBALS)


def load_jinja_templates(
    directory: str | Path | None,
    names: Mapping[str, str] | Iterable[str],
    files: Iterable[str] = (),
    limits: RenderLimits | None = None,
    *,
    compiled: bool = True,
) -> CompiledTemplates | JinjaTemplates:
    """The named templates, ready to render.

    ``names`` maps each template name to a file in ``directory`` (``sidecar.yaml.j2``,
    as ``inject-config.yaml`` lists them) or to the template text itself (as
    ``InjectionConfig.templates`` holds it); a plain list of names means
    ``NAME.yaml.j2``.  Names that are all embedded template files, in the embedded
    templates' own directory, take the compiled templates (unless ``compiled`` is
    false); anything else compiles in Jinja2 (see ``jinja_env.load_jinja_templates``).
    """
    refs = dict(names) if isinstance(names, Mapping) else {n: n + TEMPLATE_SUFFIX for n in names}
    files = tuple(files)
    embedded = _embedded_files(directory, refs) if compiled else None
    if embedded is not None:
        return CompiledTemplates(embedded, (directory, refs, files, limits), limits)
    from pyinject.render.jinja_env import load_jinja_templates as load

    return load(directory, refs, files, limits)


def compile_jinja_templates(sources: Mapping[str, str], directory: str | Path | None = None) -> JinjaTemplates:
    """Compile template sources (name -> text), as ``InjectionConfig.templates`` holds them, in Jinja2."""
    from pyinject.render.jinja_env import compile_jinja_templates as compile_sources

    return compile_sources(sources, directory)


def bytecode_cache(environ: Mapping[str, str] | None = None) -> jinja2.BytecodeCache | None:
    """Jinja2's cache of compiled templates (see ``jinja_env.bytecode_cache``)."""
    from pyinject.render.jinja_env import bytecode_cache as cache

    return cache(environ)


# --------------------------------------------------------------------------
# When the compiled templates apply


def _embedded_files(directory: str | Path | None, refs: Mapping[str, str]) -> dict[str, str] | None:
    """Each name's compiled template file, when every template is an embedded one, unchanged.

    ``refs`` maps names to files of ``directory`` or to template texts (a config's
    files, already read); either must be an embedded template exactly as compiled,
    ``directory`` must be the embedded templates' own (where their imports resolve),
    and the templates they import there must be unchanged too.
    """
    from pyinject.config.inject_config import templates_dir
    from pyinject.render.jinja_compiled import SOURCES, TEMPLATES
    from pyinject.render.jinja_runtime import source_hash

    if directory is None or not refs:
        return None
    folder = str(templates_dir())
    try:
        if not os.path.samefile(directory, folder):
            return None
    except OSError:
        return None
    by_hash = {digest: file for file, digest in SOURCES.items() if file in TEMPLATES}
    files: dict[str, str] = {}
    verified: set[str] = set()
    for name, ref in refs.items():
        if ref.endswith(".j2") and "\n" not in ref:
            if ref not in TEMPLATES:
                return None
            files[name] = ref
            continue
        file = by_hash.get(source_hash(ref.encode("utf-8")))
        if file is None:
            return None
        files[name] = file
        verified.add(file)
    if not all(_file_matches(folder, file, digest) for file, digest in SOURCES.items() if file not in verified):
        return None
    return files


def _file_matches(folder: str, file: str, digest: str) -> bool:
    """Whether embedded template ``file`` is the regular file the compiled module was made from."""
    from pyinject.render.jinja_runtime import source_hash

    path = os.path.join(folder, file)
    try:
        if os.path.islink(path):
            return False
        with open(path, "rb") as handle:
            return source_hash(handle.read()) == digest
    except OSError:
        return False


# --------------------------------------------------------------------------
# Rendering


class CompiledTemplates:
    """The embedded templates compiled to Python; Jinja2 for a pod they cannot render."""

    def __init__(self, refs: Mapping[str, str], jinja_args: tuple[Any, ...], limits: RenderLimits | None) -> None:
        self.refs = dict(refs)
        self.limits = limits
        self._jinja_args = jinja_args
        self._jinja: JinjaTemplates | None = None

    def names(self) -> tuple[str, ...]:
        return tuple(self.refs)

    def variables(self, ctx: TemplateContext) -> dict[str, Any]:
        """The template variables of ``ctx`` (see :func:`template_variables`)."""
        return template_variables(ctx)

    def jinja(self) -> JinjaTemplates:
        """The same templates in Jinja2 (compiled on first use)."""
        if self._jinja is None:
            from pyinject.render.jinja_env import load_jinja_templates as load

            self._jinja = load(*self._jinja_args)
        return self._jinja

    def render(self, name: str, ctx: TemplateContext) -> str:
        """The Pod fragment (``metadata:`` + ``spec:``) template ``name`` yields for ``ctx``."""
        file = self.refs.get(name)
        if file is None:
            raise TemplateNotFound(name, self.refs)
        try:
            with rendering(name, self.limits) as budget:
                return _run(file, template_variables(ctx), budget)
        except Exception:  # noqa: BLE001 - Jinja2 renders it again, and words any failure
            return self.jinja().render(name, ctx)

    def render_variables(self, name: str, variables: dict[str, Any]) -> str:
        """Template ``name`` on ready variables, its failures unworded (for abstract renders)."""
        recorder = holes.active()
        saved = (len(recorder.guards), recorder.printed, dict(recorder.counts)) if recorder is not None else None
        try:
            with rendering(name, self.limits) as budget:
                return _run(self.refs[name], variables, budget)
        except Exception:  # noqa: BLE001 - Jinja2 renders it again, from the same state
            if recorder is not None and saved is not None:
                del recorder.guards[saved[0]:]
                recorder.printed, recorder.counts = saved[1], saved[2]
            return self.jinja().render_variables(name, variables)


def _run(file: str, variables: dict[str, Any], budget: Budget | None) -> str:
    from pyinject.render.jinja_compiled import TEMPLATES
    from pyinject.render.jinja_runtime import Unsupported

    if not _GLOBAL_NAMES.isdisjoint(variables):
        raise Unsupported("a variable hides a global")
    text = "".join(TEMPLATES[file](CompiledContext(variables, budget)))
    if budget is not None:
        budget.allow_size(len(text), "the output")
    return text
