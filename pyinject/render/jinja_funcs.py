"""Go, sprig and Istio behaviour for pyinject's Jinja2 templates.

The embedded templates reproduce Istio's Go templates, so the values they
print and the tests they make must follow Go: a missing key is ``<no value>``
and false, numbers print as Go prints them, ``eq`` refuses to compare a
number with a string.  The helpers here are the Istio template functions
(``annotation``, ``excludeInboundPort``, ``appendMultusNetwork`` ...) and the
sprig ones the templates use, each with the output rules of the Go function
it mirrors.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

from pyinject.golang.fmt import format_value
from pyinject.golang.strconv import quote
from pyinject.golang.values import to_go
from pyinject.istio import funcs
from pyinject.sprig.cast import is_empty as sprig_is_empty


class GoError(Exception):
    """A helper failed the way the Go function it mirrors returns an error."""


class GoZero:
    """What both template back ends' missing values have in common: Go's zero of a missing key.

    The Jinja2 environment's ``GoUndefined`` and the compiled templates' ``Missing``
    derive from it, so the helpers here treat both alike without importing Jinja2.
    An unknown *variable* (a template mistake) is not a zero: it fails wherever used.
    """

    __slots__ = ()

    def _is_unknown_variable(self) -> bool:
        return False

    def _fail_with_undefined_error(self) -> Any:
        raise GoError("an undefined value was used")


def _nil(value: Any) -> Any:
    if isinstance(value, GoZero):
        if value._is_unknown_variable():
            value._fail_with_undefined_error()
        return None
    return value


class StringMap(dict):  # type: ignore[type-arg]
    """A Go ``map[string]string`` (labels, annotations, proxyMetadata): a missing key is ""."""

    def __missing__(self, key: str) -> str:
        return ""


def go_print(value: Any) -> str:
    """Text of ``{{ value }}`` as Go's template engine prints it (``%v``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "<no value>"
    if isinstance(value, GoZero):
        return str(value)
    return format_value(value)


def go_sprint(value: Any) -> str:
    """fmt.Sprint of one operand; nil prints ``<nil>``."""
    if type(value) is str:  # the common case, as format_value prints it
        return value
    value = _nil(value)
    if value is None:
        return "<nil>"
    return format_value(value)


def annotation(context: Any, name: str, default: Any) -> str:
    """Istio ``annotation``: the pod's annotation, else the default as fmt.Sprint prints it.

    It reads the template context (``annotations``): both back ends pass theirs first.
    """
    annotations = context.get("annotations") or {}
    if name in annotations:
        return funcs.annotation(annotations, name, "")
    return go_sprint(default)


# --------------------------------------------------------------------------
# sprig and text/template built-ins the templates use


def is_empty(value: Any) -> bool:
    """sprig's notion of empty (:func:`pyinject.sprig.cast.is_empty`); a missing key is nil."""
    if type(value) is str:  # the common case, as sprig_is_empty decides it
        return value == ""
    return sprig_is_empty(_nil(value))


def sprig_default(value: Any, fallback: Any) -> Any:
    """``value | default fallback``: the fallback when the value is empty."""
    if type(value) is str:  # the common case, as is_empty decides it
        return fallback if value == "" else value
    return fallback if is_empty(value) else value


def sprig_quote(value: Any) -> str:
    """sprig ``quote``: Go-escaped double-quoted text; nil quotes to nothing."""
    if type(value) is str:  # the common case, as below
        return quote(value)
    value = _nil(value)
    if value is None:
        return ""
    return quote(value if isinstance(value, str) else go_sprint(value))


def sprig_trunc(value: Any, length: int) -> str:
    """sprig ``trunc``: Go slices strings by bytes, so multi-byte runes may split."""
    raw = go_print(value).encode("utf-8", "surrogateescape")
    if len(raw) > length:
        raw = raw[:length]
    return raw.decode("utf-8", "surrogateescape")


def trim_suffix(value: str, suffix: str) -> str:
    """strings.TrimSuffix: removes one trailing occurrence."""
    return value[: -len(suffix)] if suffix and value.endswith(suffix) else value


