"""Problems found in an uploaded form, each with a stable code and where to look."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    level: str = "error"
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class FormRejected(Exception):
    """An upload was refused; nothing was stored. ``status`` is the HTTP status to answer."""

    def __init__(self, problems: list[Problem], *, status: int = 400) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
        self.status = status
