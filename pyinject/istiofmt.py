"""Formatting Istio's templates rely on: Go JSON, sigs.k8s.io/yaml, durations, proto-JSON.

Pure functions over JSON-like Python data, shared by the Go-template functions
(``gotemplate/funcs/istio.py``) and the Jinja2 templates.  Each one reproduces
the byte output of the Go library Istio calls, because that text ends up in
pod specs (``PROXY_CONFIG``, ``ISTIO_META_POD_PORTS``, ``toYaml`` blocks) and
goldens compare it verbatim.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any, Iterable, Mapping

# --------------------------------------------------------------------------
# Go encoding/json


class JSONStruct(dict):  # type: ignore[type-arg]
    """A Go struct on its way to JSON: keys stay in field order.

    Plain dicts are Go maps, whose keys encoding/json sorts.
    """


_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    # encoding/json escapes HTML-significant characters so output can be
    # embedded in <script>; Istio never turns that off.
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def go_json_string(s: str) -> str:
    """A JSON string literal exactly as encoding/json writes it."""
    out = ['"']
    for ch in s:
        esc = _JSON_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_json_float(x: float) -> str:
    """encoding/json's float64 text: shortest digits, exponent only outside [1e-6, 1e21)."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"json: unsupported value: {x!r}")
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    a = abs(x)
    if a < 1e-6 or a >= 1e21:
        text = repr(x)
        if "e" not in text:
            text = f"{x:e}"
        mant, _, exp = text.partition("e")
        if mant.endswith(".0"):
            mant = mant[:-2]
        sign = "-" if exp.startswith("-") else "+"
        digits = exp.lstrip("+-").lstrip("0") or "0"
        # Go writes e-07 as e-7 but keeps at least one digit.
        return f"{mant}e{sign}{digits}"
    d = Decimal(repr(x))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def go_json(value: Any) -> str:
    """encoding/json.Marshal of JSON-like data, compact."""
    out: list[str] = []
    _json_into(value, out)
    return "".join(out)


