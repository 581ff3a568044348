"""Generate the benchmark's input manifests: a seeded realistic mix, or the older uniform set.

``mix`` (the default) writes one Deployment per workload, and no two are alike
except by chance: names, namespaces, images, container counts, ports, probe
kinds, annotations (including a few that steer injection), resources, service
accounts and environment all vary, drawn from a seeded generator so the same
seed always gives the same bytes.

``names`` writes the Deployment of ``uniform`` alone, once per workload with
another name: what one Helm chart installed many times renders, where pods
differ only in identity strings.  It is the best case for reusing one pod's
rendered sidecar for the next, as ``mix`` is close to the worst.

``uniform`` is the generator earlier benchmark figures used: every workload is
the same Deployment with another name, plus a Service and a ConfigMap.  Those
two pass through pyinject untouched but the floor must load and dump them, so
the ratios it gives are lower for the same injector (see ``RESULTS.md``).

    python bench/generate.py mix 1000 > workloads.yaml
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

UNIFORM_WORKLOAD = """\
# {name}: the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
  labels:
    app: {name}
    version: v1
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {name}
      version: v1
  template:
    metadata:
      labels:
        app: {name}
        version: v1
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: {name}
      containers:
      - name: app
        image: "registry.example.com/shop/{name}:1.4.2"
        args: ["--port", "8080", "--metrics-port", "9090"]
        env:
        - name: LOG_LEVEL
          value: info
        ports:
        - containerPort: 8080
          name: http
        - containerPort: 9090
          name: metrics
        readinessProbe:
          httpGet:
            path: /ready
            port: 8080
          periodSeconds: 5
        livenessProbe:
          httpGet:
            path: /healthz
            port: http
          initialDelaySeconds: 10
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
      - name: cache  # sidecar cache, talks to app on localhost
        image: redis:7
        ports:
        - containerPort: 6379
        livenessProbe:
          tcpSocket:
            port: 6379
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: shop
spec:
  selector:
    app: {name}
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: shop
data:
  settings.yaml: |
    cache: redis://localhost:6379
    timeout: 30s
