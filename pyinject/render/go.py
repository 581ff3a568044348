"""Render Istio's Go injection templates (ConfigMap format) on a template context.

This back end assembles the function table (Go's builtins, then sprig, then
Istio's functions) and turns the engine's own errors into pyinject's
``TemplateSyntaxError``/``TemplateExecError`` with Go's message unchanged.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from pyinject.errors import TemplateError, TemplateExecError, TemplateSyntaxError
from pyinject.gotemplate.errors import GoTemplateExecError, GoTemplateSyntaxError
from pyinject.istio.gofuncs import istio_funcs
from pyinject.model import TemplateContext
from pyinject.render.go_data import template_data


def injection_funcs(environ: Mapping[str, str] | None = None) -> dict[str, Callable[..., Any]]:
    """The function table Istio parses its templates with: Go builtins, sprig, then Istio's.

    Istio's functions come last so they win where names clash (``indent``,
    ``contains``, ``env``), as in Istio's ``template.Funcs`` calls.
    """
    from pyinject.gotemplate.builtins import BUILTIN_FUNCS
    from pyinject.gotemplate.functions import function_table
    from pyinject.sprig.table import SPRIG_FUNCS

    return function_table(BUILTIN_FUNCS, SPRIG_FUNCS, istio_funcs(environ))


class GoTemplates:
    """Parsed Go injection templates, each parsed once and rendered per pod."""

    def __init__(self, parsed: Mapping[str, Any]) -> None:
        self._parsed = dict(parsed)

    @property
    def names(self) -> tuple[str, ...]:
        """The template names, in the order they were given."""
        return tuple(self._parsed)

    def render(self, name: str, ctx: TemplateContext) -> str:
        """Run template ``name`` on the SidecarTemplateData view of ``ctx``."""
        template = self._parsed.get(name)
        if template is None:
            have = ", ".join(sorted(self._parsed)) or "none"
            raise TemplateError(f'requested template "{name}" not found; have {have}')
        try:
            return str(template.execute(template_data(ctx)))
        except GoTemplateExecError as err:
            raise TemplateExecError(str(err)) from err
        except RecursionError as err:
            raise TemplateExecError(
                f"template: {name}: exceeded maximum template depth"
            ) from err


def load_go_templates(
    templates: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> GoTemplates:
    """Parse every template once with the full function table.

    ``environ`` is what the template function ``env`` reads (the process
    environment by default).  A template that does not parse raises
    ``TemplateSyntaxError`` naming it.
    """
    from pyinject.gotemplate import parse

    funcs = injection_funcs(environ)
    parsed: dict[str, Any] = {}
    for name, text in templates.items():
        try:
            parsed[name] = parse(text, name, funcs)
        except GoTemplateSyntaxError as err:
            raise TemplateSyntaxError(str(err)) from err
        except RecursionError as err:
            raise TemplateSyntaxError(f"template: {name}: nesting too deep") from err
    return GoTemplates(parsed)
