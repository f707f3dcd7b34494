"""The evidence base: anonymised records and the disclosure-control runs over them.

An anonymised record carries a fresh random id, never the instanceID. It keeps a link to the
submission it came from, for the DPO's compare view and for re-running with a new rule set; that
link stays inside Waypoint and is never exported.
"""

import hashlib
import uuid

from django.db import connection, models
from django.db.models import BigIntegerField, Exists, Func, OuterRef, Q
from django.utils import timezone

from accounts.models import ServicePoint
from forms.models import Form, FormVersion, PrivacyRuleSet
from lib.pghash import hash_text_extended
from sync.models import Submission


def content_key(content_hash: str) -> int:
    """The 64-bit key a verdict names its content by, computed by each database the cheap way
    and the same in Python (``ContentKey``), so that a run writes it from what it read without
    looking the records up again. On PostgreSQL: ``hashtextextended(content_hash, 0)``
    (``lib.pghash``; MD5 in SQL was 1.3 s of every run over a million records, and of every
    release opened). Elsewhere (SQLite): the first 8 bytes of the MD5 of the content hash, as a
    signed big-endian integer. Only a database's own keys are compared with it; PostgreSQL's
    verdicts written before the change are renewed by the next run of their form
    (``privacy.disclosure.legacy``). Change detection: two contents sharing a key (1 in 2^64)
    would let a verdict outlive its content."""
    if connection.vendor == "postgresql":
        return hash_text_extended(content_hash)
    return content_key_md5(content_hash)


def content_key_md5(content_hash: str) -> int:
    """``content_key`` on SQLite, and on PostgreSQL before its keys were hashtextextended."""
    digest = hashlib.md5(content_hash.encode()).digest()  # noqa: S324 - change detection
    return int.from_bytes(digest[:8], "big", signed=True)


class ContentKey(Func):
    """``content_key`` of a text expression, in SQL (SQLite: a function registered on each
    connection, ``privacy.apps``)."""

    function = "waypoint_content_key"
    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "hashtextextended(%(expressions)s, 0)"
        return self.as_sql(compiler, connection, template=template, **extra)


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

    def checked(self) -> "RecordQuerySet":
        """Records with a verdict on their current content (``RecordVerdict``)."""
        return self.filter(verdict__content_key=ContentKey("content_hash"))

    def publishable(self) -> "RecordQuerySet":
        """Records disclosure control checked, as they are now, and did not hold back."""
        return self.checked().filter(verdict__held=False)


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
    # Disclosure control's verdict (suppressed values, held back, fk) is a RecordVerdict.
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
        indexes = [
            models.Index(fields=["form", "released_at"]),
            # The few withheld records, whose verdicts a run keeps (it does not judge them).
            models.Index(
                fields=["form"], condition=Q(withheld_at__isnull=False), name="record_withheld"
            ),
        ]

    def __str__(self) -> str:
        return f"record {self.pk} of {self.form.form_id}"

    def was_released(self) -> bool:
        """True once an approved release published this record."""
        return AnonymisedRecord.objects.filter(pk=self.pk).released().exists()

    @property
    def verdict_in_force(self) -> "RecordVerdict | None":
        """Disclosure control's verdict on this content; None until it has checked it (a new
        record, or one whose content changed since: an edit, new rules, a new secret)."""
        if type(self).verdict.is_cached(self):  # select_related: already read
            try:
                verdict = self.verdict
            except RecordVerdict.DoesNotExist:
                return None
        else:
            # By form too: PostgreSQL then reads (and waits on) only this form's partition,
            # never another form's run.
            verdict = RecordVerdict.objects.filter(record_id=self.pk, form_id=self.form_id).first()
            if verdict is None:
                return None
        return verdict if verdict.content_key == content_key(self.content_hash) else None

    @property
    def held(self) -> bool:
        """Held back until its group reaches k (an unchecked record is not held: unchecked)."""
        verdict = self.verdict_in_force
        return verdict is not None and verdict.held

    @property
    def fk(self) -> int | None:
        """Its group's size, where disclosure control hid values; else None."""
        verdict = self.verdict_in_force
        return None if verdict is None else verdict.fk or None

    @property
    def suppressed(self) -> list[str]:
        """The values hidden: the verdict's, or every quasi-identifier until one is given, so
        that unchecked values are never shown as if checked."""
        verdict = self.verdict_in_force
        return sorted(self.quasi or {}) if verdict is None else list(verdict.suppressed)

    @property
    def published(self) -> dict:
        """What a release would publish: the data without its suppressed values."""
        return published_answers(self.data, self.suppressed)