"""

WORDS = ("cart", "checkout", "catalog", "payments", "search", "users", "orders", "reviews", "ratings",
         "shipping", "inventory", "auth", "gateway", "mailer", "billing", "ledger", "ads", "recs")
NAMESPACES = ("shop", "payments", "default", "edge", "data")
REGISTRIES = ("registry.example.com/shop", "ghcr.io/acme", "docker.io/library", "quay.io/team")
HELPERS = (("redis", "redis:7.2", 6379), ("memcached", "memcached:1.6", 11211),
           ("fluent-bit", "fluent/fluent-bit:2.2", 2020), ("statsd", "prom/statsd-exporter:v0.26", 9102))
CPU = ("50m", "100m", "250m", "500m", "1", "2")
MEMORY = ("64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi")
#: Annotations a real pod carries; a few of them change what the sidecar looks like.
ANNOTATIONS = (
    ("prometheus.io/scrape", lambda r: "true"),
    ("prometheus.io/path", lambda r: r.choice(("/metrics", "/stats/prometheus"))),
    ("sidecar.istio.io/proxyCPU", lambda r: r.choice(("50m", "100m", "200m"))),
    ("sidecar.istio.io/proxyMemory", lambda r: r.choice(("64Mi", "128Mi"))),
    ("traffic.sidecar.istio.io/excludeOutboundPorts", lambda r: str(r.choice((5432, 3306, 9092)))),
    ("proxy.istio.io/config", lambda r: json.dumps({"holdApplicationUntilProxyStarts": True})),
    ("example.com/owner", lambda r: r.choice(("team-a", "team-b", "platform"))),
    ("kubectl.kubernetes.io/default-container", lambda r: "app"),
)


def _probe(r: random.Random, port: int, port_name: str) -> list[str]:
    kind = r.choice(("http", "http-named", "tcp", "exec", "grpc"))
    if kind == "http":
        lines = ["httpGet:", f"  path: /{r.choice(('ready', 'healthz', 'live', 'status'))}", f"  port: {port}"]
    elif kind == "http-named":
        lines = ["httpGet:", "  path: /healthz", f"  port: {port_name}", "  scheme: HTTP"]
    elif kind == "tcp":
        lines = ["tcpSocket:", f"  port: {port}"]
    elif kind == "exec":
        lines = ["exec:", "  command: [\"cat\", \"/tmp/healthy\"]"]
    else:
        lines = ["grpc:", f"  port: {port}"]
    if r.random() < 0.5:
        lines.append(f"initialDelaySeconds: {r.choice((1, 5, 10, 30))}")
    if r.random() < 0.5:
        lines.append(f"periodSeconds: {r.choice((5, 10, 15))}")
    return lines


def _indent(lines: list[str], by: int) -> list[str]:
    return [" " * by + line for line in lines]


def mix_workload(r: random.Random, i: int) -> str:
    """One Deployment, its details drawn from ``r``."""
    name = f"{r.choice(WORDS)}-{r.choice(WORDS)}-{i}"
    namespace = r.choice(NAMESPACES)
    version = r.choice(("v1", "v2", "v3"))
    port = r.choice((8080, 8000, 9000, 3000, 5000))
    metrics = port + 1
    out = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        f"  name: {name}",
        f"  namespace: {namespace}",
        "  labels:",
        f"    app: {name}",
        f"    version: {version}",
        "spec:",
        f"  replicas: {r.choice((1, 2, 3, 5))}",
        "  selector:",
        "    matchLabels:",
        f"      app: {name}",
        "  template:",
        "    metadata:",
        "      labels:",
        f"        app: {name}",
        f"        version: {version}",
    ]
    if r.random() < 0.3:
        out.append(f"        tier: {r.choice(('frontend', 'backend', 'data'))}")
    chosen = r.sample(ANNOTATIONS, r.randint(0, 4))
    if chosen:
        out.append("      annotations:")
        out += [f"        {key}: {json.dumps(value(r))}" for key, value in chosen]
    out.append("    spec:")
    if r.random() < 0.8:
        out.append(f"      serviceAccountName: {name if r.random() < 0.7 else 'default-sa'}")
    out.append("      containers:")
    out += [
        "      - name: app",
        f"        image: {r.choice(REGISTRIES)}/{name}:{r.randint(1, 3)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
    ]
    if r.random() < 0.5:
        out.append(f"        args: [\"--port\", \"{port}\"]")
    if r.random() < 0.6:
        out.append("        env:")
        for key in r.sample(("LOG_LEVEL", "REGION", "FEATURE_X", "DB_HOST"), r.randint(1, 3)):
            out += [f"        - name: {key}", f"          value: {json.dumps(r.choice(('info', 'eu-west-1', 'on', 'db')))}"]
    out += ["        ports:", f"        - containerPort: {port}", "          name: http"]
    if r.random() < 0.5:
        out += [f"        - containerPort: {metrics}", "          name: metrics"]
    if r.random() < 0.8:
        out += ["        readinessProbe:"] + _indent(_probe(r, port, "http"), 10)
    if r.random() < 0.6:
        out += ["        livenessProbe:"] + _indent(_probe(r, port, "http"), 10)
    if r.random() < 0.2:
        out += ["        startupProbe:"] + _indent(_probe(r, port, "http"), 10)
    if r.random() < 0.8:
        out += ["        resources:", "          requests:", f"            cpu: {r.choice(CPU)}",
                f"            memory: {r.choice(MEMORY)}"]
        if r.random() < 0.5:
            out += ["          limits:", f"            memory: {r.choice(MEMORY)}"]
    for helper, image, helper_port in r.sample(HELPERS, r.choice((0, 0, 1, 1, 2))):
        out += [f"      - name: {helper}", f"        image: {image}", "        ports:",
                f"        - containerPort: {helper_port}"]
        if r.random() < 0.5:
            out += ["        livenessProbe:", "          tcpSocket:", f"            port: {helper_port}"]
    return "\n".join(out) + "\n"


def write_mix(out: Callable[[str], object], workloads: int, seed: int) -> None:
    r = random.Random(seed)
    for i in range(workloads):
        out("---\n")
        out(mix_workload(r, i))


def write_uniform(out: Callable[[str], object], workloads: int, seed: int) -> None:
    for i in range(workloads):
        out("---\n")
        out(UNIFORM_WORKLOAD.format(name=f"web-{i:05d}"))


def write_names(out: Callable[[str], object], workloads: int, seed: int) -> None:
    deployment = UNIFORM_WORKLOAD.split("---\n", 1)[0]
    for i in range(workloads):
        out("---\n")
        out(deployment.format(name=f"web-{i:05d}"))


GENERATORS: dict[str, Callable[[Callable[[str], object], int, int], None]] = {
    "mix": write_mix,
    "names": write_names,
    "uniform": write_uniform,
}

#: The seed every published figure and output hash uses.
SEED = 15


def write_manifest(path: Path, workloads: int, generator: str = "mix", seed: int = SEED) -> None:
    """``workloads`` workloads from ``generator`` into ``path``."""
    with path.open("w", encoding="utf-8") as f:
        GENERATORS[generator](f.write, workloads, seed)


if __name__ == "__main__":
    GENERATORS[sys.argv[1]](sys.stdout.write, int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else SEED)
