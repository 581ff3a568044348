"""sprig's date functions: now, date, dateInZone, toDate, dateModify, ago, duration, durationRound.

Dates come out of Go's time package (sprig_gotime). Parsing follows
time.ParseInLocation with Go's error texts; toDate gives the zero time
(0001-01-01 00:00:00 +0000 UTC) where mustToDate gives the error.
"""

from typing import Any, Callable

from pyinject.golang.values import GoFuncError, Int32, Int64, type_name

from pyinject.golang.durations import HOUR, MINUTE, SECOND, DurationError, duration_string, parse_duration
from pyinject.sprig.gotime import (
    LOCAL,
    LONG_DAYS,
    LONG_MONTHS,
    UTC,
    GoTime,
    Location,
    load_location,
    next_std_chunk,
    round_duration,
    zero_time,
)
from pyinject.sprig.cast import parse_int, wrap_int64


class _ParseError(Exception):
    """time.ParseError."""


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _getnum(s: str, fixed: bool, width: int = 2) -> tuple[int, str]:
    """time.getnum/getnum3: up to WIDTH digits (exactly WIDTH when fixed)."""
    n = 0
    while n < width and _digit(s, n):
        n += 1
    if n == 0 or (fixed and n < width):
        raise ValueError(s)
    return int(s[:n]), s[n:]


def _skip(value: str, prefix: str) -> str:
    """time.skip: match the literal text, any run of spaces matching any run of spaces."""
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                raise ValueError(value)
            prefix = prefix.lstrip(" ")
            value = value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            raise ValueError(value)
        prefix, value = prefix[1:], value[1:]
    return value


def _lookup(names: list[str], value: str) -> tuple[int, str]:
    for i, name in enumerate(names):
        if len(value) >= len(name) and value[: len(name)].lower() == name.lower():
            return i, value[len(name) :]
    raise ValueError(value)


def _atoi(s: str) -> int:
    value, err = parse_int(s, 10)
    if err:
        raise ValueError(s)
    return value


def _zone_abbreviation_length(value: str) -> int:
    """time.parseTimeZone: how much of value is a zone abbreviation (0: none)."""
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value[:3] == "GMT":
        rest = value[3:]
        if rest[:1] in ("+", "-"):
            n = 1
            while _digit(rest, n):
                n += 1
            return 3 + n if n > 1 and -23 <= int(rest[:n]) <= 23 else 3
        return 3
    upper = 0
    while upper < 6 and upper < len(value) and "A" <= value[upper] <= "Z":
        upper += 1
    if upper == 3:
        return 3
    if upper == 4 and (value[3] == "T" or value[:4] == "WITA"):
        return 4
    if upper == 5 and value[4] == "T":
        return 5
    return 0


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _unix_of(year: int, month: int, day: int, hour: int, minute: int, sec: int) -> int:
    """Seconds since 1970 of a UTC wall clock (proleptic Gregorian, any day overflow normalised)."""
    y, m = year, month
    if m <= 2:
        y -= 1
        m += 12
    days = 365 * y + y // 4 - y // 100 + y // 400 + (153 * (m - 3) + 2) // 5 + day - 719469
    return ((days * 24 + hour) * 60 + minute) * 60 + sec