def _json_into(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(go_json_string(v))
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(go_json_float(v))
    elif isinstance(v, Mapping):
        keys: Iterable[Any] = v.keys() if isinstance(v, JSONStruct) else sorted(v.keys(), key=str)
        out.append("{")
        first = True
        for k in keys:
            if not first:
                out.append(",")
            first = False
            out.append(go_json_string(str(k)))
            out.append(":")
            _json_into(v[k], out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _json_into(item, out)
        out.append("]")
    else:
        raise TypeError(f"json: unsupported type: {type(v).__name__}")


# --------------------------------------------------------------------------
# Durations: protobuf Duration strings and Go's time.Duration.String

_PROTO_DURATION = re.compile(r"^(-)?(\d+)(?:\.(\d{1,9}))?s$")
_GO_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9,
             "m": 60 * 10**9, "h": 3600 * 10**9}
_GO_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> tuple[int, int]:
    """A proto-JSON (``"1.5s"``) or Go (``"1m30s"``) duration as (seconds, nanos)."""
    m = _PROTO_DURATION.match(text)
    if m:
        secs = int(m.group(2))
        nanos = int((m.group(3) or "").ljust(9, "0") or 0)
        if m.group(1):
            return -secs, -nanos
        return secs, nanos
    body = text
    neg = body.startswith("-")
    if body[:1] in "+-":
        body = body[1:]
    if body == "0":
        return 0, 0
    total = Decimal(0)
    pos = 0
    while pos < len(body):
        part = _GO_DURATION_PART.match(body, pos)
        if not part:
            raise ValueError(f"invalid duration {text!r}")
        total += Decimal(part.group(1)) * _GO_UNITS[part.group(2)]
        pos = part.end()
    if not body:
        raise ValueError(f"invalid duration {text!r}")
    ns = int(total)
    if neg:
        ns = -ns
    secs = int(ns / 10**9)
    return secs, ns - secs * 10**9


def proto_duration_json(seconds: int, nanos: int) -> str:
    """protobuf JSON of a Duration: 0, 3, 6 or 9 fractional digits, then ``s``."""
    return format_proto_duration(seconds * 10**9 + nanos)


def format_proto_duration(total_nanos: int) -> str:
    """protobuf JSON of a Duration given in nanoseconds (``"1.500s"``, ``"-2s"``)."""
    sign = "-" if total_nanos < 0 else ""
    seconds, nanos = divmod(abs(total_nanos), 10**9)
    if nanos == 0:
        return f"{sign}{seconds}s"
    frac = f"{nanos:09d}"
    for cut in (3, 6):
        if frac[cut:] == "0" * (9 - cut):
            frac = frac[:cut]
            break
    return f"{sign}{seconds}.{frac}s"


def go_duration_string(nanoseconds: int) -> str:
    """Go's time.Duration.String(): ``1h2m3.5s``, ``1.5ms``, ``0s``."""
    if nanoseconds == 0:
        return "0s"
    neg = nanoseconds < 0
    u = abs(nanoseconds)
    sign = "-" if neg else ""
    if u < 10**9:
        # Sub-second durations pick the largest unit that keeps a whole part.
        for unit, scale in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if u >= scale:
                return sign + _frac(u, scale) + unit
    secs_part = u % (60 * 10**9)
    minutes = u // (60 * 10**9)
    text = _frac(secs_part, 10**9) + "s"
    if minutes:
        hours, minutes = divmod(minutes, 60)
        text = f"{minutes}m" + text
        if hours:
            text = f"{hours}h" + text
    return sign + text


def _frac(value: int, scale: int) -> str:
    whole, rest = divmod(value, scale)
    if rest == 0:
        return str(whole)
    width = len(str(scale)) - 1
    return f"{whole}." + f"{rest:0{width}d}".rstrip("0")


def format_duration(value: Any) -> str:
    """Istio's ``formatDuration``: a proto Duration (string or (s, ns)) as Go prints it."""
    if value is None:
        return "0s"
    if isinstance(value, str):
        secs, nanos = parse_duration(value)
    else:
        secs, nanos = value
    return go_duration_string(secs * 10**9 + nanos)


# --------------------------------------------------------------------------
# sigs.k8s.io/yaml: Marshal = encoding/json, then go-yaml v2 re-encodes it

_YAML_BOOL_NULL = {
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
    "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    "~", "null", "Null", "NULL", "",
    ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    ".nan", ".NaN", ".NAN",
}
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_YAML_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_YAML_TIMESTAMP = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}"
    r"(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$"
)
_YAML_INT = re.compile(r"^[-+]?(0b[01]+|0x[0-9a-fA-F]+|0o?[0-7]+|[0-9]+)$")
_YAML_WIDTH = 80


def _yaml_resolves_to_string(s: str) -> bool:
    """Would go-yaml v2 read this plain scalar back as a string?"""
    if s in _YAML_BOOL_NULL:
        return False
    if s[0] in "+-.0123456789":
        plain = s.replace("_", "")
        if _YAML_INT.match(plain) or _YAML_FLOAT.match(plain):
            return False
        if _YAML_TIMESTAMP.match(s):
            return False
        if _YAML_BASE60.match(s):
            return False
    return True


def _is_printable(ch: str) -> bool:
    o = ord(ch)
    return (
        o in (0x09, 0x0A, 0x0D, 0x85)
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or 0xE000 <= o <= 0xFFFD
        or 0x10000 <= o <= 0x10FFFF
    ) and o != 0xFEFF


