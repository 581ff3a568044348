"""Go's encoding/json for the few Kubernetes and Istio types whose JSON Istio writes into the pod.

Istio stores JSON in annotations and env values (``sidecar.istio.io/status``,
``proxy.istio.io/overrides``, ``ISTIO_KUBE_APP_PROBERS``,
``ISTIO_PROMETHEUS_ANNOTATIONS``) by marshalling Go structs.  Reproducing that
text byte for byte needs three things Python's ``json`` does not do:

- fields in Go *struct* order, with ``omitempty`` dropping empty values, while
  fields without it are always written (``"resources":{}``, ``"service":null``),
  and fields the struct does not know are dropped (they never survive Go's
  decoder);
- ``resource.Quantity`` in canonical form (``3000m`` becomes ``"3"``);
- Go's string escaping (``<``, ``>``, ``&`` as ``\\u003c``..., non-ASCII as is).

The struct table covers ``corev1.Container`` and everything it reaches, at the
Kubernetes API level Istio 1.30 builds with, plus Istio's own ``Prober``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.golang.encoding_json import JSONStruct, go_json_string
from pyinject.model import JSON
from pyinject.records import dataclass


@dataclass(frozen=True)
class GoField:
    """One field of a Go struct as encoding/json sees it.

    ``kind``: ``str``/``int``/``bool``/``float``/``quantity``/``intstr`` for
    scalars, ``any`` for a value kept as written, ``[]X`` a slice, ``map[X]`` a
    string-keyed map, ``*X`` a pointer to struct X, ``X`` a struct held by value
    (always written), ``inline X`` an embedded struct whose fields sit at this
    level.  ``pointer``: a pointer to a scalar, so ``omitempty`` drops only an
    absent value, not ``0`` or ``false``.
    """

    name: str
    kind: str
    omitempty: bool = True
    pointer: bool = False


def struct_fields(*specs: str) -> tuple[GoField, ...]:
    """Fields from ``"name kind"`` specs: ``!`` after the kind for no omitempty, ``?`` on it for a pointer scalar."""
    out = []
    for spec in specs:
        parts = spec.split()
        if parts[1] == "inline":
            out.append(GoField(parts[0], "inline " + parts[2], True, False))
            continue
        kind = parts[1]
        # (every field by position: the cheapest call of a record's __init__)
        out.append(GoField(parts[0], kind.rstrip("?"), "!" not in parts[2:], kind.endswith("?")))
    return tuple(out)


_struct = struct_fields


#: Go struct field order, from k8s.io/api/core/v1 types.go (and Istio's Prober).
#: A ``?`` marks a pointer to a scalar: omitempty drops only nil, not false or 0.
STRUCTS: dict[str, tuple[GoField, ...]] = {
    "Container": _struct(
        "name str !", "image str", "command []str", "args []str", "workingDir str",
        "ports []ContainerPort", "envFrom []EnvFromSource", "env []EnvVar",
        "resources ResourceRequirements", "resizePolicy []ContainerResizePolicy",
        "restartPolicy str?", "restartPolicyRules []ContainerRestartRule",
        "volumeMounts []VolumeMount", "volumeDevices []VolumeDevice",
        "livenessProbe *Probe", "readinessProbe *Probe", "startupProbe *Probe",
        "lifecycle *Lifecycle", "terminationMessagePath str", "terminationMessagePolicy str",
        "imagePullPolicy str", "securityContext *SecurityContext",
        "stdin bool", "stdinOnce bool", "tty bool",
    ),
    "ContainerPort": _struct(
        "name str", "hostPort int", "containerPort int !", "protocol str", "hostIP str",
    ),
    "EnvFromSource": _struct(
        "prefix str", "configMapRef *ConfigMapEnvSource", "secretRef *SecretEnvSource",
    ),
    "ConfigMapEnvSource": _struct("name str", "optional bool?"),
    "SecretEnvSource": _struct("name str", "optional bool?"),
    "EnvVar": _struct("name str !", "value str", "valueFrom *EnvVarSource"),
    "EnvVarSource": _struct(
        "fieldRef *ObjectFieldSelector", "resourceFieldRef *ResourceFieldSelector",
        "configMapKeyRef *KeySelector", "secretKeyRef *KeySelector",
        "fileKeyRef *FileKeySelector",
    ),
    "ObjectFieldSelector": _struct("apiVersion str", "fieldPath str !"),
    # Quantity is a struct in Go: omitempty never drops it, an unset divisor is "0".
    "ResourceFieldSelector": _struct("containerName str", "resource str !", "divisor quantity !"),
    "KeySelector": _struct("name str", "key str !", "optional bool?"),
    "FileKeySelector": _struct("volumeName str !", "path str !", "key str !", "optional bool?"),
    "ResourceRequirements": _struct(
        "limits map[quantity]", "requests map[quantity]", "claims []ResourceClaim",
    ),
    "ResourceClaim": _struct("name str !", "request str"),
    "ContainerResizePolicy": _struct("resourceName str !", "restartPolicy str !"),
    "ContainerRestartRule": _struct("action str !", "exitCodes *ContainerRestartRuleOnExitCodes"),
    "ContainerRestartRuleOnExitCodes": _struct("operator str !", "values []int"),
    "VolumeMount": _struct(
        "name str !", "readOnly bool", "recursiveReadOnly str?", "mountPath str !",
        "subPath str", "mountPropagation str?", "subPathExpr str",
    ),
    "VolumeDevice": _struct("name str !", "devicePath str !"),
    "Probe": _struct(
        "handler inline ProbeHandler", "initialDelaySeconds int", "timeoutSeconds int",
        "periodSeconds int", "successThreshold int", "failureThreshold int",
        "terminationGracePeriodSeconds int?",
    ),
    "ProbeHandler": _struct(
        "exec *ExecAction", "httpGet *HTTPGetAction", "tcpSocket *TCPSocketAction",
        "grpc *GRPCAction",
    ),
    "ExecAction": _struct("command []str"),
    "HTTPGetAction": _struct(
        "path str", "port intstr !", "host str", "scheme str", "httpHeaders []HTTPHeader",
    ),
    "HTTPHeader": _struct("name str !", "value str !"),
    "TCPSocketAction": _struct("port intstr !", "host str"),
    # Service has no omitempty upstream: an unset service is written as null.
    "GRPCAction": _struct("port int !", "service str? !"),
    "Lifecycle": _struct(
        "postStart *LifecycleHandler", "preStop *LifecycleHandler", "stopSignal str?",
    ),
    "LifecycleHandler": _struct(
        "exec *ExecAction", "httpGet *HTTPGetAction", "tcpSocket *TCPSocketAction",
        "sleep *SleepAction",
    ),
    "SleepAction": _struct("seconds int !"),
    "SecurityContext": _struct(
        "capabilities *Capabilities", "privileged bool?", "seLinuxOptions *SELinuxOptions",
        "windowsOptions *WindowsSecurityContextOptions", "runAsUser int?", "runAsGroup int?",
        "runAsNonRoot bool?", "readOnlyRootFilesystem bool?", "allowPrivilegeEscalation bool?",
        "procMount str?", "seccompProfile *SeccompProfile", "appArmorProfile *AppArmorProfile",
    ),
    "Capabilities": _struct("add []str", "drop []str"),
    "SELinuxOptions": _struct("user str", "role str", "type str", "level str"),
    "WindowsSecurityContextOptions": _struct(
        "gmsaCredentialSpecName str?", "gmsaCredentialSpec str?", "runAsUserName str?",
        "hostProcess bool?",
    ),
    "SeccompProfile": _struct("type str !", "localhostProfile str?"),
    "AppArmorProfile": _struct("type str !", "localhostProfile str?"),
    # Istio's own record of an app probe (pkg/kube/inject/app_probe.go).
    "Prober": _struct(
        "httpGet *HTTPGetAction", "tcpSocket *TCPSocketAction", "grpc *GRPCAction",
        "timeoutSeconds int",
    ),
}


#: A struct table: Go type name -> its fields in declaration order.
Structs = Mapping[str, tuple[GoField, ...]]

#: What a nil scalar decodes to (Go's zero value); other kinds stay nil.
_ZERO = {"str": "", "int": 0, "float": 0, "bool": False, "intstr": 0}


def encode(type_name: str, value: JSON, structs: Structs = STRUCTS) -> dict[str, JSON]:
    """What Go's ``json.Marshal`` emits for ``value`` decoded into struct ``type_name``.

    The result is a ``JSONStruct`` (Go's field order) for
    :func:`pyinject.golang.encoding_json.go_json`.  Fields the struct does not have are
    dropped, ``omitempty`` drops zero values (but not a non-nil pointer, nor a
    struct or quantity held by value), nil scalars become their zero value and
    quantities their canonical form.  ``structs`` is the table of types to
    follow (:data:`STRUCTS` by default: the container and what it reaches).
    """
    out: dict[str, JSON] = JSONStruct()
    source = value if (type(value) is dict or isinstance(value, Mapping)) else {}
    if structs is STRUCTS:
        plan = _PLANS.get(type_name)
        if plan is None:
            plan = _PLANS[type_name] = _plan(type_name)
        get = source.get
        for name, field, inline, drops_nil in plan:
            if inline:
                out.update(encode(inline, source))
                continue
            raw = get(name)
            if raw is None and drops_nil:
                continue  # what encode_field says first, without the call
            written, encoded = encode_field(field, raw)
            if written:
                out[name] = encoded
        return out
    for field in structs[type_name]:
        if field.kind.startswith("inline "):
            out.update(encode(field.kind[len("inline "):], source, structs))
            continue
        written, encoded = encode_field(field, source.get(field.name), structs)
        if written:
            out[field.name] = encoded
    return out


#: :data:`STRUCTS` ready for :func:`encode`, type by type: each field's name, the field,
#: the struct it inlines ("" if none) and whether a nil value is simply left out.
#: STRUCTS is a constant table, so what is read from it once stays true.
_PLANS: dict[str, tuple[tuple[str, GoField, str, bool], ...]] = {}


def _plan(type_name: str) -> tuple[tuple[str, GoField, str, bool], ...]:
    plan = []
    for field in STRUCTS[type_name]:
        if field.kind.startswith("inline "):
            plan.append((field.name, field, field.kind[len("inline "):], False))
        else:
            drops_nil = field.omitempty and field.kind != "quantity" and field.kind not in STRUCTS
            plan.append((field.name, field, "", drops_nil))
    return tuple(plan)


def flat_json(type_name: str, value: dict[str, Any]) -> str | None:
    """``go_json(encode(type_name, value))`` written directly, for a plain dict whose fields hold text, whole numbers or nulls.

    The commonest small structs (a container port, a probe's HTTP GET or TCP socket
    action) are written this way, field by field in struct order, keeping what
    :func:`encode` keeps: a str or int as it is (``""`` and ``0`` dropped under
    omitempty), a null dropped under omitempty and written as its zero value
    otherwise; fields the struct does not have are left out.  None when a field
    holds anything else, or when the struct has a field these rules do not cover
    (a quantity, a struct held by value, an inline struct): the caller then takes
    the general way.
    """
    plan = _FLAT_PLANS.get(type_name, _NO_PLAN)
    if plan is _NO_PLAN:
        plan = _FLAT_PLANS[type_name] = _flat_plan(type_name)
    if plan is None:
        return None
    parts = []
    for name, key, omitempty, zero in plan:
        raw = value.get(name)
        kind = type(raw)
        if raw is None:
            if not omitempty:
                parts.append(key + zero)
        elif zero == "":
            return None  # a list, map or pointer: only its absence is written here
        elif kind is str:
            if raw or not omitempty:
                parts.append(key + go_json_string(raw))
        elif kind is int:
            if raw or not omitempty:
                parts.append(key + str(raw))
        else:
            return None
    return "{" + ",".join(parts) + "}"


#: Per struct, for :func:`flat_json`: each field's name, its JSON key with the colon, its
#: omitempty, and the JSON of its zero value ("" for a field :func:`encode` drops when null,
#: taken only then); None for a struct with a field of another kind.
_FLAT_PLANS: dict[str, tuple[tuple[str, str, bool, str], ...] | None] = {}
_NO_PLAN: Any = object()
_FLAT_ZEROS = {"str": '""', "int": "0", "intstr": "0"}


def _flat_plan(type_name: str) -> tuple[tuple[str, str, bool, str], ...] | None:
    plan = []
    for f in STRUCTS[type_name]:
        scalar = not f.pointer and f.kind in _FLAT_ZEROS
        drops_nil = f.omitempty and (f.pointer or f.kind.startswith(("[]", "map[", "*")))
        if not scalar and not drops_nil:
            return None
        plan.append((f.name, go_json_string(f.name) + ":", f.omitempty, _FLAT_ZEROS[f.kind] if scalar else ""))
    return tuple(plan)


def encode_field(field: GoField, raw: JSON, structs: Structs = STRUCTS) -> tuple[bool, JSON]:
    """One (not inline) field of :func:`encode`: whether it is written, and its value.

    A field depends only on its own raw value, so a caller may encode a struct
    field by field (the rendered-template decoder memoises them).
    """
    if raw is None and field.omitempty and field.kind != "quantity" and field.kind not in structs:
        return False, None  # nil, or the zero value of a scalar, slice or map: omitempty drops it
    if raw is None and (field.pointer or field.kind.startswith("*")):
        return (False, None) if field.omitempty else (True, None)
    encoded = _encode_value(field.kind, raw, structs)
    if field.omitempty and _is_empty(field, encoded, structs):
        return False, None
    return True, encoded


def _encode_value(kind: str, raw: JSON, structs: Structs) -> JSON:
    if kind.startswith("[]"):
        if not isinstance(raw, list):
            return None
        return [_encode_value(kind[2:], item, structs) for item in raw]
    if kind.startswith("map["):
        if not isinstance(raw, Mapping):
            return None
        inner = kind[4:-1]
        # Go writes map keys sorted (struct fields keep their declared order).
        items = sorted(((str(k), v) for k, v in raw.items()), key=lambda kv: kv[0].encode("utf-8"))
        return {k: _encode_value(inner, v, structs) for k, v in items}
    if kind.startswith("*"):
        return None if raw is None else encode(kind[1:], raw, structs)
    if kind in structs:
        return encode(kind, raw, structs)
    if kind == "quantity":
        # resource.Quantity is a struct: a null decodes to its zero value, "0".
        return "0" if raw is None else canonical_quantity(raw)
    if raw is None:
        return _ZERO.get(kind)
    return raw


def _is_empty(field: GoField, value: JSON, structs: Structs) -> bool:
    """Go's omitempty: zero scalars (unless pointers), nil pointers, empty slices and maps."""
    if value is None:
        return True
    if field.kind == "quantity" or field.kind in structs:
        return False  # a struct held by value (Quantity is one) is never "empty" to encoding/json
    if field.pointer or field.kind.startswith("*"):
        return False  # a pointer is empty only when nil
    t = type(value)
    if t is str or t is list or t is dict:
        return len(value) == 0
    if isinstance(value, bool):
        return value is False
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, (str, list, tuple, Mapping)):
        return len(value) == 0
    return False