def parse_time(layout: str, value: str, default: Location) -> GoTime:
    """time.ParseInLocation(layout, value, default)."""
    orig_layout, orig_value = layout, value
    year, month, day, yday = 0, -1, -1, -1
    hour = minute = sec = nsec = 0
    am = pm = False
    utc_zone = False
    zone_offset: int | None = None
    zone_name = ""

    def fail(elem: str, rest: str, message: str = "") -> _ParseError:
        if message:
            return _ParseError(f"parsing time {_quote(orig_value)}{message}")
        return _ParseError(
            f"parsing time {_quote(orig_value)} as {_quote(orig_layout)}: cannot parse {_quote(rest)} as {_quote(elem)}"
        )

    while True:
        prefix, std, layout = next_std_chunk(layout)
        try:
            value = _skip(value, prefix)
        except ValueError:
            raise fail(prefix, value) from None
        if not std:
            if value:
                raise fail("", value, f": extra text: {_quote(value)}")
            break
        hold = value
        out_of_range = ""
        try:
            if std == "06":
                if len(value) < 2:
                    raise ValueError(value)
                year, value = _atoi(value[:2]), value[2:]
                year += 1900 if year >= 69 else 2000
            elif std == "2006":
                if len(value) < 4 or not _digit(value, 0):
                    raise ValueError(value)
                year, value = _atoi(value[:4]), value[4:]
            elif std in ("Jan", "January"):
                names = LONG_MONTHS if std == "January" else [m[:3] for m in LONG_MONTHS]
                month, value = _lookup(names, value)
                month += 1
            elif std in ("1", "01"):
                month, value = _getnum(value, std == "01")
                if not 1 <= month <= 12:
                    out_of_range = "month"
            elif std in ("Mon", "Monday"):
                names = LONG_DAYS if std == "Monday" else [d[:3] for d in LONG_DAYS]
                _, value = _lookup(names, value)
            elif std in ("2", "_2", "02"):
                if std == "_2" and value.startswith(" "):
                    value = value[1:]
                day, value = _getnum(value, std == "02")
            elif std in ("__2", "002"):
                if std == "__2":
                    value = value[2:] if value.startswith("  ") else value[1:] if value.startswith(" ") else value
                yday, value = _getnum(value, std == "002", 3)
            elif std == "15":
                hour, value = _getnum(value, False)
                if hour >= 24:
                    out_of_range = "hour"
            elif std in ("3", "03"):
                hour, value = _getnum(value, std == "03")
                if hour > 12:
                    out_of_range = "hour"
            elif std in ("4", "04"):
                minute, value = _getnum(value, std == "04")
                if minute >= 60:
                    out_of_range = "minute"
            elif std in ("5", "05"):
                sec, value = _getnum(value, std == "05")
                if sec >= 60:
                    out_of_range = "second"
                elif len(value) >= 2 and value[0] in ".," and _digit(value, 1):
                    following = next_std_chunk(layout)[1]
                    if not (following[:1] in ".," and len(following) > 1):
                        n = 2
                        while _digit(value, n):
                            n += 1
                        nsec = int(value[1:n][:9].ljust(9, "0"))
                        value = value[n:]
            elif std in ("PM", "pm"):
                if len(value) < 2:
                    raise ValueError(value)
                marker, value = value[:2], value[2:]
                if marker == std:
                    pm = True
                elif marker == ("AM" if std == "PM" else "am"):
                    am = True
                else:
                    raise ValueError(marker)
            elif std[0] in "-Z":
                if std[0] == "Z" and std[1:] in ("0700", "07", "07:00") and value.startswith("Z"):
                    value = value[1:]
                    utc_zone = True
                else:
                    body = std[1:]
                    sizes = {"07:00": 6, "07": 3, "07:00:00": 9, "070000": 7, "0700": 5}
                    size = sizes[body]
                    if len(value) < size:
                        raise ValueError(value)
                    chunk, value = value[:size], value[size:]
                    if ":" in body and (chunk[3] != ":" or (size == 9 and chunk[6] != ":")):
                        raise ValueError(chunk)
                    hh_text = chunk[1:3]
                    mm_text = {6: chunk[4:6], 9: chunk[4:6], 7: chunk[3:5], 5: chunk[3:5]}.get(size, "00")
                    ss_text = {9: chunk[7:9], 7: chunk[5:7]}.get(size, "00")
                    hh, _ = _getnum(hh_text, True)
                    mm, _ = _getnum(mm_text, True)
                    ss, _ = _getnum(ss_text, True)
                    zone_offset = (hh * 60 + mm) * 60 + ss
                    if chunk[0] == "-":
                        zone_offset = -zone_offset
                    elif chunk[0] != "+":
                        raise ValueError(chunk)
            elif std == "MST":
                if value.startswith("UTC"):
                    utc_zone, value = True, value[3:]
                else:
                    n = _zone_abbreviation_length(value)
                    if n == 0:
                        raise ValueError(value)
                    zone_name, value = value[:n], value[n:]
            else:  # fractional seconds
                if std[1] == "0":
                    width = len(std)
                    if len(value) < width or value[0] not in ".,":
                        raise ValueError(value)
                    digits = min(width, 10) - 1
                    nsec = _getnum(value[1 : 1 + digits], True, digits)[0] * 10 ** (9 - digits)
                    value = value[width:]
                elif len(value) >= 2 and value[0] in ".," and _digit(value, 1):
                    n = 1
                    while _digit(value, n):
                        n += 1
                    nsec = int(value[1:n][:9].ljust(9, "0"))
                    value = value[n:]
        except ValueError:
            raise fail(std, hold) from None
        if out_of_range:
            raise fail(std, value, f": {out_of_range} out of range")

    if pm and hour < 12:
        hour += 12
    elif am and hour == 12:
        hour = 0
    if yday >= 0:
        leap = _days_in(2, year) == 29
        if not 1 <= yday <= (366 if leap else 365):
            raise fail("", value, ": day-of-year out of range")
        m, d = 1, yday
        while d > _days_in(m, year):
            d -= _days_in(m, year)
            m += 1
        if month >= 0 and month != m:
            raise fail("", value, ": day-of-year does not match month")
        if day >= 0 and day != d:
            raise fail("", value, ": day-of-year does not match day")
        month, day = m, d
    else:
        month = 1 if month < 0 else month
        day = 1 if day < 0 else day
    if day < 1 or day > _days_in(month, year):
        raise fail("", value, ": day out of range")

    wall = _unix_of(year, month, day, hour, minute, sec)
    if utc_zone:
        return GoTime(wall, nsec, UTC)
    if zone_offset is not None:
        unix = wall - zone_offset
        name, offset = default.lookup(unix)
        if offset == zone_offset and (not zone_name or name == zone_name):
            return GoTime(unix, nsec, default)
        return GoTime(unix, nsec, Location(zone_name, offset=zone_offset))
    if zone_name:
        name, offset = default.lookup(wall - default.lookup(wall)[1])
        if name == zone_name:
            return GoTime(wall - offset, nsec, default)
        fixed = 0
        if zone_name.startswith("GMT") and len(zone_name) > 3:
            fixed = int(zone_name[3:]) * 3600
        return GoTime(wall, nsec, Location(zone_name, offset=fixed))
    offset = default.lookup(wall - default.lookup(wall)[1])[1]
    return GoTime(wall - offset, nsec, default)