def _scalar_style(s: str) -> str:
    """go-yaml's choice for a string in block context: plain, single, double or literal."""
    if "\n" in s:
        return "literal" if _literal_allowed(s) else "double"
    if not _yaml_resolves_to_string(s):
        return "double"
    if s.startswith(("---", "...")):
        return "single"
    flow_ind = block_ind = special = False
    leading = s[0] in " \t"
    trailing = s[-1] in " \t"
    n = len(s)
    preceded_ws = True
    for i, ch in enumerate(s):
        followed_ws = i + 1 >= n or s[i + 1] in " \t\r\n"
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                block_ind = True
            elif ch in "?:" and followed_ws:
                block_ind = True
            elif ch == "-" and followed_ws:
                block_ind = True
        else:
            if ch == ":" and followed_ws:
                block_ind = True
            elif ch == "#" and preceded_ws:
                block_ind = True
        if not _is_printable(ch) or ch in "\r\x85":
            special = True
        preceded_ws = ch in " \t\r\n"
    if special:
        return "double"
    if leading or trailing or block_ind:
        return "single"
    return "plain"


def _literal_allowed(s: str) -> bool:
    if any(not _is_printable(ch) for ch in s):
        return False
    # Trailing spaces before a line break cannot survive a block scalar.
    return not (re.search(r"[ \t]\n", s) or s.endswith((" ", "\t")))


class _YamlWriter:
    """A small go-yaml v2 emitter for JSON trees in block style."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def node(self, v: Any, indent: int) -> None:
        # Called for a value at the start of a fresh line (document root).
        if isinstance(v, dict):
            if not v:
                self.lines.append(" " * indent + "{}")
            else:
                self.mapping(v, indent)
        elif isinstance(v, list):
            if not v:
                self.lines.append(" " * indent + "[]")
            else:
                self.sequence(v, indent)
        else:
            self.scalar_line(" " * indent, v, indent)

    def mapping(self, m: dict[str, Any], indent: int, first_prefix: str | None = None) -> None:
        for i, key in enumerate(sorted(m, key=_yaml_key_sort)):
            prefix = first_prefix if (i == 0 and first_prefix is not None) else " " * indent
            head = prefix + self.key_text(key) + ":"
            self.value_after(head, m[key], indent, in_mapping=True)

    def sequence(self, seq: list[Any], indent: int, first_prefix: str | None = None) -> None:
        for i, item in enumerate(seq):
            prefix = first_prefix if (i == 0 and first_prefix is not None) else " " * indent
            head = prefix + "-"
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, first_prefix=head + " ")
            elif isinstance(item, list) and item:
                self.sequence(item, indent + 2, first_prefix=head + " ")
            else:
                self.value_after(head, item, indent, in_mapping=False)

    def value_after(self, head: str, v: Any, indent: int, in_mapping: bool) -> None:
        if isinstance(v, dict) and v:
            self.lines.append(head)
            self.mapping(v, indent + 2)
        elif isinstance(v, list) and v:
            self.lines.append(head)
            # go-yaml v2 does not indent a sequence that is a mapping value.
            self.sequence(v, indent if in_mapping else indent + 2)
        elif isinstance(v, dict):
            self.lines.append(head + " {}")
        elif isinstance(v, list):
            self.lines.append(head + " []")
        else:
            self.scalar_line(head + " ", v, indent + 2)

    def key_text(self, key: str) -> str:
        style = _scalar_style(key)
        if style == "plain":
            return key
        if style == "single":
            return _single_quoted(key, None, 0)
        return _double_quoted(key, None, 0)

    def scalar_line(self, head: str, v: Any, indent: int) -> None:
        if v is None:
            self.lines.append(head + "null")
        elif v is True:
            self.lines.append(head + "true")
        elif v is False:
            self.lines.append(head + "false")
        elif isinstance(v, int):
            self.lines.append(head + str(v))
        elif isinstance(v, float):
            self.lines.append(head + _yaml_float(v))
        else:
            s = str(v)
            style = _scalar_style(s)
            if style == "literal":
                self.literal(head, s, indent)
            elif style == "plain":
                self.lines.append(_wrapped(head, s, indent))
            elif style == "single":
                self.lines.append(_single_quoted(s, head, indent))
            else:
                self.lines.append(_double_quoted(s, head, indent))

    def literal(self, head: str, s: str, indent: int) -> None:
        if s.endswith("\n\n") or s == "\n":
            chomp = "+"
        elif s.endswith("\n"):
            chomp = ""
        else:
            chomp = "-"
        indicator = str(2) if s[:1] in (" ", "\n") else ""
        self.lines.append(head + "|" + indicator + chomp)
        body = s[:-1] if s.endswith("\n") else s
        for line in body.split("\n"):
            self.lines.append((" " * indent + line) if line else "")


def _yaml_key_sort(key: str) -> Any:
    return _NaturalKey(key)


class _NaturalKey:
    """go-yaml v2's map key order: digit runs compare as numbers, letters after other runes."""

    __slots__ = ("s",)

    def __init__(self, s: str) -> None:
        self.s = s

    def __lt__(self, other: _NaturalKey) -> bool:
        ar, br = self.s, other.s
        for i in range(min(len(ar), len(br))):
            if ar[i] == br[i]:
                continue
            al, bl = ar[i].isalpha(), br[i].isalpha()
            if al and bl:
                return ar[i] < br[i]
            if al or bl:
                return bl
            an = bn = 0
            if ar[i] == "0" or br[i] == "0":
                j = i - 1
                while j >= 0 and ar[j].isdigit():
                    if ar[j] != "0":
                        an = bn = 1
                        break
                    j -= 1
            ai = i
            while ai < len(ar) and ar[ai].isdigit():
                an = an * 10 + int(ar[ai])
                ai += 1
            bi = i
            while bi < len(br) and br[bi].isdigit():
                bn = bn * 10 + int(br[bi])
                bi += 1
            if an != bn:
                return an < bn
            if ai != bi:
                return ai < bi
            return ar[i] < br[i]
        return len(ar) < len(br)


