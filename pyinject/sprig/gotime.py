"""The parts of Go's time package sprig's date functions need: time.Time, layouts, Duration rounding.

A GoTime is Unix seconds plus nanoseconds plus a location, like Go's; its
wall-clock fields are computed with the proleptic Gregorian calendar, and
Format/Parse use Go's reference-time layouts ("2006-01-02 15:04:05").
"""

import datetime as _dt
import time as _time
import zoneinfo
from typing import Any, Callable

from pyinject.golang.durations import MAX_DURATION, MILLISECOND, MIN_DURATION, SECOND
from pyinject.golang.values import GoObject, Int64

_UNIX_EPOCH = _dt.datetime(1970, 1, 1)
_MONO_START = _time.monotonic_ns()



def round_duration(d: int, m: int) -> int:
    """time.Duration.Round: to the nearest multiple of m, halves away from zero."""
    if m <= 0:
        return d
    r = abs(d) % m
    if d < 0:
        if r + r < m:
            return d + r
        d1 = d - m + r
        return d1 if d1 >= MIN_DURATION else MIN_DURATION
    if r + r < m:
        return d - r
    d1 = d + m - r
    return d1 if d1 <= MAX_DURATION else MAX_DURATION


# --------------------------------------------------------------------------
# Locations


class Location:
    """A time zone: UTC, the machine's Local zone, a tz database zone, or a fixed offset."""

    def __init__(self, name: str, zone: _dt.tzinfo | None = None, offset: int | None = None) -> None:
        self.name = name
        self.zone = zone
        self.offset = offset

    def lookup(self, unix: int) -> tuple[str, int]:
        """(abbreviation, offset east of UTC in seconds) in effect at Unix time unix."""
        if self.offset is not None:
            return self.name, self.offset
        if self.name == "UTC" and self.zone is None:
            return "UTC", 0
        try:
            instant = _dt.datetime.fromtimestamp(unix, _dt.timezone.utc)
            local = instant.astimezone(self.zone) if self.zone is not None else instant.astimezone()
        except (OverflowError, OSError, ValueError):
            return "UTC", 0
        delta = local.utcoffset() or _dt.timedelta(0)
        return local.tzname() or "", int(delta.total_seconds())


UTC = Location("UTC")
LOCAL = Location("Local")


def load_location(name: str) -> Location | None:
    """time.LoadLocation: "" and "UTC" are UTC, "Local" the machine zone, else a tz database name."""
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        return LOCAL
    try:
        return Location(name, zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


# --------------------------------------------------------------------------
# Time


LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]
LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


