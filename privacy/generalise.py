"""Generalisers for quasi-identifiers: the `quasi band:N top:N bottom:N date:… geo:D` vocabulary.

Values that cannot be read (a non-number under band:10, a malformed date) become None: a value
that could not be generalised is never passed through raw.
"""

import math
from datetime import date

from django.utils.dateparse import parse_date, parse_datetime


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
    try:
        moment = parse_datetime(value)
        return moment.date() if moment else parse_date(value[:10])
    except ValueError:
        return None


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