def _yaml_float(x: float) -> str:
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    from pyinject.gotemplate.gofmt import format_float

    return format_float(x, "g", -1)


def _wrapped(head: str, s: str, indent: int) -> str:
    """Plain scalar text; go-yaml folds at spaces once a line passes 80 columns."""
    out = [head]
    column = len(head)
    spaces = False
    for i, ch in enumerate(s):
        if ch == " ":
            nxt_space = i + 1 < len(s) and s[i + 1] == " "
            if not spaces and column > _YAML_WIDTH and not nxt_space:
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(ch)
                column += 1
            spaces = True
        else:
            out.append(ch)
            column += 1
            spaces = False
    return "".join(out)


def _single_quoted(s: str, head: str | None, indent: int) -> str:
    out = [head or "", "'"]
    column = len(head or "") + 1
    spaces = False
    for i, ch in enumerate(s):
        if ch == " " and head is not None:
            nxt_space = i + 1 < len(s) and s[i + 1] == " "
            if not spaces and column > _YAML_WIDTH and 0 < i < len(s) - 1 and not nxt_space:
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(ch)
                column += 1
            spaces = True
            continue
        spaces = False
        if ch == "'":
            out.append("''")
            column += 2
        else:
            out.append(ch)
            column += 1
    out.append("'")
    return "".join(out)


_DQ_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
    "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\",
    "\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P",
}


def _double_quoted(s: str, head: str | None, indent: int) -> str:
    out = [head or "", '"']
    column = len(head or "") + 1
    spaces = False
    for i, ch in enumerate(s):
        if ch == " ":
            if (head is not None and not spaces and column > _YAML_WIDTH
                    and 0 < i < len(s) - 1):
                # A folded line break; the leading space of the next line is escaped.
                out.append("\n" + " " * indent)
                column = indent
                if i + 1 < len(s) and s[i + 1] == " ":
                    out.append("\\")
                    column += 1
            else:
                out.append(" ")
                column += 1
            spaces = True
            continue
        spaces = False
        esc = _DQ_ESCAPES.get(ch)
        if esc is None and (not _is_printable(ch) or ch == "\ufeff"):
            o = ord(ch)
            esc = f"\\x{o:02X}" if o <= 0xFF else (f"\\u{o:04X}" if o <= 0xFFFF else f"\\U{o:08X}")
        text = esc if esc is not None else ch
        out.append(text)
        column += len(text)
    out.append('"')
    return "".join(out)