# --- resource.Quantity ----------------------------------------------------------

_QUANTITY = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}


def canonical_quantity(raw: JSON) -> JSON:
    """A Kubernetes quantity in the canonical form apimachinery serializes.

    No precision is lost, no fraction is written and the suffix is as large as
    possible; binary suffixes stay binary when the value is a whole number of at
    least 1024 (``1.5Gi`` -> ``1536Mi``, ``1.5`` -> ``1500m``, ``3000m`` -> ``3``).
    Values that do not parse are returned unchanged.  The arithmetic is exact,
    on whole numbers of nano units.
    """
    if isinstance(raw, bool) or raw is None:
        return raw
    text = str(raw).strip() if not isinstance(raw, (int, float)) else _plain_number(raw)
    m = _QUANTITY.match(text)
    if m is None:
        return raw
    whole, _, decimals = m.group("num").partition(".")
    # The number is numerator / 10**len(decimals); nano units multiply by 10**9.
    numerator = int(whole + decimals or "0")
    if m.group("sign") == "-":
        numerator = -numerator
    exp10 = 9 - len(decimals)
    suffix = m.group("suffix") or ""
    fmt = "decimal"
    if suffix in _BINARY:
        numerator <<= _BINARY[suffix]
        fmt = "binary"
    elif suffix in _DECIMAL:
        exp10 += _DECIMAL[suffix]
    else:
        exp10 += int(suffix[1:])
        fmt = "exponent"
    # Quantities keep nano precision at most; apimachinery rounds up beyond it.
    nano = numerator * 10**exp10 if exp10 >= 0 else -((-numerator) // 10**-exp10)
    if nano == 0:
        return "0"
    if fmt == "binary":
        if -1024 * _NANO < nano < 1024 * _NANO or nano % _NANO:
            fmt = "decimal"
        else:
            return _binary_text(nano // _NANO)
    return _decimal_text(nano, fmt)


_NANO = 10**9


def _plain_number(n: int | float) -> str:
    if isinstance(n, int):
        return str(n)
    return format(n, "f").rstrip("0").rstrip(".") if n == n else "nan"


def _binary_text(value: int) -> str:
    sign = "-" if value < 0 else ""
    mag = abs(value)
    shift = 0
    while shift < 60 and mag % (1 << (shift + 10)) == 0:
        shift += 10
    mantissa = mag >> shift
    suffix = {v: k for k, v in _BINARY.items()}.get(shift, "")
    return f"{sign}{mantissa}{suffix}"


def _decimal_text(nano: int, fmt: str) -> str:
    """``nano`` nano units with the largest exponent (a multiple of 3) that keeps the mantissa whole."""
    sign = "-" if nano < 0 else ""
    mag = abs(nano)
    exp = -9
    while exp < 18 or fmt == "exponent":
        if mag % 10 ** (exp + 3 + 9):
            break
        exp += 3
    mantissa = mag // 10 ** (exp + 9)
    if fmt == "exponent":
        suffix = f"e{exp}" if exp != 0 else ""
    else:
        suffix = _DECIMAL_SUFFIX[exp]
    return f"{sign}{mantissa}{suffix}"
