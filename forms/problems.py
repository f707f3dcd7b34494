"""What is wrong in an uploaded form, each finding with a stable code and where to look."""

from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from lib.problems import Problem, interpolate


@dataclass(frozen=True)
class Finding:
    """One problem (or, with ``level="warning"``, one warning) and its cell, where known."""

    code: str
    message: Any  # text, or lazy text (gettext_lazy) written in the reader's language
    level: str = "error"
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class FormRejected(Problem):
    """An upload was refused; nothing was stored. The catalogue code and status are the first
    finding's; the JSON body lists every finding, cell by cell, under ``problems``."""

    def __init__(self, problems: list[Finding]) -> None:
        first = problems[0] if problems else None
        super().__init__(
            first.code if first else "form.rejected",
            interpolate(
                _("The form was not published; nothing was changed. First problem: %(first)s"),
                first=first.message,
            )
            if first
            else _("The form was not published; nothing was changed."),
            problems=[p.as_dict() for p in problems],
        )
        self.problems = problems