def go_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml.Marshal: JSON first (Go field/map rules), then go-yaml v2 block YAML."""
    tree = json.loads(go_json(value), parse_float=_json_number_float, parse_int=int)
    w = _YamlWriter()
    if isinstance(tree, dict) and tree:
        w.mapping(tree, 0)
    elif isinstance(tree, list) and tree:
        w.sequence(tree, 0)
    else:
        w.node(tree, 0)
    return "\n".join(w.lines) + "\n"


def _json_number_float(text: str) -> float | int:
    # go-yaml resolves "1e+06"-style JSON numbers; integral mantissas without
    # an exponent never reach here because encoding/json prints them as ints.
    return float(text)


# --------------------------------------------------------------------------
# Kubernetes container ports (includeInboundPorts, applicationPorts)


def container_ports(containers: Iterable[Mapping[str, Any]], skip_name: str | None = None) -> str:
    """Comma-joined TCP container ports; UDP and SCTP ports are never intercepted."""
    parts: list[str] = []
    for c in containers:
        if skip_name is not None and c.get("name") == skip_name:
            continue
        for p in c.get("ports") or ():
            if p.get("protocol") in ("UDP", "SCTP"):
                continue
            parts.append(str(int(p.get("containerPort") or 0)))
    return ",".join(parts)


def exclude_inbound_port(port: str, excluded: str) -> str:
    """Add ``port`` to a comma list of excluded inbound ports unless it is already there."""
    port = port.strip()
    if not port or port == "0":
        return excluded
    kept: list[str] = []
    for item in excluded.split(","):
        if item == port:
            return excluded
        item = item.strip()
        if item:
            kept.append(item)
    kept.append(port)
    return ",".join(kept)


# --------------------------------------------------------------------------
# Protobuf type tables (pyinject/data/istio_types.json) and protobuf JSON


class ProtoField:
    """One field of an Istio protobuf message, as the type table describes it."""

    __slots__ = ("name", "number", "type", "oneof", "json_name", "go_name", "repeated", "map", "elem")

    def __init__(self, name: str, number: int, type_: str, oneof: str | None) -> None:
        self.name = name
        self.number = number
        self.type = type_
        self.oneof = oneof
        self.json_name = json_camel(name)
        self.go_name = go_camel(name)
        self.repeated = type_.startswith("repeated:")
        self.map = type_.startswith("map:")
        #: The element type for repeated/map fields, else the type itself.
        self.elem = type_.split(":", 1)[1] if (self.repeated or self.map) else type_


class ProtoTypes:
    """The message and enum tables, indexed for lookups by Go, JSON and proto name."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.packages: dict[str, str] = dict(raw["packages"])
        self.enums: dict[str, dict[str, int]] = {k: dict(v) for k, v in raw["enums"].items()}
        self.enum_names: dict[str, dict[int, str]] = {
            k: {num: name for name, num in v.items()} for k, v in self.enums.items()
        }
        self.messages: dict[str, tuple[ProtoField, ...]] = {
            k: tuple(ProtoField(f[0], f[1], f[2], f[3] if len(f) > 3 else None) for f in v)
            for k, v in raw["messages"].items()
        }
        self.by_go: dict[str, dict[str, ProtoField]] = {
            k: {f.go_name: f for f in v} for k, v in self.messages.items()
        }
        #: Per message, the Go name of each oneof and its member fields.
        self.oneofs: dict[str, dict[str, tuple[ProtoField, ...]]] = {}
        for k, v in self.messages.items():
            groups: dict[str, list[ProtoField]] = {}
            for f in v:
                if f.oneof is not None:
                    groups.setdefault(go_camel(f.oneof), []).append(f)
            self.oneofs[k] = {g: tuple(fs) for g, fs in groups.items()}
        self.default_proxy_config: dict[str, Any] = dict(raw["defaultProxyConfig"])

    def go_type_name(self, full_name: str) -> str:
        """``istio.mesh.v1alpha1.MeshConfig.CA`` -> ``v1alpha1.MeshConfig_CA``."""
        for pkg, short in self.packages.items():
            if full_name.startswith(pkg + "."):
                return short + "." + full_name[len(pkg) + 1 :].replace(".", "_")
        pkg, _, name = full_name.rpartition(".")
        return pkg.rpartition(".")[2] + "." + name


