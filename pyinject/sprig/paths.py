"""sprig's path and URL functions: Go's path (and, on Linux, path/filepath) and net/url.

Everything here is lexical: no function looks at the file system.
"""

from typing import Any, Callable

from pyinject.golang.strconv import quote
from pyinject.golang.values import GoFuncError, type_name

from pyinject.sprig.cast import from_go_bytes, go_bytes


def clean(p: str) -> str:
    """clean P: the shortest equivalent slash path ("a//b/../c/." → "a/c"; "" → ".")."""
    if p == "":
        return "."
    rooted = p.startswith("/")
    out: list[str] = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(seg)
    result = "/".join(out)
    if rooted:
        return "/" + result
    return result or "."


def base(p: str) -> str:
    """base P: the last element of P, trailing slashes ignored ("" → ".", "/" → "/")."""
    if p == "":
        return "."
    p = p.rstrip("/")
    if "/" in p:
        p = p[p.rindex("/") + 1 :]
    return p or "/"


def dir_(p: str) -> str:
    """dir P: all but the last element of P, cleaned ("file" → ".")."""
    return clean(p[: p.rfind("/") + 1])


def ext(p: str) -> str:
    """ext P: the extension of the last element, dot included ("" when there is none)."""
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


def is_abs(p: str) -> bool:
    """isAbs P: whether P starts with "/"."""
    return p.startswith("/")


# --------------------------------------------------------------------------
# net/url

_PATH, _USER, _HOST, _FRAGMENT = "path", "user", "host", "fragment"
_HEX = "0123456789ABCDEF"


def _should_escape(c: int, mode: str) -> bool:
    """url.shouldEscape: which bytes each URL component writes as %XX."""
    ch = chr(c)
    if ch.isascii() and ch.isalnum():
        return False
    if mode == _HOST and ch in "!$&'()*+,;=:[]<>\"":
        return False
    if ch in "-_.~":
        return False
    if ch in "$&+,/:;=?@":
        if mode == _USER:
            return ch in "@/?:"
        if mode == _PATH:
            return ch == "?"
        return mode != _FRAGMENT
    if mode == _FRAGMENT and ch in "!()*":
        return False
    return True


def _escape(s: str, mode: str) -> str:
    out = []
    for c in go_bytes(s):
        if _should_escape(c, mode):
            out.append("%" + _HEX[c >> 4] + _HEX[c & 15])
        else:
            out.append(chr(c))
    return "".join(out)


def _unescape(s: str, mode: str) -> str:
    """url.unescape: decode %XX; a bad escape is an error, and so is a stray character in a host."""
    raw = go_bytes(s)
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x25:  # %
            digits = raw[i + 1 : i + 3]
            if len(digits) < 2 or not all(chr(d) in "0123456789abcdefABCDEF" for d in digits):
                bad = from_go_bytes(raw[i : i + 3])
                raise GoFuncError(f"invalid URL escape {quote(bad)}")
            value = int(digits.decode(), 16)
            if mode == _HOST and value < 0x80 and raw[i : i + 3] != b"%25":
                raise GoFuncError(f"invalid URL escape {quote(from_go_bytes(raw[i : i + 3]))}")
            out.append(value)
            i += 3
            continue
        if mode == _HOST and c < 0x80 and _should_escape(c, mode):
            raise GoFuncError(f"invalid character {quote(chr(c))} in host name")
        out.append(c)
        i += 1
    return from_go_bytes(bytes(out))


def _scheme(raw: str) -> tuple[str, str]:
    """url.getScheme: ("http", rest) for "http:rest"; ("", raw) when there is no scheme."""
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise GoFuncError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _valid_userinfo(s: str) -> bool:
    return all((c.isascii() and c.isalnum()) or c in "-._:~!$&'()*+,;=%@" for c in s)


def _valid_optional_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= c <= "9" for c in port[1:]))


