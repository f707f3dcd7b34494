"""Charts as inline SVG, drawn on the server: the dashboard needs no script and no CDN, and works
on a tablet without internet. Geometry only: the template draws it, with the CSP forbidding
inline styles (widths and colours are SVG attributes, not styles).

One chart per kind of table results publish: bars for one answer (single selects, banded
numbers, yes/no, places), bars of mentions for several answers, top choices for rankings, a
line for months, and stacked 100 % bars for a cross-tabulation. A withheld cell is drawn as
withheld, never as 0; a percentage is left out where its count or its total is withheld."""

from dataclasses import dataclass, field

from results.tables import Table

# Colours of a cross-tabulation's columns (Red Cross red first), distinguishable in greyscale.
PALETTE = ["#c8102e", "#1d4e89", "#e59f2e", "#3c8d5a", "#7b4f9d", "#6b6b6b", "#d46a8a", "#2aa0a8"]


@dataclass
class Bar:
    label: str
    value: int | None  # None: withheld
    width: float  # 0-100, relative to the largest value
    percent: float | None = None  # of the total (or of respondents, for several answers)


def _percent(value: int | None, total: int | None) -> float | None:
    if value is None or not total:
        return None
    return round(100 * value / total, 1)


def bars(labels: list[str], values: list[int | None], total: int | None = None) -> list[Bar]:
    """One bar per label; ``total`` for percentages (None: no percentages)."""
    top = max((v for v in values if v is not None), default=0) or 1
    return [
        Bar(label, value, 0 if value is None else 100 * value / top, _percent(value, total))
        for label, value in zip(labels, values, strict=True)
    ]


def table_bars(table: Table) -> list[Bar]:
    """A frequency table's first column as bars, with each row's share of the total."""
    data = table.as_dict()
    values = [row[0] if row else None for row in data["cells"]]
    return bars(data["rows"], values, data["total"])


@dataclass
class Line:
    """A line over months: points in a 0-100 x 0-40 box; withheld months break the line."""

    segments: list[str]  # SVG polyline points, one per unbroken run
    dots: list[tuple[float, float, str, int | None]]  # x, y, month, value
    ticks: list[tuple[float, str]]  # x, label (a few months)
    top: int
    first: str = ""
    last: str = ""


def line(labels: list[str], values: list[int | None]) -> Line:
    top = max((v for v in values if v is not None), default=0) or 1
    n = len(labels)
    step = 100 / (n - 1) if n > 1 else 0
    segments: list[str] = []
    current: list[str] = []
    dots: list[tuple[float, float, str, int | None]] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = round(step * i if n > 1 else 50, 2)
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            dots.append((x, 40.0, label, None))
            continue
        y = round(38 - 36 * value / top, 2)
        current.append(f"{x},{y}")
        dots.append((x, y, label, value))
    if current:
        segments.append(" ".join(current))
    every = max(1, n // 6)
    ticks = [(dots[i][0], labels[i]) for i in range(0, n, every)]
    return Line(
        segments=segments,
        dots=dots,
        ticks=ticks,
        top=top,
        first=labels[0] if labels else "",
        last=labels[-1] if labels else "",
    )


@dataclass
class Segment:
    column: str
    value: int | None
    x: float
    width: float
    percent: float | None
    colour: str


@dataclass
class Stack:
    label: str
    total: int | None
    segments: list[Segment] = field(default_factory=list)
    withheld: bool = False  # some cell of the row is withheld: its shares are not drawn


def stacks(table: Table) -> list[Stack]:
    """A cross-tabulation as one 100 % bar per row: each column's share of the row. A row with
    a withheld cell or total is listed without its bar, since its shares would be guesses."""
    data = table.as_dict()
    out = []
    for label, cells, total in zip(data["rows"], data["cells"], data["row_totals"], strict=True):
        stack = Stack(label, total)
        if total is None or any(c is None for c in cells) or not total:
            stack.withheld = True
            out.append(stack)
            continue
        x = 0.0
        for j, (column, value) in enumerate(zip(data["columns"], cells, strict=True)):
            width = 100 * value / total
            stack.segments.append(
                Segment(
                    column,
                    value,
                    round(x, 3),
                    round(width, 3),
                    _percent(value, total),
                    PALETTE[j % len(PALETTE)],
                )
            )
            x += width
        out.append(stack)
    return out


def legend(table: Table) -> list[tuple[str, str]]:
    """(column label, colour) for a cross-tabulation's stacked bars."""
    return [(c, PALETTE[j % len(PALETTE)]) for j, c in enumerate(table.as_dict()["columns"])]