_TYPES: ProtoTypes | None = None


def proto_types() -> ProtoTypes:
    """The Istio type tables, loaded once per process."""
    global _TYPES
    if _TYPES is None:
        from importlib import resources

        text = resources.files("pyinject.data").joinpath("istio_types.json").read_text("utf-8")
        _TYPES = ProtoTypes(json.loads(text))
    return _TYPES


def go_camel(name: str) -> str:
    """protoc-gen-go's Go identifier for a proto field name (``k8s_sa_jwt_path`` -> ``K8SSaJwtPath``)."""
    out: list[str] = []
    i, n = 0, len(name)
    while i < n:
        c = name[i]
        if c == "_" and (i == 0 or name[i - 1] == "."):
            out.append("X")
        elif c == "_" and i + 1 < n and name[i + 1].islower():
            pass
        elif c.isdigit():
            out.append(c)
        else:
            out.append(c.upper() if c.islower() else c)
            while i + 1 < n and name[i + 1].islower():
                i += 1
                out.append(name[i])
        i += 1
    return "".join(out)


def json_camel(name: str) -> str:
    """protoc's default JSON name: underscores dropped, the next letter upper-cased."""
    out: list[str] = []
    upper = False
    for c in name:
        if c == "_":
            upper = True
        elif upper:
            out.append(c.upper())
            upper = False
        else:
            out.append(c)
    return "".join(out)


def field_value(msg: Mapping[str, Any], f: ProtoField) -> Any:
    """A field's value in a proto-JSON dict, by JSON name or (as protojson accepts) proto name."""
    v = msg.get(f.json_name)
    if v is None and f.name != f.json_name:
        v = msg.get(f.name)
    return v


_WKT_INT64 = ("wkt:Int64Value", "wkt:UInt64Value")


def _is_zero_scalar(t: str, v: Any, types: ProtoTypes) -> bool:
    if t.startswith("enum:"):
        return _enum_number(t[5:], v, types) == 0
    if t == "string":
        return bool(v == "")
    if t == "bool":
        return v is False
    if t in ("int32", "int64", "uint32", "uint64", "double", "float"):
        try:
            return float(v) == 0
        except (TypeError, ValueError):
            return False
    return False


def _enum_number(enum: str, v: Any, types: ProtoTypes) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    table = types.enums.get(enum)
    if table is not None and isinstance(v, str):
        return table.get(v)
    return None


def _proto_value_json(t: str, v: Any, types: ProtoTypes) -> str:
    if t == "string":
        return go_json_string(str(v))
    if t == "bool":
        return "true" if v else "false"
    if t in ("int32", "uint32"):
        return str(int(v))
    if t in ("int64", "uint64"):
        # Protobuf JSON quotes 64-bit integers so JavaScript keeps every digit.
        return go_json_string(str(int(v)))
    if t in ("double", "float"):
        return go_json_float(float(v))
    if t.startswith("enum:"):
        num = _enum_number(t[5:], v, types)
        name = types.enum_names.get(t[5:], {}).get(num) if num is not None else None
        if name is not None:
            return go_json_string(name)
        return str(num) if num is not None else go_json_string(str(v))
    if t == "wkt:Duration":
        secs, nanos = parse_duration(v) if isinstance(v, str) else v
        return go_json_string(proto_duration_json(secs, nanos))
    if t == "wkt:BoolValue":
        return "true" if v else "false"
    if t in _WKT_INT64:
        return go_json_string(str(int(v)))
    if t in ("wkt:Int32Value", "wkt:UInt32Value"):
        return str(int(v))
    if t in ("wkt:DoubleValue", "wkt:FloatValue"):
        return go_json_float(float(v))
    if t == "wkt:StringValue":
        return go_json_string(str(v))
    if t.startswith("msg:") and t[4:] in types.messages and isinstance(v, Mapping):
        return proto_json(v, t[4:])
    # Struct, Value and messages outside the table: plain JSON with sorted keys.
    return go_json(v)


