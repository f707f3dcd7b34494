"""What a data protection officer does before anything reaches the strategy team: read the risk
report, compare raw with anonymised, change rules, withhold records and release a reviewed,
hash-identified set. Views and the API call these; every step is audited.

`report` (reading), `rules` (rule changes and the re-run), `releases` (candidates, approval,
withholding), `refusals` (why an action cannot go ahead)."""

from privacy.review.refusals import (
    NothingToRelease,
    ReleaseChanged,
    ReviewError,
    RulesRefused,
    WithholdRefused,
)
from privacy.review.releases import content_hash, record_withhold, release_approve, release_open
from privacy.review.report import PLACEHOLDER, ComparedAnswer, compare_sample, risk_report
from privacy.review.rules import rerun_progress, rerun_schedule, rules_change

__all__ = [
    "PLACEHOLDER",
    "ComparedAnswer",
    "NothingToRelease",
    "ReleaseChanged",
    "ReviewError",
    "RulesRefused",
    "WithholdRefused",
    "compare_sample",
    "content_hash",
    "record_withhold",
    "release_approve",
    "release_open",
    "rerun_progress",
    "rerun_schedule",
    "risk_report",
    "rules_change",
]