# --------------------------------------------------------------------------
# The sprig functions


def _as_time(v: Any) -> GoTime:
    if isinstance(v, GoTime):
        return v
    raise GoFuncError(f"wrong type for value; expected time.Time; got {type_name(v)}")


def _time_of(date: Any) -> GoTime:
    """What sprig's date functions accept: a time, or Unix seconds as int/int64/int32; else now."""
    if isinstance(date, GoTime):
        return date
    if isinstance(date, (Int64, Int32)) or (type(date) is int):
        return GoTime(int(date))
    return GoTime.now()


def now() -> GoTime:
    """now: the current local time."""
    return GoTime.now()


def date_in_zone(layout: str, date: Any, zone: str) -> str:
    """dateInZone LAYOUT DATE ZONE: DATE in time zone ZONE (UTC if unknown), formatted with a Go layout."""
    loc = load_location(zone) or UTC
    return _time_of(date).in_location(loc).format(layout)


def date(layout: str, date: Any) -> str:
    """date LAYOUT DATE: DATE (a time or Unix seconds; anything else means now) in local time, e.g. date "2006-01-02" now."""
    return date_in_zone(layout, date, "Local")


def html_date(date: Any) -> str:
    """htmlDate DATE: DATE as YYYY-MM-DD in local time."""
    return date_in_zone("2006-01-02", date, "Local")