def proto_json(msg: Mapping[str, Any], type_name: str) -> str:
    """Istio's protomarshal.ToJSON (golang/protobuf jsonpb, compact) of a proto-JSON dict.

    Fields come out in .proto declaration order; zero scalars, empty lists and
    maps are left out, while set messages, wrappers and oneof members are
    kept even when empty or zero.  Keys the table does not know follow last.
    """
    types = proto_types()
    fields = types.messages.get(type_name)
    if fields is None:
        return go_json(dict(msg))
    parts: list[str] = []
    seen: set[str] = set()
    for f in fields:
        seen.add(f.json_name)
        seen.add(f.name)
        v = field_value(msg, f)
        if v is None:
            continue
        if f.repeated:
            if not v:
                continue
            text = "[" + ",".join(_proto_value_json(f.elem, item, types) for item in v) + "]"
        elif f.map:
            if not v:
                continue
            text = "{" + ",".join(
                go_json_string(str(k)) + ":" + _proto_value_json(f.elem, v[k], types)
                for k in sorted(v, key=str)
            ) + "}"
        else:
            if f.oneof is None and _is_zero_scalar(f.type, v, types):
                continue
            text = _proto_value_json(f.type, v, types)
        parts.append(go_json_string(f.json_name) + ":" + text)
    for k, v in msg.items():
        if k not in seen and v is not None:
            parts.append(go_json_string(str(k)) + ":" + go_json(v))
    return "{" + ",".join(parts) + "}"


def _same_duration(a: Any, b: Any) -> bool:
    try:
        return parse_duration(a) == parse_duration(b)
    except (TypeError, ValueError):
        return bool(a == b)


def clean_proxy_config(pc: Mapping[str, Any]) -> dict[str, Any]:
    """Istio's cleanProxyConfig: drop ProxyConfig fields that equal the built-in defaults.

    Istio does this before writing ``PROXY_CONFIG`` into the pod to keep the
    pod object small; fields without a built-in default are kept whenever set.
    """
    types = proto_types()
    defaults = types.default_proxy_config
    by_json = {f.json_name: f for f in types.messages["istio.mesh.v1alpha1.ProxyConfig"]}
    out: dict[str, Any] = {}
    for key, value in pc.items():
        f = by_json.get(key) or next(
            (x for x in by_json.values() if x.name == key), None
        )
        jkey = f.json_name if f is not None else key
        if jkey in defaults and value is not None:
            default = defaults[jkey]
            if f is not None and f.type == "wkt:Duration":
                if _same_duration(value, default):
                    continue
            elif f is not None and f.type.startswith("enum:"):
                enum = f.type[5:]
                if _enum_number(enum, value, types) == _enum_number(enum, default, types):
                    continue
            elif value == default:
                continue
        if jkey == "proxyMetadata" and not value:
            continue
        out[key] = value
    return out


def proxy_config_json(pc: Mapping[str, Any] | None) -> str:
    """``protoToJSON .ProxyConfig``: the cleaned ProxyConfig as compact protobuf JSON."""
    if pc is None:
        return "{}"
    return proto_json(clean_proxy_config(pc), "istio.mesh.v1alpha1.ProxyConfig")
