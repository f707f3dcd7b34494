"""Why a DPO action cannot go ahead, each with its code in the refusal catalogue. Messages are
marked for translation where they are raised (``gettext_lazy``, ``lib.problems.interpolate``)."""

from typing import Any

from lib.problems import Problem


class ReviewError(Problem):
    """A DPO action that cannot go ahead; the message says why, the subclass names the code in
    the catalogue (``lib.problems``)."""

    problem_code = ""

    def __init__(self, message: Any) -> None:
        super().__init__(self.problem_code, message)


class RulesRefused(ReviewError):
    problem_code = "rules.invalid"


class NothingToRelease(ReviewError):
    problem_code = "release.nothing_new"


class ReleaseChanged(ReviewError):
    problem_code = "release.changed"


class WithholdRefused(ReviewError):
    problem_code = "record.withhold_refused"


class UndoRefused(ReviewError):
    problem_code = "record.undo_refused"


class StillChecking(ReviewError):
    problem_code = "release.checking"


class StillRerunning(ReviewError):
    problem_code = "release.rules_rerunning"


class ReleaseNotOpen(ReviewError):
    problem_code = "release.not_open"


class StaleHash(ReviewError):
    problem_code = "release.stale_hash"


class ReleaseBusy(ReviewError):
    problem_code = "release.busy"


class RulesUnapproved(Problem):
    """A release of records whose version's rules no DPO approved (``rules.unapproved``)."""

    def __init__(self, message: Any, **details: Any) -> None:
        super().__init__("rules.unapproved", message, **details)


class RulesApproveRefused(ReviewError):
    problem_code = "rules.approve_refused"


class MicrodataRefused(ReviewError):
    problem_code = "microdata.refused"