def _basic_kind(value: Any) -> str:
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


def go_eq(left: Any, right: Any, _op: str = "eq") -> bool:
    """text/template ``eq``: comparing a string with a number is an error, not false."""
    if type(left) is str and type(right) is str:  # the common case, as below
        return left == right
    left, right = _nil(left), _nil(right)
    k1, k2 = _basic_kind(left), _basic_kind(right)
    if k1 != k2:
        if k1 != "invalid" and k2 != "invalid":
            raise GoError(f"error calling {_op}: incompatible types for comparison")
        return False
    if k1 == "other":
        raise GoError(f"error calling {_op}: non-comparable types")
    return bool(left == right)


def go_ne(left: Any, right: Any) -> bool:
    """text/template ``ne``: the negation of ``eq``, with the same errors."""
    return not go_eq(left, right, "ne")


# --------------------------------------------------------------------------
# Istio's template functions (pkg/kube/inject/template.go)


def value_or_default(value: Any, fallback: Any) -> Any:
    """Istio ``valueOrDefault``: see :func:`pyinject.istio.funcs.value_or_default`."""
    if type(value) is str:  # the common case, as funcs.value_or_default decides it
        return fallback if value == "" else value
    return funcs.value_or_default(_nil(value), fallback)


def exclude_inbound_port(port: Any, excluded: str) -> str:
    """Istio ``excludeInboundPort``: see :func:`pyinject.istio.funcs.exclude_inbound_port`."""
    return funcs.exclude_inbound_port(go_sprint(port), excluded)


def append_multus_network(existing: Any, network: str) -> str:
    """Istio ``appendMultusNetwork``: see :func:`pyinject.istio.funcs.append_multus_network`."""
    return funcs.append_multus_network(str(_nil(existing) or ""), network)


def directory(path: Any) -> str:
    """Istio ``directory``: see :func:`pyinject.istio.funcs.directory`."""
    path = _nil(path)
    return funcs.directory("" if path is None else path if isinstance(path, str) else go_print(path))


def json_entries(text: Any) -> list[tuple[Any, Any]]:
    """``range $k, $v := fromJSON ...``: sorted map entries or indexed list items.

    Istio's ``fromJSON`` turns bad JSON into the string "{}", and ranging over a string
    fails, so bad JSON stops the injection here too.
    """
    data = funcs.from_json(_nil(text) or "")
    if isinstance(data, dict):
        return sorted(data.items())
    if isinstance(data, list):
        return list(enumerate(data))
    if data is None:
        return []
    raise GoError(f"range can't iterate over {go_sprint(data)}")


def istio_indent(text: str, spaces: int) -> str:
    """Istio's ``indent``: see :func:`pyinject.istio.funcs.indent` (filter form: text first)."""
    return funcs.indent(spaces, text)


def sprig_nindent(text: str, spaces: int) -> str:
    """sprig ``nindent``: a newline, then every line padded."""
    pad = " " * spaces
    return "\n" + pad + text.replace("\n", "\n" + pad)


def omit_nil(value: Any) -> Any:
    """Istio ``omitNil``: see :func:`pyinject.istio.funcs.omit_nil`."""
    return funcs.omit_nil(to_go(_nil(value)))


def to_yaml(value: Any) -> str:
    """Istio ``toYaml``: see :func:`pyinject.istio.funcs.to_yaml`."""
    return funcs.to_yaml(to_go(_nil(value)))


def pod_ports_json(containers: Any) -> str:
    """ISTIO_META_POD_PORTS: see :func:`pyinject.istio.funcs.pod_ports_json`."""
    return funcs.pod_ports_json(containers or ())


def otel_resource_attributes(
    mesh: Mapping[str, Any],
    annotations: Mapping[str, str],
    labels: Mapping[str, str],
    namespace: str,
    containers: Any,
) -> str:
    """Istio ``otelResourceAttributes``: see :func:`pyinject.istio.funcs.otel_resource_attributes`."""
    return funcs.otel_resource_attributes(mesh, annotations, labels, namespace, list(containers or ()))
