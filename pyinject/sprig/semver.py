"""Semantic versions as sprig exposes them: Masterminds/semver v3.2 parsing, ordering and constraints.

Versions parse leniently ("v1.2" is 1.2.0). Constraints are comparisons
(=, !=, >, <, >=, <=), tilde and caret ranges, x/* wildcards and hyphen
ranges, ANDed with spaces or commas and ORed with "||". A pre-release
version only satisfies a constraint that itself names a pre-release.
"""

import re
from typing import Any, Callable

from pyinject.golang.values import GoFuncError, GoInt, GoObject


class Uint64(GoInt):
    """Go uint64: what Version.Major, Minor and Patch return."""

    __slots__ = ()
    go_type = "uint64"


_VERSION = re.compile(
    r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_UINT64_MAX = (1 << 64) - 1


class Version(GoObject):
    """A *semver.Version; templates read .Major, .Prerelease, .Compare and the like."""

    __slots__ = ("major", "minor", "patch", "pre", "metadata", "original", "pointer")

    def __init__(
        self, major: int, minor: int, patch: int, pre: str, metadata: str, original: str, pointer: bool = True
    ) -> None:
        self.major = major
        self.minor = minor
        self.patch = patch
        self.pre = pre
        self.metadata = metadata
        self.original = original
        # semver hands out *Version, but IncMajor and friends return a Version value.
        self.pointer = pointer

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + self.pre
        if self.metadata:
            text += "+" + self.metadata
        return text

    def go_type(self) -> str:
        return "*semver.Version" if self.pointer else "semver.Version"

    def go_format(self) -> str:
        return str(self)

    def go_json(self) -> str:
        """Version's MarshalJSON: the version string."""
        return str(self)

    def go_field(self, name: str) -> Any:
        raise KeyError(name)  # all of Version's fields are unexported

    def go_method(self, name: str) -> Callable[..., Any] | None:
        methods: dict[str, Callable[..., Any]] = {
            "Major": self.get_major,
            "Minor": self.get_minor,
            "Patch": self.get_patch,
            "Prerelease": self.get_prerelease,
            "Metadata": self.get_metadata,
            "Original": self.get_original,
            "String": self.get_string,
            "Compare": self.compare_to,
            "LessThan": self.less_than,
            "GreaterThan": self.greater_than,
            "Equal": self.equal,
            "IncMajor": self.inc_major,
            "IncMinor": self.inc_minor,
            "IncPatch": self.inc_patch,
            "SetPrerelease": self.set_prerelease,
            "SetMetadata": self.set_metadata,
        }
        return methods.get(name)

    def _next(self, major: int, minor: int, patch: int, pre: str, metadata: str) -> "Version":
        # The new version keeps a leading "v" of the original text.
        prefix = "v" if self.original.startswith("v") else ""
        nxt = Version(major, minor, patch, pre, metadata, "", pointer=False)
        nxt.original = prefix + str(nxt)
        return nxt

    def inc_major(self) -> "Version":
        """The next major version, X+1.0.0."""
        return self._next(self.major + 1, 0, 0, "", "")

    def inc_minor(self) -> "Version":
        """The next minor version, X.Y+1.0."""
        return self._next(self.major, self.minor + 1, 0, "", "")

    def inc_patch(self) -> "Version":
        """The next patch version; a pre-release just drops its pre-release part."""
        patch = self.patch if self.pre else self.patch + 1
        return self._next(self.major, self.minor, patch, "", "")

    def set_prerelease(self, pre: str) -> "Version":
        """This version with another pre-release part (validated)."""
        if pre:
            _validate_prerelease(pre)
        return self._next(self.major, self.minor, self.patch, pre, self.metadata)

    def set_metadata(self, metadata: str) -> "Version":
        """This version with other build metadata (validated)."""
        if metadata:
            _validate_metadata(metadata)
        return self._next(self.major, self.minor, self.patch, self.pre, metadata)

    def get_major(self) -> Uint64:
        """The major number."""
        return Uint64(self.major)

    def get_minor(self) -> Uint64:
        """The minor number."""
        return Uint64(self.minor)

    def get_patch(self) -> Uint64:
        """The patch number."""
        return Uint64(self.patch)

    def get_prerelease(self) -> str:
        """The pre-release part, without the "-"."""
        return self.pre

    def get_metadata(self) -> str:
        """The build metadata, without the "+"."""
        return self.metadata

    def get_original(self) -> str:
        """The text the version was parsed from."""
        return self.original

    def get_string(self) -> str:
        """The normalised version text."""
        return str(self)

    def compare_to(self, other: Any) -> int:
        """-1, 0 or 1 as this version sorts before, with or after other (metadata ignored)."""
        return compare(self, _as_version(other))

    def less_than(self, other: Any) -> bool:
        """Whether this version sorts before other."""
        return compare(self, _as_version(other)) < 0

    def greater_than(self, other: Any) -> bool:
        """Whether this version sorts after other."""
        return compare(self, _as_version(other)) > 0

    def equal(self, other: Any) -> bool:
        """Whether the versions are equal, metadata ignored."""
        return compare(self, _as_version(other)) == 0


def _as_version(v: Any) -> Version:
    if isinstance(v, Version):
        return v
    raise GoFuncError(f"wrong type for value; expected *semver.Version; got {type(v).__name__}")


_ALLOWED = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")


def _segment(text: str) -> int:
    value = int(text)
    if value > _UINT64_MAX:
        raise GoFuncError(f'Error parsing version segment: strconv.ParseUint: parsing "{text}": value out of range')
    return value


def new_version(v: str) -> Version:
    """semver.NewVersion: parse v leniently, or raise GoFuncError with semver's message."""
    m = _VERSION.fullmatch(v)
    if m is None:
        raise GoFuncError("Invalid Semantic Version")
    major = _segment(m.group(1))
    minor = _segment(m.group(2)[1:]) if m.group(2) else 0
    patch = _segment(m.group(3)[1:]) if m.group(3) else 0
    pre = m.group(5) or ""
    metadata = m.group(8) or ""
    if pre:
        _validate_prerelease(pre)
    if metadata:
        _validate_metadata(metadata)
    return Version(major, minor, patch, pre, metadata, v)


def _validate_prerelease(pre: str) -> None:
    for part in pre.split("."):
        if part.isascii() and part.isdigit():
            if len(part) > 1 and part[0] == "0":
                raise GoFuncError("Version segment starts with 0")
        elif not set(part) <= _ALLOWED:
            raise GoFuncError("Invalid Prerelease string")


def _validate_metadata(metadata: str) -> None:
    for part in metadata.split("."):
        if not set(part) <= _ALLOWED:
            raise GoFuncError("Invalid Metadata string")


def _compare_pre_part(s: str, o: str) -> int:
    if s == o:
        return 0
    if s == "":
        return -1 if o != "" else 1
    if o == "":
        return 1
    s_num = s.isdigit() and int(s) <= _UINT64_MAX
    o_num = o.isdigit() and int(o) <= _UINT64_MAX
    if not s_num and not o_num:
        return 1 if s > o else -1
    if not o_num:
        return -1  # numbers sort before words
    if not s_num:
        return 1
    return 1 if int(s) > int(o) else -1


def _compare_prerelease(a: str, b: str) -> int:
    sparts, oparts = a.split("."), b.split(".")
    for i in range(max(len(sparts), len(oparts))):
        d = _compare_pre_part(sparts[i] if i < len(sparts) else "", oparts[i] if i < len(oparts) else "")
        if d:
            return d
    return 0


def compare(v: Version, o: Version) -> int:
    """Version.Compare: by major, minor, patch, then pre-release (a release sorts after its pre-releases)."""
    for a, b in ((v.major, o.major), (v.minor, o.minor), (v.patch, o.patch)):
        if a != b:
            return -1 if a < b else 1
    if not v.pre and not o.pre:
        return 0
    if not v.pre:
        return 1
    if not o.pre:
        return -1
    return _compare_prerelease(v.pre, o.pre)


# --------------------------------------------------------------------------
# Constraints

_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_CV_NOGROUP = re.sub(r"\((?!\?)", "(?:", _CV)
# semver's own patterns, kept as written: note the empty operator between
# "||" and the "|" inside the digit classes. Go's \s is ASCII and its $ is
# the end of text, hence _S and \Z.
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_S = r"[\t\n\f\r ]"
_CONSTRAINT = re.compile(rf"^{_S}*({_OPS}){_S}*({_CV}){_S}*\Z")
_RANGE = re.compile(rf"{_S}*({_CV_NOGROUP}){_S}+-{_S}+({_CV_NOGROUP}){_S}*")
_FIND = re.compile(rf"(?:{_OPS}){_S}*(?:{_CV_NOGROUP})")
_VALID = re.compile(
    rf"^({_S}*(?:{_OPS}){_S}*(?:{_CV_NOGROUP}){_S}*)((?:{_S}+|,{_S}*)(?:{_OPS}){_S}*(?:{_CV_NOGROUP}){_S}*)*\Z"
)


def _is_x(s: str) -> bool:
    return s in ("x", "X", "*")


class _Constraint:
    """One comparison of a constraint string, e.g. ">=1.2" (minor/patch "dirty" when wildcarded)."""

    __slots__ = ("op", "orig", "con", "dirty", "minor_dirty", "patch_dirty")

    def __init__(self, text: str) -> None:
        self.minor_dirty = self.patch_dirty = self.dirty = False
        self.op: str = ""
        self.orig: str = text
        if not text:
            self.con = new_version("0.0.0")
            self.dirty = True
            return
        m = _CONSTRAINT.match(text)
        if m is None:
            raise GoFuncError(f"improper constraint: {text}")
        self.op, self.orig = m.group(1), m.group(2)
        major: str = m.group(3)
        minor: str = m.group(4) or ""
        patch: str = m.group(5) or ""
        pre: str = m.group(6) or ""
        ver: str = self.orig
        if _is_x(major):
            ver, self.dirty = "0.0.0" + pre, True
        elif _is_x(minor[1:]) or minor == "":
            ver, self.dirty, self.minor_dirty = f"{major}.0.0{pre}", True, True
        elif _is_x(patch[1:]) or patch == "":
            ver, self.dirty, self.patch_dirty = f"{major}{minor}.0{pre}", True, True
        try:
            self.con = new_version(ver)
        except GoFuncError:
            raise GoFuncError("constraint Parser Error") from None

    def check(self, v: Version) -> bool:
        c = self.con
        op = self.op
        if op == "!=" and not self.dirty:
            return compare(v, c) != 0
        # A pre-release only satisfies constraints that mention pre-releases.
        if v.pre and not c.pre:
            return False
        if op in ("", "="):
            return self._tilde(v) if self.dirty else compare(v, c) == 0
        if op == "!=":
            return self._not_equal(v)
        if op == ">":
            return self._greater(v)
        if op == "<":
            return compare(v, c) < 0
        if op in (">=", "=>"):
            return compare(v, c) >= 0
        if op in ("<=", "=<"):
            if not self.dirty:
                return compare(v, c) <= 0
            if v.major > c.major:
                return False
            return not (v.major == c.major and v.minor > c.minor and not self.minor_dirty)
        if op in ("~", "~>"):
            return self._tilde(v)
        return self._caret(v)

    def _not_equal(self, v: Version) -> bool:
        c = self.con
        if self.dirty:
            if c.major != v.major:
                return True
            if c.minor != v.minor and not self.minor_dirty:
                return True
            if self.minor_dirty:
                return False
            if c.patch != v.patch and not self.patch_dirty:
                return True
            if self.patch_dirty:
                if v.pre or c.pre:
                    return _compare_prerelease(v.pre, c.pre) != 0
                return False
        return compare(v, c) != 0

    def _greater(self, v: Version) -> bool:
        c = self.con
        if not self.dirty:
            return compare(v, c) == 1
        if v.major != c.major:
            return v.major > c.major
        if self.minor_dirty:
            return False
        if self.patch_dirty:
            return v.minor > c.minor
        return compare(v, c) == 1

    def _tilde(self, v: Version) -> bool:
        c = self.con
        if compare(v, c) < 0:
            return False
        if c.major == 0 and c.minor == 0 and c.patch == 0 and not self.minor_dirty and not self.patch_dirty:
            return True
        if v.major != c.major:
            return False
        return not (v.minor != c.minor and not self.minor_dirty)

    def _caret(self, v: Version) -> bool:
        c = self.con
        if compare(v, c) < 0:
            return False
        if c.major > 0 or self.minor_dirty:
            return v.major == c.major
        if v.major > 0:
            return False
        if c.minor > 0 or self.patch_dirty:
            return v.minor == c.minor
        if v.minor > 0:
            return False
        return c.patch == v.patch


def _rewrite_ranges(text: str) -> str:
    """"1.2 - 1.4" becomes ">= 1.2, <= 1.4"."""
    for m in _RANGE.finditer(text):
        text = text.replace(m.group(0), f">= {m.group(1)}, <= {m.group(2)}", 1)
    return text


def new_constraint(text: str) -> list[list[_Constraint]]:
    """semver.NewConstraint: OR-groups of ANDed comparisons, or GoFuncError("improper constraint: ...")."""
    groups: list[list[_Constraint]] = []
    for part in _rewrite_ranges(text).split("||"):
        if not _VALID.match(part):
            raise GoFuncError(f"improper constraint: {part}")
        pieces = _FIND.findall(part) or [part]
        groups.append([_Constraint(p) for p in pieces])
    return groups


def semver(version: str) -> Version:
    """semver V: V parsed as a semantic version (an error if it is not one)."""
    return new_version(version)


def semver_compare(constraint: str, version: str) -> bool:
    """semverCompare CONSTRAINT V: whether version V satisfies CONSTRAINT (e.g. ">=1.20.0-0", "^1.2", "~1.2.3 || 2.x")."""
    groups = new_constraint(constraint)
    v = new_version(version)
    return any(all(c.check(v) for c in group) for group in groups)


SEMVER_FUNCS: dict[str, Callable[..., Any]] = {
    "semver": semver,
    "semverCompare": semver_compare,
}
