"""Cost of template renders alone: run a kube-inject, then render what it rendered again.

Every ``GoTemplates.render`` call of the run is recorded (template and
context); the script then renders them all ``--rounds`` more times and prints
the CPU time per render and a digest of the first outputs (the same digest
before and after a change means the renders gave the same text).  Under
callgrind the instruction count of one render is the difference between a
run with ``--rounds 3`` and one with ``--rounds 0``, divided by three times
the number of renders:

    python bench/generate.py mix 100 > /tmp/mix.yaml
    valgrind --tool=callgrind python bench/renders.py --rounds 3 -- kube-inject -f /tmp/mix.yaml \\
        --injectConfigFile C/inject-config.yaml --valuesFile C/values.json --meshConfigFile C/mesh.yaml

(C is a cluster's exported config, e.g. the conformance corpus's istio-1.30.)
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sys
import time
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="extra rounds of every recorded render")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then pyinject's arguments")
    opts = parser.parse_args(argv)
    args = opts.args[1:] if opts.args[:1] == ["--"] else opts.args

    from pyinject.cli.commands import cli
    from pyinject.render import go

    recorded: list[tuple[Any, str, Any, str]] = []
    render = go.GoTemplates.render

    def recording(self: Any, name: str, ctx: Any) -> str:
        out = render(self, name, ctx)
        recorded.append((self, name, ctx, out))
        return out

    go.GoTemplates.render = recording  # type: ignore[method-assign]
    with open(os.devnull, "w", encoding="utf-8") as devnull, contextlib.redirect_stdout(devnull), \
            contextlib.redirect_stderr(devnull):
        try:
            cli(args=args, prog_name="pyinject", standalone_mode=False)
        except SystemExit:
            pass
    digest = hashlib.sha256()
    for *_, out in recorded:
        digest.update(out.encode("utf-8", "surrogateescape"))
    start = time.process_time()
    for _ in range(opts.rounds):
        for templates, name, ctx, _out in recorded:
            render(templates, name, ctx)
    spent = time.process_time() - start
    count = opts.rounds * len(recorded)
    per = f"{spent / count * 1e3:.3f} ms CPU per render" if count else "no extra renders"
    print(f"{len(recorded)} renders recorded, digest {digest.hexdigest()[:16]}; {per}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
