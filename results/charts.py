"""Bar charts as inline SVG, drawn on the server: the dashboard needs no script and no CDN, and
works on a tablet without internet."""

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int | None  # None: suppressed
    width: float


def bars(labels: list[str], values: list[int | None]) -> list[Bar]:
    top = max((v for v in values if v is not None), default=0) or 1
    return [
        Bar(label, value, 0 if value is None else 100 * value / top)
        for label, value in zip(labels, values, strict=True)
    ]
