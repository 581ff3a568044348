"""The sprig functions that read the host: env, expandenv, getHostByName.

Templates are data, so this module is the one place where they can see the
machine they run on. ``lookup_env`` is the single policy point for
environment variables; DNS is never consulted.
"""

from typing import Any, Callable
import os

from pyinject.golang.values import GoFuncError


def lookup_env(name: str) -> str:
    """The value of environment variable NAME, "" when unset (os.Getenv)."""
    return os.environ.get(name, "")


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


def expandenv(s: str) -> str:
    """expandenv S: S with $VAR and ${VAR} replaced from the environment (os.ExpandEnv).

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
                out.append(lookup_env(name))
            j += width
            i = j + 1
        j += 1
    if not out:
        return s
    return "".join(out) + s[i:]


def get_host_by_name(name: str) -> str:
    """getHostByName NAME: always an error, as pyinject never resolves names (no network)."""
    raise GoFuncError(f"getHostByName {name!r}: DNS lookups are not supported by pyinject, which never uses the network")


HOST_FUNCS: dict[str, Callable[..., Any]] = {
    "env": env,
    "expandenv": expandenv,
    "getHostByName": get_host_by_name,
}
