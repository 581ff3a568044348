"""Render Istio's Go injection templates (ConfigMap format) on a template context.

This back end assembles the function table (Go's builtins, then sprig, then
Istio's functions) and turns the engine's own errors into pyinject's
``TemplateSyntaxError``/``TemplateExecError`` with Go's message unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from pyinject.errors import TemplateError, TemplateExecError, TemplateNotFound, TemplateSyntaxError
from pyinject.gotemplate.errors import GoTemplateExecError, GoTemplateSyntaxError
from pyinject.istio.gofuncs import istio_funcs
from pyinject.model import TemplateContext
from pyinject.render.go_data import TemplateData, template_data
from pyinject.sandbox.limits import RenderLimits, rendering

if TYPE_CHECKING:
    from pyinject.gotemplate.hooks import Hooks
    from pyinject.istio.releases import Release


def injection_funcs(environ: Mapping[str, str] | None = None,
                    release: Release | None = None) -> Mapping[str, Callable[..., Any]]:
    """The function table Istio parses its templates with: Go builtins, sprig, then Istio's.

    Istio's functions come last so they win where names clash (``indent``,
    ``contains``, ``env``), as in Istio's ``template.Funcs`` calls.
    """
    from pyinject.gotemplate.builtins import BUILTIN_FUNCS
    from pyinject.gotemplate.functions import function_table
    from pyinject.sprig.table import SPRIG_FUNCS

    tables: list[Mapping[str, Callable[..., Any]]] = [BUILTIN_FUNCS, SPRIG_FUNCS]
    if environ is not None:
        from pyinject.sprig.host import env_funcs

        tables.append(env_funcs(environ))
    return function_table(*tables, istio_funcs(environ, release))


class GoTemplates:
    """Parsed Go injection templates, each parsed once and rendered per pod."""

    def __init__(self, parsed: Mapping[str, Any], limits: RenderLimits | None = None,
                 deferred: Mapping[str, Callable[[], Any]] | None = None) -> None:
        """``parsed`` maps each name, in order, to its template, or to None where ``deferred``
        parses it on first use (templates known to parse: :mod:`pyinject.render.parsed_before`)."""
        self._parsed = dict(parsed)
        self._deferred = dict(deferred or {})
        self.limits = limits

    @property
    def names(self) -> tuple[str, ...]:
        """The template names, in the order they were given."""
        return tuple(self._parsed)

    def render(self, name: str, ctx: TemplateContext) -> str:
        """Run template ``name`` on the SidecarTemplateData view of ``ctx``."""
        return self._execute(name, template_data(ctx), None)

    def variables(self, ctx: TemplateContext) -> dict[str, Any]:
        """A fresh SidecarTemplateData view of ``ctx``, for an abstract render or a guard
        (:mod:`pyinject.render.reuse`): a function changing a map it is given changes only this view."""
        return {"data": TemplateData(ctx)}

    def render_variables(self, name: str, variables: dict[str, Any]) -> str:
        """Run template ``name`` abstractly on ``variables`` (from :meth:`variables` of a context with holes)."""
        from pyinject.render import holes
        from pyinject.render.go_holes import HOOKS, Locator

        recorder = holes.active()
        if recorder is None:
            raise holes.Observed("an abstract render outside a recording")
        recorder.locate = Locator(variables).locate
        return self._execute(name, variables["data"], HOOKS)

    def _execute(self, name: str, data: TemplateData, hooks: Hooks | None) -> str:
        template = self._parsed.get(name)
        if template is None:
            if name not in self._deferred:
                raise TemplateNotFound(name, self._parsed)
            template = self._parsed[name] = self._deferred[name]()
            del self._deferred[name]
        try:
            with rendering(name, self.limits) as budget:
                return str(template.execute(data, budget, hooks))
        except GoTemplateExecError as err:
            raise TemplateExecError(str(err)) from err
        except TemplateError:
            raise
        except RecursionError as err:
            raise TemplateExecError(
                f"template: {name}: exceeded maximum template depth"
            ) from err


def load_go_templates(
    templates: Mapping[str, str], environ: Mapping[str, str] | None = None,
    limits: RenderLimits | None = None, release: Release | None = None,
) -> GoTemplates:
    """Parse every template once with the full function table.

    ``environ`` is what the template function ``env`` reads (the process
    environment by default); ``limits`` bound each render.  A template that does not parse raises
    ``TemplateSyntaxError`` naming it.
    """
    from functools import partial

    from pyinject.render.parsed_before import parse_records

    funcs = injection_funcs(environ, release)
    records = parse_records(funcs)
    parsed: dict[str, Any] = {}
    deferred: dict[str, Callable[[], Any]] = {}
    for name, text in templates.items():
        key = records.key(name, text)
        if records.parsed_before(key):
            # Parsed in an earlier run: it parses again, so only when a pod first needs it.
            parsed[name] = None
            deferred[name] = partial(_parse, name, text, funcs)
            continue
        parsed[name] = _parse(name, text, funcs)
        records.note_parsed(key)
    return GoTemplates(parsed, limits, deferred)


def _parse(name: str, text: str, funcs: Mapping[str, Callable[..., Any]]) -> Any:
    """Template ``name`` parsed with ``funcs`` and what their functions do (which lets the
    engine fold, :mod:`pyinject.render.go_effects`); Go's syntax errors as pyinject's."""
    from pyinject.gotemplate import parse
    from pyinject.gotemplate.fold import Effects
    from pyinject.render.go_effects import MUTATING_NAMES, PURE_NAMES

    try:
        return parse(text, name, funcs, effects=Effects(PURE_NAMES, MUTATING_NAMES))
    except GoTemplateSyntaxError as err:
        raise TemplateSyntaxError(str(err)) from err
    except RecursionError as err:
        raise TemplateSyntaxError(f"template: {name}: nesting too deep") from err
