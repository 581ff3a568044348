"""Remember between runs which Go templates parsed, so a run parses only the ones its pods use.

Istio's kube-inject parses every template of the injection config before it
injects anything, and so does pyinject: a syntax error in a template no pod
uses still fails the run.  A cluster's config carries seven templates, most
pods use one, and parsing the other six is most of a Go-config run's start-up.

Parsing is a pure function of the template's name and text, the names of the
functions it may call (an unknown name is a syntax error) and the engine's own
code.  So a template whose parse succeeded once succeeds again: the record of
that success, kept in the user's cache directory under a BLAKE2 digest of all
four, lets a later run put the parse off until a pod first renders the
template, and skip it when none does.  The engine's code enters the digest as
a digest of the engine package's source files, so an upgraded or edited engine
never trusts an old record.  Only successes are recorded: a template that
fails to parse fails every run at start-up, as before.

A record is an empty file named by its digest.  ``PYINJECT_CACHE_DIR`` moves
the directory and set to an empty string turns the records off, as it does for
the Jinja template cache; a directory that cannot be written means no records.
A record that was forged or damaged can do no more than postpone a syntax
error to the first render of that template, which then fails the run with the
same message.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from pyinject.render.user_cache import cache_root

try:  # CPython's own BLAKE2 module loads in a tenth of the time hashlib (OpenSSL) takes
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

_ENGINE_DIGEST: list[bytes] = []


def _engine_digest() -> bytes | None:
    """A digest of the Go-template engine's source files; None when they cannot be read."""
    if not _ENGINE_DIGEST:
        from pyinject import gotemplate

        digest = blake2b(digest_size=32)
        try:
            package = Path(gotemplate.__file__).parent
            for source in sorted(package.glob("*.py")):
                digest.update(source.name.encode())
                digest.update(source.read_bytes())
        except OSError:
            return None
        _ENGINE_DIGEST.append(digest.digest())
    return _ENGINE_DIGEST[0]


class ParseRecords:
    """The records of one run: which of its templates parsed before, and noting new successes."""

    def __init__(self, directory: str | None, function_names: Iterable[str]) -> None:
        self.directory = directory
        engine = _engine_digest() if directory is not None else None
        if engine is None:
            self.directory = None
            return
        names = "\n".join(sorted(function_names)).encode()
        self._prefix = blake2b(engine + b"\0" + names, digest_size=32).digest()

    def key(self, name: str, text: str) -> str | None:
        """Where the record of template ``name`` with ``text`` lives; None when records are off."""
        if self.directory is None:
            return None
        digest = blake2b(self._prefix, digest_size=32)
        for part in (name, text):
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "big"))
            digest.update(encoded)
        return os.path.join(self.directory, digest.hexdigest())

    def parsed_before(self, key: str | None) -> bool:
        """Whether the template of ``key`` parsed in an earlier run (of this engine, these functions)."""
        return key is not None and os.path.exists(key)

    def note_parsed(self, key: str | None) -> None:
        """Record that the template of ``key`` parsed; failures to write are ignored."""
        if key is None or self.directory is None:
            return
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            with open(key, "x"):
                pass
        except OSError:  # already recorded, or the directory cannot be written: no record
            pass


def parse_records(function_names: Iterable[str], environ: Mapping[str, str] | None = None) -> ParseRecords:
    """The records kept in the user's cache directory (see the module docstring)."""
    root = cache_root(environ)
    return ParseRecords(None if root is None else os.path.join(root, "gotemplate-parsed"), function_names)