class GoTime(GoObject):
    """A Go time.Time (with a monotonic reading when it came from now)."""

    __slots__ = ("sec", "nsec", "loc", "mono")

    def __init__(self, sec: int, nsec: int = 0, loc: Location = UTC, mono: int | None = None) -> None:
        self.sec = sec + nsec // SECOND
        self.nsec = nsec % SECOND
        self.loc = loc
        self.mono = mono

    @classmethod
    def now(cls) -> "GoTime":
        ns = _time.time_ns()
        return cls(ns // SECOND, ns % SECOND, LOCAL, _time.monotonic_ns() - _MONO_START + 1)

    def unix_nano(self) -> int:
        return self.sec * SECOND + self.nsec

    def fields(self) -> tuple[_dt.datetime, str, int]:
        """The wall clock in this time's location, its zone abbreviation and offset."""
        name, offset = self.loc.lookup(self.sec)
        try:
            wall = _UNIX_EPOCH + _dt.timedelta(seconds=self.sec + offset)
        except OverflowError:
            wall = _UNIX_EPOCH
        return wall, name, offset

    def in_location(self, loc: Location) -> "GoTime":
        return GoTime(self.sec, self.nsec, loc)

    def add(self, d: int) -> "GoTime":
        mono = None if self.mono is None else self.mono + d
        return GoTime(self.sec, self.nsec + d, self.loc, mono)

    def since(self) -> int:
        """time.Since: nanoseconds from this time to now, clamped to the Duration range."""
        now = GoTime.now()
        if self.mono is not None and now.mono is not None:
            d = now.mono - self.mono
        else:
            d = now.unix_nano() - self.unix_nano()
        return max(MIN_DURATION, min(MAX_DURATION, d))

    def format(self, layout: str) -> str:
        """time.Time.Format with a Go reference-time layout."""
        return format_time(self, layout)

    def __str__(self) -> str:
        text = format_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")
        if self.mono is not None:
            sign = "-" if self.mono < 0 else "+"
            m = abs(self.mono)
            text += f" m={sign}{m // SECOND}.{m % SECOND:09d}"
        return text

    def go_type(self) -> str:
        return "time.Time"

    def go_format(self) -> str:
        return str(self)

    def go_json(self) -> str:
        """time.Time's MarshalJSON: RFC 3339 with nanoseconds."""
        return format_time(self, "2006-01-02T15:04:05.999999999Z07:00")

    def go_field(self, name: str) -> Any:
        raise KeyError(name)

    def go_method(self, name: str) -> Callable[..., Any] | None:
        def wall() -> _dt.datetime:
            return self.fields()[0]

        methods: dict[str, Callable[..., Any]] = {
            "Format": self.method_format,
            "Unix": lambda: Int64(self.sec),
            "UnixNano": lambda: Int64(self.unix_nano()),
            "UnixMilli": lambda: Int64(self.unix_nano() // MILLISECOND),
            "Year": lambda: wall().year,
            "Month": lambda: LONG_MONTHS[wall().month - 1],
            "Day": lambda: wall().day,
            "Hour": lambda: wall().hour,
            "Minute": lambda: wall().minute,
            "Second": lambda: wall().second,
            "Nanosecond": lambda: self.nsec,
            "YearDay": lambda: wall().timetuple().tm_yday,
            "Weekday": lambda: LONG_DAYS[(wall().weekday() + 1) % 7],
            "UTC": lambda: self.in_location(UTC),
            "Local": lambda: self.in_location(LOCAL),
            "String": lambda: str(self),
            "IsZero": lambda: self.sec == _ZERO_SEC and self.nsec == 0,
            "Add": self.method_add,
        }
        return methods.get(name)

    def method_format(self, layout: str) -> str:
        """Format LAYOUT."""
        return format_time(self, layout)

    def method_add(self, d: Int64) -> "GoTime":
        """Add DURATION (nanoseconds)."""
        return self.add(int(d))


_ZERO_SEC = -62135596800  # 0001-01-01 00:00:00 UTC, Go's zero Time


def zero_time() -> GoTime:
    """time.Time{}: January 1, year 1, 00:00:00 UTC."""
    return GoTime(_ZERO_SEC)


# --------------------------------------------------------------------------
# Layouts

_STD_NAMES = ("January", "Jan", "Monday", "Mon", "MST")


def next_std_chunk(layout: str) -> tuple[str, str, str]:
    """time.nextStdChunk: (text before the first layout element, the element, the rest); element "" at the end."""
    n = len(layout)
    for i, c in enumerate(layout):
        rest = layout[i:]
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                return layout[:i], "January", layout[i + 7 :]
            if not layout[i + 3 : i + 4].islower() or not layout[i + 3 : i + 4].isascii():
                return layout[:i], "Jan", layout[i + 3 :]
        elif c == "M" and n >= i + 3:
            if rest.startswith("Mon"):
                if rest.startswith("Monday"):
                    return layout[:i], "Monday", layout[i + 6 :]
                if not layout[i + 3 : i + 4].islower() or not layout[i + 3 : i + 4].isascii():
                    return layout[:i], "Mon", layout[i + 3 :]
            if rest.startswith("MST"):
                return layout[:i], "MST", layout[i + 3 :]
        elif c == "0":
            if n >= i + 2 and "1" <= layout[i + 1] <= "6":
                return layout[:i], rest[:2], layout[i + 2 :]
            if rest.startswith("002"):
                return layout[:i], "002", layout[i + 3 :]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], "15", layout[i + 2 :]
            return layout[:i], "1", layout[i + 1 :]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], "2006", layout[i + 4 :]
            return layout[:i], "2", layout[i + 1 :]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):
                    return layout[: i + 1], "2006", layout[i + 5 :]
                return layout[:i], "_2", layout[i + 2 :]
            if rest.startswith("__2"):
                return layout[:i], "__2", layout[i + 3 :]
        elif c in "345":
            return layout[:i], c, layout[i + 1 :]
        elif c == "P" and rest.startswith("PM") or c == "p" and rest.startswith("pm"):
            return layout[:i], rest[:2], layout[i + 2 :]
        elif c == "-" or c == "Z":
            for token in ("070000", "07:00:00", "0700", "07:00", "07"):
                if rest[1:].startswith(token):
                    return layout[:i], c + token, layout[i + 1 + len(token) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            ch = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == ch:
                j += 1
            if not (j < n and "0" <= layout[j] <= "9"):
                return layout[:i], layout[i:j], layout[j:]
    return layout, "", ""


def _zone_text(std: str, offset: int) -> str:
    if std[0] == "Z" and offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    a = abs(offset)
    zone = a // 60
    text = f"{sign}{zone // 60:02d}"
    body = std[1:]
    if ":" in body:
        text += ":"
    if body != "07":
        text += f"{zone % 60:02d}"
    if body in ("070000", "07:00:00"):
        if body == "07:00:00":
            text += ":"
        text += f"{a % 60:02d}"
    return text


def format_time(t: GoTime, layout: str) -> str:
    """time.Time.Format."""
    wall, zone_name, offset = t.fields()
    out: list[str] = []
    while layout:
        prefix, std, layout = next_std_chunk(layout)
        out.append(prefix)
        if not std:
            break
        y = wall.year
        if std == "2006":
            out.append(f"{y:04d}" if y >= 0 else f"-{-y:04d}")
        elif std == "06":
            out.append(f"{abs(y) % 100:02d}")
        elif std == "January":
            out.append(LONG_MONTHS[wall.month - 1])
        elif std == "Jan":
            out.append(LONG_MONTHS[wall.month - 1][:3])
        elif std == "1":
            out.append(str(wall.month))
        elif std == "01":
            out.append(f"{wall.month:02d}")
        elif std in ("Monday", "Mon"):
            day_name = LONG_DAYS[(wall.weekday() + 1) % 7]
            out.append(day_name if std == "Monday" else day_name[:3])
        elif std == "2":
            out.append(str(wall.day))
        elif std == "_2":
            out.append(f"{wall.day:2d}")
        elif std == "02":
            out.append(f"{wall.day:02d}")
        elif std in ("__2", "002"):
            yday = wall.timetuple().tm_yday
            out.append(f"{yday:3d}" if std == "__2" else f"{yday:03d}")
        elif std == "15":
            out.append(f"{wall.hour:02d}")
        elif std in ("3", "03"):
            hr = wall.hour % 12 or 12
            out.append(str(hr) if std == "3" else f"{hr:02d}")
        elif std in ("4", "04"):
            out.append(str(wall.minute) if std == "4" else f"{wall.minute:02d}")
        elif std in ("5", "05"):
            out.append(str(wall.second) if std == "5" else f"{wall.second:02d}")
        elif std in ("PM", "pm"):
            text = "PM" if wall.hour >= 12 else "AM"
            out.append(text if std == "PM" else text.lower())
        elif std[0] in "-Z":
            out.append(_zone_text(std, offset))
        elif std == "MST":
            if zone_name:
                out.append(zone_name)
            else:
                zone = offset // 60
                out.append(f"{'-' if zone < 0 else '+'}{abs(zone) // 60:02d}{abs(zone) % 60:02d}")
        else:  # fractional seconds: .000 exact, .999 trimmed
            digits = len(std) - 1
            frac = f"{t.nsec:09d}"[:digits]
            if std[1] == "9":
                frac = frac.rstrip("0")
                if frac:
                    out.append(std[0] + frac)
            else:
                out.append(std[0] + frac)
    return "".join(out)
