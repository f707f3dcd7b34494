"""Generalisers for quasi-identifiers: the `quasi band:N top:N bottom:N date:… geo:D` vocabulary.

Values that cannot be read (a non-number under band:10, a malformed date) become None: a value
that could not be generalised is never passed through raw.
"""

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone

# Django's dateparse patterns, so that dates read exactly as they did when this module used it
# (it is pure now: no Django import, checked by import-linter).
_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
_DATETIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"[T ](?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<microsecond>\d{1,6})\d{0,6})?)?"
    r"\s*(?P<tzinfo>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def generalise_number(value: str, generalisers: list[str]) -> str | None:
    number = _number(value)
    if number is None:
        return None
    options = dict(g.split(":", 1) for g in generalisers)
    if "top" in options and number >= float(options["top"]):
        return f"{_fmt(float(options['top']))}+"
    if "bottom" in options and number <= float(options["bottom"]):
        return f"<={_fmt(float(options['bottom']))}"
    if "band" in options:
        width = float(options["band"])
        lower = math.floor(number / width) * width
        if width.is_integer() and float(lower).is_integer():
            return f"{_fmt(lower)}-{_fmt(lower + width - 1)}"
        return f"{_fmt(lower)}-<{_fmt(lower + width)}"
    return _fmt(number)


def _as_date(value: str) -> date | None:
    """The calendar day of an ISO date or date-time (XForm `date`, `dateTime`, `start`...), its
    own offset kept: the day the person lived, not the server's."""
    try:
        moment = _parse_datetime(value)
        return moment.date() if moment else _parse_date(value[:10])
    except ValueError:
        return None


def _parse_datetime(value: str) -> datetime | None:
    """As ``django.utils.dateparse.parse_datetime``: None if not a date-time, ValueError if one
    that cannot exist."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        match = _DATETIME.match(value)
        if match is None:
            return None
        parts = match.groupdict()
        parts["microsecond"] = parts["microsecond"] and parts["microsecond"].ljust(6, "0")
        offset = parts.pop("tzinfo")
        tzinfo: timezone | None = None
        if offset == "Z":
            tzinfo = UTC
        elif offset is not None:
            minutes = 60 * int(offset[1:3]) + (int(offset[-2:]) if len(offset) > 3 else 0)
            tzinfo = timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
        numbers = {k: int(v) for k, v in parts.items() if v is not None}
        return datetime(**numbers, tzinfo=tzinfo)


def _parse_date(value: str) -> date | None:
    """As ``django.utils.dateparse.parse_date``."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        match = _DATE.match(value)
        return date(**{k: int(v) for k, v in match.groupdict().items()}) if match else None


def generalise_date(value: str, level: str) -> str | None:
    day = _as_date(value.strip())
    if day is None:
        return None
    if level == "day":
        return day.isoformat()
    if level == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if level == "month":
        return f"{day:%Y-%m}"
    if level == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def generalise_geo(value: str, decimals: int) -> str | None:
    """Keep latitude and longitude rounded to ``decimals`` places; drop altitude and accuracy.
    For traces and shapes, every point is rounded."""
    points = []
    for point in value.split(";"):
        parts = point.split()
        if len(parts) < 2:
            continue
        lat, lon = _number(parts[0]), _number(parts[1])
        if lat is None or lon is None:
            return None
        points.append(f"{round(lat, decimals):.{decimals}f} {round(lon, decimals):.{decimals}f}")
    return ";".join(points) or None


def generalise(value: str, question_type: str, generalisers: list[str]) -> str | None:
    """Apply a quasi-identifier's generalisers; without any, the value stays as it is."""
    for generaliser in generalisers:
        kind, _, argument = generaliser.partition(":")
        if kind == "date":
            return generalise_date(value, argument)
        if kind == "geo":
            return generalise_geo(value, int(argument))
    if any(g.split(":")[0] in {"band", "top", "bottom"} for g in generalisers):
        return generalise_number(value, generalisers)
    return value