def _parse_host(host: str) -> str:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise GoFuncError("missing ']' in host")
        port = host[end + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if not _valid_optional_port(port):
        raise GoFuncError(f"invalid port {quote(port)} after host")
    return _unescape(host, _HOST)


class _URL:
    """The fields of Go's url.URL that sprig reads and writes."""

    def __init__(self) -> None:
        self.scheme = self.opaque = self.host = self.path = self.raw_path = ""
        self.raw_query = self.fragment = ""
        self.force_query = False
        self.user: tuple[str, str | None] | None = None

    def userinfo(self) -> str:
        if self.user is None:
            return ""
        name, password = self.user
        text = _escape(name, _USER)
        if password is not None:
            text += ":" + _escape(password, _USER)
        return text

    def hostname(self) -> str:
        host = self.host
        if host.startswith("["):
            end = host.find("]")
            return host[1:end] if end >= 0 else host[1:]
        colon = host.rfind(":")
        return host[:colon] if colon >= 0 else host

    def escaped_path(self) -> str:
        if self.raw_path:
            try:
                if _unescape(self.raw_path, _PATH) == self.path:
                    return self.raw_path
            except GoFuncError:
                pass
        if self.path == "*":
            return "*"
        return _escape(self.path, _PATH)

    def string(self) -> str:
        out = ""
        if self.scheme:
            out += self.scheme + ":"
        if self.opaque:
            out += self.opaque
        else:
            if self.scheme or self.host or self.user is not None:
                if self.host or self.path or self.user is not None:
                    out += "//"
                if self.user is not None:
                    out += self.userinfo() + "@"
                if self.host:
                    out += _escape(self.host, _HOST)
            path = self.escaped_path()
            if path and not path.startswith("/") and self.host:
                out += "/"
            if out == "" and ":" in path.split("/", 1)[0]:
                out += "./"  # keep a colon in the first segment from reading as a scheme
            out += path
        if self.force_query or self.raw_query:
            out += "?" + self.raw_query
        if self.fragment:
            out += "#" + _escape(self.fragment, _FRAGMENT)
        return out


def _parse_url(raw: str) -> _URL:
    """url.Parse, for the fields sprig uses."""
    rest, _, fragment = raw.partition("#")
    url = _URL()
    if any(ord(c) < 0x20 or c == "\x7f" for c in rest):
        raise GoFuncError("net/url: invalid control character in URL")
    if rest == "*":
        url.path = "*"
    else:
        scheme, rest = _scheme(rest)
        url.scheme = scheme.lower()
        if rest.endswith("?") and rest.count("?") == 1:
            url.force_query = True
            rest = rest[:-1]
        else:
            rest, _, url.raw_query = rest.partition("?")
        if not rest.startswith("/") and url.scheme:
            # A rootless path after a scheme is opaque (RFC 3986), as in mailto:x.
            url.opaque = rest
        else:
            if not rest.startswith("/") and ":" in rest.split("/", 1)[0]:
                raise GoFuncError("first path segment in URL cannot contain colon")
            if (url.scheme or not rest.startswith("///")) and rest.startswith("//"):
                authority, slash, tail = rest[2:].partition("/")
                rest = slash + tail
                at = authority.rfind("@")
                url.host = _parse_host(authority[at + 1 :] if at >= 0 else authority)
                if at >= 0:
                    info = authority[:at]
                    if not _valid_userinfo(info):
                        raise GoFuncError("net/url: invalid userinfo")
                    name, colon, password = info.partition(":")
                    url.user = (_unescape(name, _USER), _unescape(password, _USER) if colon else None)
            url.path = _unescape(rest, _PATH)
            url.raw_path = "" if _escape(url.path, _PATH) == rest else rest
    if fragment:
        url.fragment = _unescape(fragment, _FRAGMENT)
    return url


def url_parse(v: str) -> dict[str, Any]:
    """urlParse URL: a dict of scheme, host, hostname, path, query, opaque, fragment and userinfo."""
    try:
        url = _parse_url(v)
    except GoFuncError as err:
        raise GoFuncError(f"unable to parse url: parse {quote(v)}: {err}") from None
    return {
        "scheme": url.scheme,
        "host": url.host,
        "hostname": url.hostname(),
        "path": url.path,
        "query": url.raw_query,
        "opaque": url.opaque,
        "fragment": url.fragment,
        "userinfo": url.userinfo(),
    }


def _meta(d: dict[str, Any], key: str) -> str:
    if key not in d:
        return ""
    value = d[key]
    if not isinstance(value, str):
        kind = type_name(value)
        raise GoFuncError(f"unable to parse {key} key, must be of type string, but {kind} found")
    return value


def url_join(d: dict[str, Any]) -> str:
    """urlJoin DICT: the URL built from a dict shaped like urlParse's result."""
    url = _URL()
    url.scheme = _meta(d, "scheme")
    url.host = _meta(d, "host")
    url.path = _meta(d, "path")
    url.raw_query = _meta(d, "query")
    url.opaque = _meta(d, "opaque")
    url.fragment = _meta(d, "fragment")
    userinfo = _meta(d, "userinfo")
    if userinfo:
        try:
            url.user = _parse_url(f"proto://{userinfo}@host").user
        except GoFuncError as err:
            raise GoFuncError(f"unable to parse userinfo in dict: {err}") from None
    return url.string()


PATH_FUNCS: dict[str, Callable[..., Any]] = {
    "base": base,
    "dir": dir_,
    "clean": clean,
    "ext": ext,
    "isAbs": is_abs,
    # path/filepath on Linux, where the separator is "/" too.
    "osBase": base,
    "osClean": clean,
    "osDir": dir_,
    "osExt": ext,
    "osIsAbs": is_abs,
    "urlParse": url_parse,
    "urlJoin": url_join,
}
