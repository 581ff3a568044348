"""Go durations, once: time.ParseDuration, Duration.String, and protobuf's Duration JSON.

Durations are nanosecond integers, as Go's ``time.Duration``.  Istio's
config (``drainDuration: 45s``), its ``formatDuration`` template function and
sprig's date functions all read and print them through here.
"""

from __future__ import annotations

import re

NANOSECOND, MICROSECOND, MILLISECOND = 1, 1_000, 1_000_000
SECOND, MINUTE, HOUR = 1_000_000_000, 60_000_000_000, 3_600_000_000_000
MIN_DURATION, MAX_DURATION = -(1 << 63), (1 << 63) - 1


def _frac(v: int, prec: int) -> tuple[str, int]:
    """time.fmtFrac: the fraction v/10**prec as ".123" (trailing zeros dropped), and the integer part."""
    digits = ""
    printed = False
    for _ in range(prec):
        digit = v % 10
        printed = printed or digit != 0
        if printed:
            digits = str(digit) + digits
        v //= 10
    return ("." + digits if printed else ""), v


def duration_string(d: int) -> str:
    """time.Duration.String: "1h2m3.5s", "1.5ms", "0s"."""
    u = -d if d < 0 else d
    if u < SECOND:
        if u == 0:
            return "0s"
        if u < MICROSECOND:
            frac, whole, unit = "", u, "ns"
        elif u < MILLISECOND:
            frac, whole = _frac(u, 3)
            unit = "µs"
        else:
            frac, whole = _frac(u, 6)
            unit = "ms"
        text = f"{whole}{frac}{unit}"
    else:
        frac, secs = _frac(u, 9)
        text = f"{secs % 60}{frac}s"
        minutes = secs // 60
        if minutes:
            text = f"{minutes % 60}m" + text
            hours = minutes // 60
            if hours:
                text = f"{hours}h" + text
    return "-" + text if d < 0 else text


_UNITS = {"ns": NANOSECOND, "us": MICROSECOND, "µs": MICROSECOND, "μs": MICROSECOND, "ms": MILLISECOND,
          "s": SECOND, "m": MINUTE, "h": HOUR}


class DurationError(ValueError):
    """time.ParseDuration's error."""


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_duration(s: str) -> int:
    """time.ParseDuration: "1h30m", "-1.5s", "300ms" in nanoseconds; DurationError if malformed."""
    orig = s
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise DurationError(f"time: invalid duration {_quote(orig)}")
    total = 0
    while s:
        if not (s[0] == "." or s[0].isdigit() and s[0].isascii()):
            raise DurationError(f"time: invalid duration {_quote(orig)}")
        i = 0
        v = 0
        while i < len(s) and "0" <= s[i] <= "9":
            v = v * 10 + ord(s[i]) - 48
            if v > 1 << 63:
                raise DurationError(f"time: invalid duration {_quote(orig)}")
            i += 1
        pre = i > 0
        s = s[i:]
        f, scale, post = 0, 1.0, False
        if s.startswith("."):
            s = s[1:]
            i = 0
            overflow = False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow:
                    y = f * 10 + ord(s[i]) - 48
                    if f > ((1 << 63) - 1) // 10 or y > 1 << 63:
                        overflow = True
                    else:
                        f, scale = y, scale * 10
                i += 1
            post = i > 0
            s = s[i:]
        if not pre and not post:
            raise DurationError(f"time: invalid duration {_quote(orig)}")
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise DurationError(f"time: missing unit in duration {_quote(orig)}")
        unit_name, s = s[:i], s[i:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise DurationError(f"time: unknown unit {_quote(unit_name)} in duration {_quote(orig)}")
        if v > (1 << 63) // unit:
            raise DurationError(f"time: invalid duration {_quote(orig)}")
        v *= unit
        if f > 0:
            # Go computes the fraction in float64, so keep its rounding.
            v += int(float(f) * (float(unit) / scale))
            if v > 1 << 63:
                raise DurationError(f"time: invalid duration {_quote(orig)}")
        total += v
        if total > 1 << 63:
            raise DurationError(f"time: invalid duration {_quote(orig)}")
    if neg:
        return -total
    if total > MAX_DURATION:
        raise DurationError(f"time: invalid duration {_quote(orig)}")
    return total


# --------------------------------------------------------------------------
# protobuf Duration (proto JSON "1.500s")

_PROTO_DURATION = re.compile(r"^(-)?(\d+)(?:\.(\d{1,9}))?s$")


def parse_proto_duration(text: str) -> tuple[int, int]:
    """A proto-JSON (``"1.5s"``) or Go (``"1m30s"``) duration as (seconds, nanos).

    Raises DurationError (a ValueError) for anything else.
    """
    m = _PROTO_DURATION.match(text)
    if m:
        secs = int(m.group(2))
        nanos = int((m.group(3) or "").ljust(9, "0") or 0)
        if m.group(1):
            return -secs, -nanos
        return secs, nanos
    ns = parse_duration(text)
    secs = int(ns / 10**9)
    return secs, ns - secs * 10**9


def format_proto_duration(total_nanos: int) -> str:
    """protobuf JSON of a Duration given in nanoseconds: 0, 3, 6 or 9 fractional digits (``"1.500s"``)."""
    sign = "-" if total_nanos < 0 else ""
    seconds, nanos = divmod(abs(total_nanos), 10**9)
    if nanos == 0:
        return f"{sign}{seconds}s"
    frac = f"{nanos:09d}"
    for cut in (3, 6):
        if frac[cut:] == "0" * (9 - cut):
            frac = frac[:cut]
            break
    return f"{sign}{seconds}.{frac}s"
