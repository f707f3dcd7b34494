"""Conflicting copies: a different XML that arrived under an instanceID already taken. Sync keeps
each one beside the submission, never processed, "for the DPO" (``sync.services``); here the DPO
reads them side by side with the original, question by question, and marks them reviewed.

Reading them is reading raw data: every read goes through ``sync.selectors`` and is an audit
event with the DPO's reason."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from audit.services import audit_record
from forms.models import Form
from sync.instance import answers_by_path, parse_instance
from sync.models import ConflictingCopy, Submission
from sync.selectors import raw_conflict_read, raw_xml_read


@dataclass
class Line:
    question: str
    original: str
    copies: list[str]

    @property
    def differs(self) -> bool:
        return any(copy != self.original for copy in self.copies)


def conflicts_of(form: Form) -> QuerySet[Submission]:
    """The form's submissions with conflicting copies, the newest first."""
    return (
        Submission.objects.filter(form=form, has_conflict=True)
        .select_related("device", "service_point")
        .prefetch_related("conflicting_copies")
        .order_by("-received_at", "-pk")
    )


def _answers(raw: bytes) -> dict[str, str]:
    root = parse_instance(raw).root
    return {path: " | ".join(values) for path, values in answers_by_path(root).items()}


def conflict_compare(*, submission: Submission, user, reason: str) -> dict:
    """The original and each copy, question by question (the original's order first; questions
    only a copy answers after). Each raw read is audited with ``reason``."""
    copies = list(submission.conflicting_copies.select_related("device"))
    if submission.raw_purged_at is not None:
        return {"purged": True, "copies": copies, "lines": []}
    if submission.device_encrypted:
        return {"encrypted": True, "copies": copies, "lines": []}
    original = _answers(raw_xml_read(user=user, submission=submission, reason=reason))
    versions = [
        _answers(raw_conflict_read(user=user, submission=submission, copy_id=c.pk, reason=reason))
        for c in copies
    ]
    paths = list(original)
    for answers in versions:
        paths.extend(p for p in answers if p not in paths)
    root = "/" + (paths[0].split("/")[1] if paths else "data") + "/"
    lines = [
        Line(
            question=path.removeprefix(root),
            original=original.get(path, ""),
            copies=[answers.get(path, "") for answers in versions],
        )
        for path in paths
    ]
    return {"copies": copies, "lines": lines}


def conflict_reviewed(*, copy: ConflictingCopy, user, note: str = "") -> ConflictingCopy:
    """Record that a DPO read this copy against its original (the decision is theirs: the
    copy is never processed)."""
    copy.reviewed_at = timezone.now()
    copy.save(update_fields=["reviewed_at"])
    audit_record(
        actor=user,
        action="conflict.reviewed",
        project=copy.submission.form.project,
        target=f"{copy.submission.form.form_id}/{copy.submission.instance_id} copy {copy.pk}",
        reason=note.strip(),
    )
    return copy
