"""The sandboxed Jinja2 environment of Jinja injection templates, and their renderer.

User-supplied Jinja templates always run here; the embedded ones run here when
their compiled form (``jinja_compiled``) cannot be used, and for any pod the
compiled form fails on, so that errors are worded as Jinja2 words them.
Templates are compiled once (the compiled code cached between runs); the
functions they call live in ``jinja_runtime`` and ``jinja_funcs``.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Callable, Iterable

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from pyinject.errors import TemplateExecError, TemplateNotFound, TemplateSyntaxError
from pyinject.model import TemplateContext
from pyinject.records import dataclass
from pyinject.render.holes import _active as _ABSTRACT
from pyinject.render.jinja_funcs import GoError, GoZero
from pyinject.render.jinja_holes import sandbox_call, watch_environment
from pyinject.render.jinja_limits import BOUNDED_FILTERS, BOUNDED_GLOBALS, INTERCEPTED_BINOPS, call_binop
from pyinject.render.jinja_runtime import CONTEXT_GLOBALS, FILTERS, GLOBALS, finalize
from pyinject.render.jinja_vars import template_variables
from pyinject.render.user_cache import cache_root
from pyinject.sandbox.limits import Budget, RenderLimits, current as current_budget, rendering

#: Template file for a name when the caller does not map names to files.
TEMPLATE_SUFFIX = ".yaml.j2"


# --------------------------------------------------------------------------
# The environment


class GoUndefined(jinja2.Undefined, GoZero):
    """A missing map key: Go's zero value.

    It prints ``<no value>`` and is false, like a missing key in Go's text/template;
    reading a field *of* it fails, like Go's "nil pointer evaluating interface {}.x".
    An unknown *variable* is a mistake in the template, not in the data: it fails
    wherever it is used, as with StrictUndefined.
    """

    __slots__ = ()

    def _is_unknown_variable(self) -> bool:
        # An unknown variable (a template mistake) and an attribute the sandbox
        # refuses are errors wherever they are used; only missing keys are Go's zero.
        return self._undefined_obj is jinja2.utils.missing or self._undefined_exception is SecurityError

    def __str__(self) -> str:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return "<no value>"

    def __bool__(self) -> bool:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return False

    def __iter__(self) -> Any:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return iter(())


class _Environment(SandboxedEnvironment):
    """Sandboxed, with Go's map semantics: ``a.b`` on a mapping is always the key ``b``.

    Without this, a values key named ``items`` or ``values`` would resolve to the
    dict method, and a missing key would not print ``<no value>``.  Calls count
    as steps and the operators that can build huge values are bounded
    (``jinja_limits``).
    """

    intercepted_binops = INTERCEPTED_BINOPS

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return call_binop(operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget = current_budget()
        if budget is not None:
            budget.count_step()
        if _ABSTRACT and __self.is_safe_callable(__obj):
            return sandbox_call(__self, __context, __obj, args, kwargs)
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) or isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, GoUndefined) and not obj._is_unknown_variable():
            # Go: a field of a missing map key is missing too (`.a.missing.x` prints <no value>).
            return self.undefined(obj=obj, name=attribute)
        if obj is None:
            # Go: a field of a nil value (a JSON null) is an error.
            raise GoError(f"nil pointer evaluating interface {{}}.{attribute}")
        return super().getattr(obj, attribute)


#: Context functions get Jinja's context as their first argument.
_GLOBALS: dict[str, Callable[..., Any]] = {
    name: jinja2.pass_context(fn) if name in CONTEXT_GLOBALS else fn for name, fn in GLOBALS.items()
}


def bytecode_cache(environ: Mapping[str, str] | None = None) -> jinja2.BytecodeCache | None:
    """A cache of compiled templates in the user's cache directory, or None.

    Compiling Jinja templates is the largest part of a small run's start-up
    when Jinja2 renders them (the embedded ones run precompiled); Jinja keys each entry by the template's source checksum, so an
    edited template is never served stale.  ``PYINJECT_CACHE_DIR`` moves the
    cache, and set to an empty string turns it off; an unwritable directory
    just means no cache.
    """
    configured = cache_root(environ)
    if configured is None:
        return None
    directory = os.path.join(configured, f"jinja-{jinja2.__version__}")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(directory, os.W_OK):
        return None
    return jinja2.FileSystemBytecodeCache(directory)


def _make_environment(loader: jinja2.BaseLoader) -> _Environment:
    env = _Environment(
        loader=loader,
        bytecode_cache=bytecode_cache(),
        undefined=GoUndefined,
        finalize=finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(BOUNDED_FILTERS)
    env.filters.update(FILTERS)
    env.globals.update(BOUNDED_GLOBALS)
    env.globals.update(_GLOBALS)
    watch_environment(env)
    return env


def embedded_environment() -> _Environment:
    """The environment the embedded templates render in (what ``jinja_aot`` parses them with)."""
    from pyinject.config.inject_config import templates_dir

    return _make_environment(_ConfigLoader({}, ((str(templates_dir()), None),)))


# --------------------------------------------------------------------------
# Loading and rendering


@dataclass(frozen=True)
class JinjaTemplates:
    """Compiled embedded templates; compile once, render once per pod."""

    env: jinja2.Environment
    templates: Mapping[str, jinja2.Template]
    limits: RenderLimits | None = None

    def names(self) -> tuple[str, ...]:
        return tuple(self.templates)

    def variables(self, ctx: TemplateContext) -> dict[str, Any]:
        """The template variables of ``ctx`` (see :func:`template_variables`)."""
        return template_variables(ctx)

    def render_variables(self, name: str, variables: dict[str, Any]) -> str:
        """Template ``name`` on ready variables, its failures unworded (for abstract renders)."""
        template = self.templates[name]
        with rendering(name, self.limits) as budget:
            if budget is None:
                return template.render(variables)
            return _bounded_render(template, variables, budget)

    def render(self, name: str, ctx: TemplateContext) -> str:
        """The Pod fragment (``metadata:`` + ``spec:``) template ``name`` yields for ``ctx``."""
        template = self.templates.get(name)
        if template is None:
            raise TemplateNotFound(name, self.templates)
        try:
            with rendering(name, self.limits) as budget:
                variables = template_variables(ctx)
                if budget is None:
                    return template.render(variables)
                return _bounded_render(template, variables, budget)
        except TemplateExecError:
            raise
        except (GoError, jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as err:
            raise TemplateExecError(f"template: {_where(name, template, err)}: {_describe(err)}") from err


def _bounded_render(template: jinja2.Template, variables: dict[str, Any], budget: Budget) -> str:
    """``template.render`` with the output counted as it is produced."""
    parts: list[str] = []
    size = 0
    for piece in template.generate(variables):
        size += len(piece)
        budget.allow_size(size, "the output")
        parts.append(piece)
    return "".join(parts)


def _describe(err: BaseException) -> str:
    if isinstance(err, jinja2.UndefinedError):
        return f"nil pointer evaluating {err.message}"
    return str(err) or type(err).__name__


def _where(name: str, template: jinja2.Template, err: BaseException) -> str:
    """``NAME:LINE``, or ``NAME: FILE:LINE`` when the failure is inside an imported macro file.

    Jinja rewrites tracebacks so template frames carry the template's file and line.
    """
    import traceback  # error path only: not imported at start-up

    frames = [
        f for f in traceback.extract_tb(err.__traceback__)
        if f.filename.endswith(".j2") or f.filename == "<template>"
    ]
    if not frames:
        return name
    last = frames[-1]
    own = template.filename or "<template>"
    if last.filename == own or Path(last.filename).name == Path(own).name:
        return f"{name}:{last.lineno}"
    return f"{name}: {Path(last.filename).name}:{last.lineno}"


def compile_jinja_templates(
    sources: Mapping[str, str], directory: str | Path | None = None
) -> JinjaTemplates:
    """Compile template sources (name -> text), as ``InjectionConfig.templates`` holds them.

    ``{% import %}`` looks in ``directory`` (the config file's folder), then in the
    embedded templates, so a user's Jinja config can reuse ``_proxy.j2``.
    """
    return load_jinja_templates(directory, {name: text for name, text in sources.items()})


def load_jinja_templates(
    directory: str | Path | None,
    names: Mapping[str, str] | Iterable[str],
    files: Iterable[str] = (),
    limits: RenderLimits | None = None,
) -> JinjaTemplates:
    """Compile the named templates once.

    ``names`` maps each template name to a file in ``directory`` (``sidecar.yaml.j2``,
    as ``inject-config.yaml`` lists them) or to the template text itself (as
    ``InjectionConfig.templates`` holds it); a plain list of names means
    ``NAME.yaml.j2``.  ``{% include %}`` and ``{% import %}`` reach only the files
    of ``directory`` named here or in ``files`` (the config's template files), then
    the embedded templates; every read is checked by ``read_template_file``.
    """
    from pyinject.config.inject_config import templates_dir

    refs = dict(names) if isinstance(names, Mapping) else {n: n + TEMPLATE_SUFFIX for n in names}
    sources = {name: ref for name, ref in refs.items() if not _is_file_name(ref)}
    allowed = frozenset(files) | {ref for ref in refs.values() if _is_file_name(ref)}
    folders: list[tuple[str, frozenset[str] | None]] = []
    if directory is not None:
        folders.append((str(directory), allowed))
    folders.append((str(templates_dir()), None))
    env = _make_environment(_ConfigLoader(sources, tuple(folders)))
    compiled: dict[str, jinja2.Template] = {}
    for name, ref in refs.items():
        # Jinja folds constant expressions while compiling (``"a"|center(10**9)``):
        # the bounds hold then too.
        with rendering(name, limits or RenderLimits()):
            compiled[name] = _compile(env, name if name in sources else ref, name)
    return JinjaTemplates(env=env, templates=compiled, limits=limits)


class _ConfigLoader(jinja2.BaseLoader):
    """What a config's templates may load: inline templates by name, then each folder's
    template files, those in its allowed set (any ``.j2`` file when None), each read
    through ``read_template_file`` (inside the folder, no symlinks, regular files)."""

    def __init__(self, inline: Mapping[str, str], folders: tuple[tuple[str, frozenset[str] | None], ...]) -> None:
        self.inline = dict(inline)
        self.folders = folders

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        from pyinject.config.template_files import read_template_file
        from pyinject.errors import ConfigError

        if template in self.inline:
            return self.inline[template], None, lambda: True
        reason = f"{template!r} is not a template file the config names"
        for folder, allowed in self.folders:
            if allowed is not None and template not in allowed:
                continue
            if allowed is None and not os.path.lexists(os.path.join(folder, template)):
                continue
            try:
                text = read_template_file(folder, template)
            except ConfigError as err:
                reason = err.message
                continue
            return text, os.path.join(folder, template), lambda: True
        raise jinja2.TemplateNotFound(template, reason)


def _is_file_name(ref: str) -> bool:
    return ref.endswith(".j2") and "\n" not in ref


def _compile(env: jinja2.Environment, file: str, name: str) -> jinja2.Template:
    try:
        return env.get_template(file)
    except jinja2.TemplateNotFound as err:
        why = err.message if err.message and err.message != err.name else f"file {err.name} not found"
        raise TemplateSyntaxError(f'template "{name}": {why}') from err
    except jinja2.TemplateSyntaxError as err:
        where = err.filename or err.name or file
        raise TemplateSyntaxError(f"template: {Path(where).name}:{err.lineno}: {err.message}") from err