def published_answers(data: dict, suppressed: list[str] | None) -> dict:
    """``data`` without the answers named in ``suppressed`` (the published content)."""
    hidden = set(suppressed or ())
    return {key: value for key, value in data.items() if key not in hidden}


class RecordVerdict(models.Model):
    """Disclosure control's verdict on one record's content, beside the record.

    Why a table of its own: a run judges every record of a form, and writing a million verdicts
    into the wide record rows (a new version of each row, every index updated) was 40 s of a
    50 s run. Here a run replaces the verdicts of its form in one transaction
    (``privacy.disclosure.columns.verdicts_write``); on PostgreSQL the table is partitioned by
    form (privacy 0008) so that the run empties the form's partition (TRUNCATE) and fills it
    again, or, when few verdicts changed, rewrites only those (``privacy.disclosure.verdicts``);
    either way readers see the old set or the new one, never half of each. A verdict holds for
    the content it judged (``content_key``): a record whose content changed since has none in
    force, and no release holds it until the next run (``RecordQuerySet.publishable``).
    """

    record = models.OneToOneField(
        AnonymisedRecord,
        primary_key=True,  # on PostgreSQL (record_id, form_id): a partition key must be in it
        on_delete=models.CASCADE,
        related_name="verdict",
        db_constraint=False,  # written a million at a time; records are never deleted by SQL
    )
    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    content_key = models.BigIntegerField(
        help_text="``content_key`` of the content hash this verdict judged."
    )
    suppressed = models.JSONField(default=list, help_text="Quasi-identifiers locally suppressed.")
    held = models.BooleanField(default=False, help_text="Held back until its group reaches k.")
    fk = models.PositiveIntegerField(
        default=0, help_text="Its group's size, where disclosure control hid values; else 0."
    )

    def __str__(self) -> str:
        return f"verdict on record {self.record_id}"


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
    change after that queues the next run. A run due moments after the last one is sent again
    with a countdown (``privacy.disclosure.scheduling.disclosure_wait``): one delayed message per
    waiting run, never one per batch (delayed tasks per batch once piled up in the workers and
    stalled anonymisation). The minute sweep re-queues a row whose message was lost.
    """

    form = models.OneToOneField(Form, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(auto_now_add=True)
    # The last change the mark covers: while records keep arriving, the run waits for a pause
    # (``scheduling.disclosure_wait``).
    changed_at = models.DateTimeField(default=timezone.now)

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
    # A count, not the list of ids: a JSON list of a million ids cost 12 s of every candidate
    # opened (privacy 0010). The records themselves are what its hash covers (eligible ones
    # when opened, the frozen rows once approved).
    record_count = models.PositiveIntegerField(
        default=0, help_text="How many records this candidate releases."
    )
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
    # Stored when the records are frozen, so that a download's header never waits on a scan of
    # every record (``privacy.review.columns``); null until then.
    columns = models.JSONField(
        null=True,
        blank=True,
        help_text="Every answer its frozen records publish, in questionnaire order.",
    )

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
    # foreign-key check is paid per row (3 FK checks were 15 s of a 1M approval; the release's
    # own, deferred to COMMIT, locked the one release row a million times: 5-10 s, privacy
    # 0010). ``release`` is indexed by the unique (release, record_id) and written only by
    # ``freeze`` with the release it is approving; version and service point are copied from
    # AnonymisedRecords, whose own constraints hold them. Django still PROTECTs all three.
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        related_name="frozen",
        db_index=False,
        db_constraint=False,
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
