"""Generate pyinject/data/k8s_schema.json: the Pod type closure of the Kubernetes API schema.

Usage (from the repository root):

    python tools/gen_k8s_schema.py                      # downloads the pinned wheel with pip
    python tools/gen_k8s_schema.py --wheel path/to/kubernetes_validate-*.whl

The source is the `kubernetes-validate` package on PyPI, which ships the Kubernetes
OpenAPI definitions per release as JSON Schema and keeps the `x-kubernetes-*`
extensions that strategic merge patch needs.  Only this script reads the wheel;
pyinject reads the generated file at run time, so the package is not a dependency.

The output keeps, for every definition reachable from io.k8s.api.core.v1.Pod, every
field's JSON name and type (so that Go templates can be given typed views with zero
values), plus the patch strategy, patch merge key, list type and list map keys.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterator

PACKAGE = "kubernetes-validate"
PACKAGE_VERSION = "1.37.0"
# Istio 1.30 builds against the Kubernetes 1.36 client libraries (its May release
# follows the April Kubernetes release).  Patch metadata of PodSpec and everything
# under it is identical from 1.33 to 1.37; only new fields differ.
KUBERNETES_VERSION = "1.36.0"
ROOT = "io.k8s.api.core.v1.Pod"
OUTPUT = Path(__file__).resolve().parent.parent / "pyinject" / "data" / "k8s_schema.json"

# Definitions that are scalars on the wire although their Go types are structs;
# kubernetes-validate spells them as oneOf unions, the OpenAPI spec as strings.
SCALAR_DEFINITIONS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "int-or-string"},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "quantity"},
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": {"type": "string", "format": "date-time"},
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": {"type": "string", "format": "date-time"},
}

# JSON Schema extension -> our key.
EXTENSIONS = {
    "x-kubernetes-patch-strategy": "patchStrategy",
    "x-kubernetes-patch-merge-key": "patchMergeKey",
    "x-kubernetes-list-type": "listType",
    "x-kubernetes-list-map-keys": "listMapKeys",
    "x-kubernetes-map-type": "mapType",
}


def download_wheel(dest: Path) -> Path:
    """Fetch the pinned kubernetes-validate wheel with pip (no dependencies, not installed)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--only-binary=:all:", "-d", str(dest), f"{PACKAGE}=={PACKAGE_VERSION}"],
        check=True,
    )
    wheels = sorted(dest.glob("kubernetes_validate-*.whl"))
    if not wheels:
        raise SystemExit(f"pip left no {PACKAGE} wheel in {dest}")
    return wheels[0]


def read_definitions(wheel: Path, kube_version: str) -> dict[str, Any]:
    """The `$defs` of the per-release `_definitions.json` inside the wheel."""
    member = f"kubernetes_validate/kubernetes-json-schema/v{kube_version}-local/_definitions.json"
    with zipfile.ZipFile(wheel) as archive:
        try:
            raw = archive.read(member)
        except KeyError:
            raise SystemExit(f"{wheel.name} has no schema for Kubernetes {kube_version}") from None
    document = json.loads(raw)
    definitions = document.get("$defs") or document.get("definitions")
    if not isinstance(definitions, dict):
        raise SystemExit(f"{member}: no definitions found")
    return definitions


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def schema_type(schema: dict[str, Any]) -> str | None:
    """The JSON type of a schema, ignoring the "null" that marks optional fields."""
    declared = schema.get("type")
    if isinstance(declared, list):
        kinds = [t for t in declared if t != "null"]
        return kinds[0] if len(kinds) == 1 else None
    return declared if isinstance(declared, str) else None


def refs_in(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield ref_name(value)
            else:
                yield from refs_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from refs_in(value)


def closure(definitions: dict[str, Any], root: str) -> list[str]:
    """Every definition reachable from `root`, sorted by name."""
    seen: set[str] = set()
    pending = [root]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        if name not in definitions:
            raise SystemExit(f"dangling reference to {name}")
        seen.add(name)
        pending.extend(refs_in(definitions[name]))
    return sorted(seen)


def shape(schema: dict[str, Any], definitions: dict[str, Any], where: str) -> dict[str, Any]:
    """Compact description of one field's (or list item's, or map value's) type."""
    out: dict[str, Any]
    if "$ref" in schema:
        target = ref_name(schema["$ref"])
        out = dict(definition_kind(target, definitions[target]))
        out["ref"] = target
    else:
        kind = schema_type(schema)
        if kind == "array":
            out = {"type": "array", "items": shape(schema["items"], definitions, where + "[]")}
        elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            out = {"type": "map",
                   "values": shape(schema["additionalProperties"], definitions, where + "{}")}
        elif kind in ("string", "integer", "number", "boolean", "object"):
            out = {"type": kind}
        else:
            raise SystemExit(f"{where}: cannot describe schema {schema!r}")
        if "format" in schema:
            out["format"] = schema["format"]
    for extension, key in EXTENSIONS.items():
        if extension in schema:
            out[key] = schema[extension]
    return out


def definition_kind(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if name in SCALAR_DEFINITIONS:
        return SCALAR_DEFINITIONS[name]
    kind = schema_type(schema)
    if kind == "object":
        return {"type": "object"}
    if kind in ("string", "integer", "number", "boolean"):
        out = {"type": kind}
        if "format" in schema:
            out["format"] = schema["format"]
        return out
    raise SystemExit(f"{name}: cannot describe definition type {schema.get('type')!r}")


def describe(name: str, schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    out = dict(definition_kind(name, schema))
    properties = schema.get("properties")
    if isinstance(properties, dict):
        out["fields"] = {
            field: shape(sub, definitions, f"{name}.{field}") for field, sub in properties.items()
        }
    if schema.get("required"):
        out["required"] = list(schema["required"])
    if "x-kubernetes-map-type" in schema:
        out["mapType"] = schema["x-kubernetes-map-type"]
    return out


def build(wheel: Path, kube_version: str) -> dict[str, Any]:
    definitions = read_definitions(wheel, kube_version)
    names = closure(definitions, ROOT)
    return {
        "source": {
            "package": PACKAGE,
            "packageVersion": wheel.name.split("-")[1],
            "kubernetesVersion": kube_version,
            "file": f"kubernetes-json-schema/v{kube_version}-local/_definitions.json",
            "generator": "tools/gen_k8s_schema.py",
        },
        "root": ROOT,
        "definitions": {name: describe(name, definitions[name], definitions) for name in names},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded kubernetes_validate wheel")
    parser.add_argument("--kubernetes", default=KUBERNETES_VERSION, help="e.g. 1.36.0")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        result = build(wheel, args.kubernetes)
    text = json.dumps(result, indent=1) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(result['definitions'])} definitions)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