def html_date_in_zone(date: Any, zone: str) -> str:
    """htmlDateInZone DATE ZONE: DATE as YYYY-MM-DD in ZONE."""
    return date_in_zone("2006-01-02", date, zone)


def must_to_date(layout: str, value: str) -> GoTime:
    """mustToDate LAYOUT S: S parsed with a Go layout, in local time; an error if it does not fit."""
    try:
        return parse_time(layout, value, LOCAL)
    except _ParseError as err:
        raise GoFuncError(str(err)) from None


def to_date(layout: str, value: str) -> GoTime:
    """toDate LAYOUT S: like mustToDate, but the zero time when S does not fit."""
    try:
        return parse_time(layout, value, LOCAL)
    except _ParseError:
        return zero_time()


def must_date_modify(offset: str, date: Any) -> GoTime:
    """mustDateModify DURATION DATE: DATE moved by a Go duration such as "-1.5h"; an error for a bad duration."""
    t = _as_time(date)
    try:
        return t.add(parse_duration(offset))
    except DurationError as err:
        raise GoFuncError(str(err)) from None


def date_modify(offset: str, date: Any) -> GoTime:
    """dateModify DURATION DATE: like mustDateModify, but DATE unchanged for a bad duration."""
    t = _as_time(date)
    try:
        return t.add(parse_duration(offset))
    except DurationError:
        return t


def ago(date: Any) -> str:
    """ago DATE: the time since DATE, to the second ("2h34m7s")."""
    if isinstance(date, GoTime):
        t = date
    elif isinstance(date, Int64) or type(date) is int:
        t = GoTime(int(date))
    else:
        t = GoTime.now()
    return duration_string(round_duration(t.since(), SECOND))


def unix_epoch(date: Any) -> str:
    """unixEpoch DATE: DATE's Unix seconds as a string."""
    return str(_as_time(date).sec)


def duration(seconds: Any) -> str:
    """duration SECONDS: a number of seconds (string or int64 only; anything else is 0) as "1h0m0s"."""
    if isinstance(seconds, str):
        n = parse_int(seconds, 10)[0]
    elif isinstance(seconds, Int64):
        n = int(seconds)
    else:
        n = 0
    return duration_string(wrap_int64(n * SECOND))


_YEAR, _MONTH, _DAY = 365 * 24 * HOUR, 30 * 24 * HOUR, 24 * HOUR


def duration_round(value: Any) -> str:
    """durationRound D: a duration (Go duration string, int64 nanoseconds, or time since a date) in its largest unit: "2h", "3mo"."""
    if isinstance(value, str):
        try:
            d = parse_duration(value)
        except DurationError:
            d = 0
    elif isinstance(value, Int64):
        d = int(value)
    elif isinstance(value, GoTime):
        d = value.since()
    else:
        d = 0
    u = abs(d)
    for size, unit in ((_YEAR, "y"), (_MONTH, "mo"), (_DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (SECOND, "s")):
        if u > size:
            return f"{u // size}{unit}"
    return "0s"


DATE_FUNCS: dict[str, Callable[..., Any]] = {
    "ago": ago,
    "date": date,
    "date_in_zone": date_in_zone,
    "date_modify": date_modify,
    "dateInZone": date_in_zone,
    "dateModify": date_modify,
    "duration": duration,
    "durationRound": duration_round,
    "htmlDate": html_date,
    "htmlDateInZone": html_date_in_zone,
    "must_date_modify": must_date_modify,
    "mustDateModify": must_date_modify,
    "mustToDate": must_to_date,
    "now": now,
    "toDate": to_date,
    "unixEpoch": unix_epoch,
}
