"""The evidence base: anonymised records and the disclosure-control runs over them.

An anonymised record carries a fresh random id, never the instanceID. It keeps a link to the
submission it came from, for the DPO's compare view and for re-running with a new rule set; that
link stays inside Waypoint and is never exported.
"""

import uuid

from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.models import ServicePoint
from forms.models import Form, FormVersion, PrivacyRuleSet
from sync.models import Submission


class RecordQuerySet(models.QuerySet):
    def released(self) -> "RecordQuerySet":
        """Records some approved release published (read from its frozen rows; before 0007 an
        approval also stamped ``released_at`` on each record, which still counts)."""
        frozen = ReleasedRecord.objects.filter(
            release__form=OuterRef("form"),
            release__state=Release.State.APPROVED,
            record_id=OuterRef("pk"),
        )
        return self.filter(Q(released_at__isnull=False) | Exists(frozen))


class AnonymisedRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="anonymised"
    )
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="anonymised_records")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    rule_set = models.ForeignKey(PrivacyRuleSet, on_delete=models.PROTECT, related_name="records")
    service_point = models.ForeignKey(
        ServicePoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.CharField(
        max_length=7,
        help_text="YYYY-MM of the visit (start, end or today), else of receipt.",
    )
    data = models.JSONField(help_text="Anonymised answers by question path; repeats as rows.")
    quasi = models.JSONField(
        default=dict, help_text="Generalised quasi-identifiers, before disclosure control."
    )
    redactions = models.JSONField(default=dict, help_text="Free-text redactions by type.")
    content_hash = models.CharField(max_length=64)
    # Set by disclosure control (dataset level):
    suppressed = models.JSONField(default=list, help_text="Quasi-identifiers locally suppressed.")
    published = models.JSONField(
        default=dict, help_text="What results may use: the data without its suppressed values."
    )
    held = models.BooleanField(default=False, help_text="Held back until its group reaches k.")
    fk = models.PositiveIntegerField(null=True, blank=True)
    superseded = models.BooleanField(
        default=False, help_text="A later edit of the same logical submission replaced it."
    )
    # Set by approvals before privacy 0007 only. An approval no longer writes to every record
    # (a million UPDATEs were most of a 1M approval): a record's first release is read from
    # ReleasedRecord (``RecordQuerySet.released``, ``privacy.retention``).
    released_at = models.DateTimeField(null=True, blank=True, db_index=True)
    release = models.ForeignKey(
        "Release", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    withheld_at = models.DateTimeField(null=True, blank=True)
    withheld_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["form", "created_at"]
        indexes = [models.Index(fields=["form", "released_at"])]

    def __str__(self) -> str:
        return f"record {self.pk} of {self.form.form_id}"

    def was_released(self) -> bool:
        """True once an approved release published this record."""
        return AnonymisedRecord.objects.filter(pk=self.pk).released().exists()


class DisclosureRun(models.Model):
    """One disclosure-control pass over every record of a form (all versions)."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="disclosure_runs")
    fingerprint = models.CharField(
        max_length=64, help_text="Hash of the inputs; an unchanged dataset is not recomputed."
    )
    k = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=16)
    quasi_identifiers = models.JSONField(help_text="Names, most important first.")
    records = models.PositiveIntegerField()
    before = models.JSONField(help_text="Risk summary before disclosure control.")
    after = models.JSONField(help_text="Risk summary after disclosure control.")
    suppressions = models.JSONField(help_text="Local suppressions per quasi-identifier.")
    held = models.PositiveIntegerField(default=0)
    l_diversity = models.JSONField(help_text="Per sensitive variable: min and mean distinct l.")
    redactions = models.JSONField(default=dict, help_text="Free-text redactions by type.")
    seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"disclosure run {self.pk} of {self.form.form_id}"


class DisclosurePending(models.Model):
    """A form whose records changed since its disclosure-control run was queued.

    At most one run per form is queued at a time: the first new record queues one, later ones
    find this row and add nothing; the run deletes the row before reading the records, so any
    change after that queues the next run. No delayed (ETA) tasks, which would pile up in the
    workers and stall anonymisation; the minute sweep re-queues a row whose message was lost.
    """

    form = models.OneToOneField(Form, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"disclosure control due for form {self.form_id}"


class Release(models.Model):
    """Two-phase release: a DPO opens a candidate (a set of records and its content hash),
    reviews it, and approves that exact hash. Approval fails if anything changed since."""

    class State(models.TextChoices):
        OPENING = "opening", "Being prepared"
        OPEN = "open", "Open for review"
        APPROVED = "approved", "Approved and released"
        SUPERSEDED = "superseded", "Replaced by a newer candidate"
        REFUSED = "refused", "Could not be opened"

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="releases")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    content_hash = models.CharField(max_length=64)
    record_ids = models.JSONField(help_text="The records this candidate releases.")
    risk = models.JSONField(help_text="The risk report the DPO reviewed (disclosure run).")
    rule_sets = models.JSONField(help_text="Rule-set numbers by form version.")
    opened_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Row-level microdata is a DPO decision per release, with its own risk report.
    microdata_risk = models.JSONField(
        null=True, blank=True, help_text="Risk report of the row-level file (k, l-diversity)."
    )
    microdata_approved_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    microdata_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["form", "-opened_at"]

    def __str__(self) -> str:
        return f"release {self.pk} of {self.form.form_id} ({self.state})"


class ReleasedRecord(models.Model):
    """A record exactly as one approved release published it: frozen at approval.

    An approved release is a full snapshot of what analysts may read for its form. Rules
    changes, edits, withholdings and new secrets change ``AnonymisedRecord`` rows and make a
    new candidate; they never touch these rows. Analysts read the form's latest approved
    release only.
    """

    # Approval writes a million of these in one INSERT ... SELECT: every index and database
    # foreign-key check is paid per row (3 FK checks were 15 s of a 1M approval). ``release``
    # is indexed by the unique (release, record_id); version and service point are copied
    # from AnonymisedRecords, whose own constraints hold them, and Django still PROTECTs them.
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="frozen", db_index=False
    )
    record_id = models.UUIDField(help_text="The anonymised record's random id (never instanceID).")
    version = models.ForeignKey(
        FormVersion,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    service_point = models.ForeignKey(
        ServicePoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    month = models.CharField(max_length=7, help_text="YYYY-MM of the visit, as released.")
    data = models.JSONField(help_text="The published answers, as approved.")
    suppressed = models.JSONField(default=list, help_text="Values withheld for privacy.")

    class Meta:
        ordering = ["release", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "record_id"], name="released_record_once")
        ]
        indexes = [models.Index(fields=["release", "service_point", "month"])]

    def __str__(self) -> str:
        return f"record {self.record_id} of release {self.release_id}"


class ReleaseJob(models.Model):
    """Opening or approving a release in the background (a Celery task): what the DPO sees
    meanwhile, and why it was refused if it was.

    Why a row of its own: the task's work is one transaction (all or nothing), invisible until
    it commits; its progress is written beside it, through a connection of its own, to a row
    that transaction never locks."""

    class Kind(models.TextChoices):
        OPEN = "open", "Opening the candidate"
        APPROVE = "approve", "Approving the candidate"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    requested_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    approved_hash = models.CharField(max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=200, blank=True, help_text="What it is doing now.")
    problem = models.JSONField(
        null=True, blank=True, help_text="Why it was refused: {code, detail}; null otherwise."
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["release", "-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.kind} job of release {self.release_id}"
