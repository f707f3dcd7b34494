"""What a data protection officer does before anything reaches the strategy team: read the risk
report, compare raw with anonymised, change rules, withhold records and release a reviewed,
hash-identified set. Views and the API call these; every step is audited.

`report` (reading), `rules` (rule changes and the re-run), `releases` (candidates, approval,
withholding), `snapshot` (what a release freezes, its hash, what changed since the last),
`refusals` (why an action cannot go ahead), `withholding` (withholding a record and its undo,
keeping the open candidate's review valid)."""

from privacy.review.approvals import rule_set_approve, rules_approved_check
from privacy.review.microdata import microdata_approve, microdata_report
from privacy.review.refusals import (
    NothingToRelease,
    ReleaseChanged,
    ReleaseNotOpen,
    ReviewError,
    RulesRefused,
    StaleHash,
    StillChecking,
    StillRerunning,
    UndoRefused,
    WithholdRefused,
)
from privacy.review.releases import content_hash, release_approve, release_open
from privacy.review.report import (
    PLACEHOLDER,
    ComparedAnswer,
    compare_sample,
    release_flags,
    risk_report,
)
from privacy.review.rules import rerun_progress, rerun_schedule, rules_change
from privacy.review.snapshot import changes_since, latest_approved
from privacy.review.withholding import record_withhold, withheld_in_review, withholding_undo

__all__ = [
    "PLACEHOLDER",
    "ComparedAnswer",
    "NothingToRelease",
    "ReleaseChanged",
    "ReleaseNotOpen",
    "ReviewError",
    "RulesRefused",
    "StaleHash",
    "StillChecking",
    "StillRerunning",
    "UndoRefused",
    "WithholdRefused",
    "changes_since",
    "compare_sample",
    "content_hash",
    "latest_approved",
    "microdata_approve",
    "microdata_report",
    "record_withhold",
    "release_approve",
    "release_flags",
    "release_open",
    "rerun_progress",
    "rerun_schedule",
    "risk_report",
    "rule_set_approve",
    "rules_approved_check",
    "rules_change",
    "withheld_in_review",
    "withholding_undo",
]
