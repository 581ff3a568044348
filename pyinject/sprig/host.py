"""The sprig functions that read the host: env, expandenv, getHostByName.

Templates are data, so this module is the one place where they can see the
machine they run on.  :class:`TemplateEnviron` is the single policy point for
environment variables: kube-inject hands templates one that shows only the
variables named with ``--template-env``; DNS is never consulted.
"""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
else:  # typing is for mypy alone (start-up); the Go engine reads object as it reads Any
    Any = object

from pyinject.golang.values import GoFuncError


class TemplateEnviron(Mapping[str, str]):
    """The environment as templates see it: only the ``allowed`` names.

    Any other name reads as unset, and ``warn`` hears of it once per name, so a
    template that wanted a variable says which one to allow.
    """

    def __init__(self, environ: Mapping[str, str], allowed: Iterable[str],
                 warn: Callable[[str], None] | None = None) -> None:
        self._environ = environ
        self._allowed = frozenset(allowed)
        self._warn = warn
        self._refused: set[str] = set()

    def __getitem__(self, name: str) -> str:
        if name not in self._allowed:
            if name not in self._refused:
                self._refused.add(name)
                if self._warn is not None:
                    self._warn(f"a template read environment variable {name}, which reads as unset; "
                               f"allow it with --template-env {name}")
            raise KeyError(name)
        return self._environ[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._environ if name in self._allowed)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def lookup_env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of environment variable NAME in ``environ`` (the process's by default),
    "" when unset (os.Getenv)."""
    return (os.environ if environ is None else environ).get(name, "")


def env(name: str) -> str:
    """env NAME: the environment variable NAME, or "" when it is not set."""
    return lookup_env(name)


def _is_special(c: str) -> bool:
    return c in "*#$@!?-0123456789"


def _is_name_char(c: str) -> bool:
    return c == "_" or ("0" <= c <= "9") or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _shell_name(s: str) -> tuple[str, int]:
    """os.getShellName: the variable name after a "$" and how many bytes it spans."""
    if s[0] == "{":
        if len(s) > 2 and _is_special(s[1]) and s[2] == "}":
            return s[1], 3
        end = s.find("}", 1)
        if end == 1:
            return "", 2  # "${}" is bad syntax; eat it
        if end < 0:
            return "", 1  # "${" without "}"; eat "${"
        return s[1:end], end + 1
    if _is_special(s[0]):
        return s[0], 1
    i = 0
    while i < len(s) and _is_name_char(s[i]):
        i += 1
    return s[:i], i


def expand_env(s: str, environ: Mapping[str, str] | None = None) -> str:
    """S with $VAR and ${VAR} replaced from ``environ`` (os.ExpandEnv).

    Unset variables expand to ""; a "$" not followed by a name stays.
    """
    out: list[str] = []
    i = 0
    j = 0
    while j < len(s):
        if s[j] == "$" and j + 1 < len(s):
            out.append(s[i:j])
            name, width = _shell_name(s[j + 1 :])
            if name == "" and width > 0:
                pass  # invalid syntax: the characters are dropped
            elif name == "":
                out.append("$")
            else:
                out.append(lookup_env(name, environ))
            j += width
            i = j + 1
        j += 1
    if not out:
        return s
    return "".join(out) + s[i:]


def expandenv(s: str) -> str:
    """expandenv S: S with $VAR and ${VAR} replaced from the process environment."""
    return expand_env(s)


def get_host_by_name(name: str) -> str:
    """getHostByName NAME: always an error, as pyinject never resolves names (no network)."""
    raise GoFuncError(f"getHostByName {name!r}: DNS lookups are not supported by pyinject, which never uses the network")


def env_funcs(environ: Mapping[str, str]) -> dict[str, Callable[..., Any]]:
    """``env`` and ``expandenv`` reading ``environ`` (e.g. a :class:`TemplateEnviron`)."""

    def env_over(name: str) -> str:
        """env NAME: the environment variable NAME, or "" when it is not set."""
        return lookup_env(name, environ)

    def expandenv_over(s: str) -> str:
        """expandenv S: S with $VAR and ${VAR} replaced from the environment."""
        return expand_env(s, environ)

    return {"env": env_over, "expandenv": expandenv_over}


#: Over the process environment: the library's default (``gotemplate.render``).
#: kube-inject replaces env and expandenv with ``env_funcs(TemplateEnviron(...))``.
HOST_FUNCS: dict[str, Callable[..., Any]] = {
    "env": env,
    "expandenv": expandenv,
    "getHostByName": get_host_by_name,
}
