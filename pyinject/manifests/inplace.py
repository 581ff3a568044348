"""``--in-place``: give each input file its own output, replacing only the files that change.

Every file is processed and staged (see :mod:`pyinject.manifests.files`)
before any is replaced, so an error in the tenth file leaves the first nine
untouched too, and a rename that fails puts back the files already renamed.
Files whose output equals their text are not touched at all (their
modification time stays, which keeps ``make`` and pre-commit quiet).
"""

from __future__ import annotations

import os

from pyinject import records
from pyinject.errors import UsageError
from pyinject.model import Options, Outcome
from pyinject.manifests.files import Staging
from pyinject.manifests.output import JSON_IF_CHANGED, JSON_OUTPUT, PRESERVING
from pyinject.manifests.read import STDIN, expand_paths, is_url
from pyinject.model import Injector, OutputMode, Warn
from pyinject.pipeline import run_per_source
from pyinject.records import dataclass, field


@dataclass
class InPlaceResult:
    """What an in-place run did."""

    outcomes: list[Outcome] = field(default_factory=list)
    #: Files rewritten, in input order.
    changed: list[str] = field(default_factory=list)
    #: Every file read.
    sources: list[str] = field(default_factory=list)


def input_files(filenames: tuple[str, ...]) -> tuple[str, ...]:
    """The files ``-f`` names (directories expanded), each once; stdin is refused."""
    if STDIN in filenames:
        raise UsageError("--in-place rewrites files, so it cannot read - (stdin)")
    urls = [name for name in filenames if is_url(name)]
    if urls:
        raise UsageError(f"--in-place rewrites files, so it cannot read a URL ({urls[0]})")
    seen: dict[str, str] = {}
    for path in expand_paths(filenames):
        # The same file named twice (or through a link) is rewritten once.
        seen.setdefault(os.path.realpath(path), path)
    return tuple(seen.values())


def rewrite_in_place(
    options: Options, injector: Injector, *, mode: OutputMode, warn: Warn | None = None, force: bool = False
) -> InPlaceResult:
    """Process every file named by ``options.filenames`` and replace those whose output differs."""
    files = input_files(options.filenames)
    result = InPlaceResult(sources=list(files))
    if mode is JSON_OUTPUT:
        # Each file keeps its format; --output-format json may only confirm that of JSON files.
        yaml_files = [f for f in files if not f.endswith(".json")]
        if yaml_files:
            raise UsageError(f"--in-place keeps each file's format, so --output-format json cannot rewrite "
                             f"{yaml_files[0]} (JSON files stay JSON without it)")
        mode = PRESERVING

    def mode_for(source: str) -> OutputMode:
        # A JSON file stays JSON: the rewritten documents are written as JSON.
        if mode is PRESERVING and source.endswith(".json"):
            return JSON_IF_CHANGED
        return mode

    with Staging(force=force) as staging:
        for source in run_per_source(records.replace(options, filenames=files), injector, warn=warn, mode_for=mode_for):
            try:
                result.outcomes.extend(source.outcomes)
                if source.changed:
                    # Through a symbolic link, the file it points to is rewritten; the link stays.
                    staging.add(source.source, source.output)
            finally:
                source.close()
        result.changed.extend(staging.commit())
    return result
