"""The user's pyinject cache directory, shared by the caches kept between runs.

``PYINJECT_CACHE_DIR`` names it; set to an empty string it turns every cache
off.  Otherwise it is ``pyinject`` under ``XDG_CACHE_HOME``, else under
``~/.cache``.  Each cache keeps its own subdirectory and treats a directory it
cannot write as no cache at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Where caches are kept between runs; "" turns them off.
CACHE_DIR_VARIABLE = "PYINJECT_CACHE_DIR"


def cache_root(environ: Mapping[str, str] | None = None) -> str | None:
    """The user's pyinject cache directory (not created), or None when caching is off."""
    env = os.environ if environ is None else environ
    configured = env.get(CACHE_DIR_VARIABLE)
    if configured == "":
        return None
    if configured is None:
        base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        configured = os.path.join(base, "pyinject")
    return configured
