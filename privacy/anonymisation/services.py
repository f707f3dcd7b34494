"""Anonymising complete submissions into records: the task, the sweep and tests call this.

A submission becomes one ``AnonymisedRecord`` by its version's current rule set (``rules``); the
record's form is then marked for disclosure control (``privacy.disclosure.scheduling``) in the
same transaction, so no changed record escapes the next run."""

import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from forms.models import FormVersion, PrivacyRule, PrivacyRuleSet
from lib import crypto
from privacy.anonymisation.rules import RuleSpec, anonymise_instance
from privacy.anonymisation.visit import ORDER, visit_month
from privacy.disclosure.scheduling import disclosure_schedule
from privacy.models import AnonymisedRecord
from privacy.redaction import Redactor
from privacy.redaction.regions import TRANSIT_REGIONS, default_phone_regions
from sync.instance import answers_at, parse_instance
from sync.models import Submission
from sync.selectors import raw_xml_for_processing


@lru_cache(maxsize=256)
def rule_specs(rule_set_id: int, created_at) -> tuple[RuleSpec, ...]:
    """A rule set never changes once made (a DPO's change makes a new one), so it is cached;
    the creation time in the key keeps a reused primary key from ever matching."""
    return tuple(
        RuleSpec(r.path, r.question_type, r.classification, tuple(r.generalisers))
        for r in PrivacyRule.objects.filter(rule_set_id=rule_set_id)
    )


def repeat_paths(version: FormVersion) -> set[str]:
    return {q["repeat"] for q in version.questions if q.get("repeat")}


def id_regions(project) -> tuple[str, ...]:
    """Whose personal-id formats free text is checked for: the service points' countries and
    the countries of origin (not every transit country: each costs time on every number)."""
    local = [c for c in project.service_points.values_list("country", flat=True) if c]
    return default_phone_regions(local, settings.WAYPOINT_ORIGIN_REGIONS, ())


def phone_regions(project) -> tuple[str, ...]:
    """Where phone numbers in answers may come from: the project's service points' countries,
    the migrants' countries of origin (WAYPOINT_ORIGIN_REGIONS) and the transit countries of
    the Movement's regional networks (WAYPOINT_TRANSIT_REGIONS if set, else
    ``privacy.redaction.regions.TRANSIT_REGIONS``)."""
    local = [c for c in project.service_points.values_list("country", flat=True) if c]
    transit = getattr(settings, "WAYPOINT_TRANSIT_REGIONS", TRANSIT_REGIONS)
    return default_phone_regions(local, settings.WAYPOINT_ORIGIN_REGIONS, transit)


def processable(submission: Submission) -> bool:
    return (
        submission.complete and not submission.device_encrypted and submission.raw_purged_at is None
    )


def record_anonymise(*, submission_id: int) -> AnonymisedRecord | None:
    """Anonymise one complete submission; see ``records_anonymise``."""
    records = records_anonymise(submission_ids=[submission_id])
    return records[0] if records else None


@lru_cache(maxsize=64)
def _version(version_id: int, created_at) -> FormVersion:
    """Versions never change once published: keep their questions in memory, without the XForm
    and XLSForm bytes (the creation time in the key keeps a reused primary key from matching)."""
    return FormVersion.objects.defer("xform", "source", "choices").get(pk=version_id)


@lru_cache(maxsize=64)
def _repeats(version_id: int, created_at) -> frozenset[str]:
    return frozenset(repeat_paths(_version(version_id, created_at)))


@lru_cache(maxsize=64)
def _visit_paths(version_id: int, created_at) -> tuple[str, ...]:
    """The paths of the answers that date a visit (``visit_month``): only these are read from
    each instance, not every answer again."""
    questions = _version(version_id, created_at).questions
    return tuple(q.get("path", "") for q in questions if q.get("type") in ORDER)


_REGIONS: dict[int, tuple[float, tuple[str, ...], tuple[str, ...]]] = {}


def _regions(project) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(``phone_regions``, ``id_regions``), refreshed each minute rather than queried for every
    record."""
    cached = _REGIONS.get(project.pk)
    if cached is None or time.monotonic() - cached[0] > 60:
        cached = (time.monotonic(), phone_regions(project), id_regions(project))
        _REGIONS[project.pk] = cached
    return cached[1], cached[2]


_LOADED = (
    *("form_id", "version_id", "complete", "device_encrypted", "raw_purged_at", "xml_sealed"),
    *("instance_id", "received_at", "service_point_id", "deprecates_id", "root_instance_id"),
)
_PROJECT_FIELDS = ("everyday_names",)


def _load(submission_ids: list[int]) -> list[Submission]:
    """The submissions with what processing needs, in one query."""
    latest = PrivacyRuleSet.objects.filter(version=OuterRef("version")).order_by("-number")
    submissions = (
        Submission.objects.filter(pk__in=submission_ids)
        .select_related("form__project")
        # what processing reads, not the rest of the row (its JSON, client details...)
        .only(*_LOADED, "form__project_id", *(f"form__project__{f}" for f in _PROJECT_FIELDS))
        .annotate(
            has_edit=Exists(Submission.objects.filter(deprecates=OuterRef("pk"))),
            has_record=Exists(AnonymisedRecord.objects.filter(submission=OuterRef("pk"))),
            rule_set_pk=Subquery(latest.values("pk")[:1]),
            rule_set_created=Subquery(latest.values("created_at")[:1]),
            version_created=F("version__created_at"),
        )
    )
    loaded = []
    for submission in submissions:
        if processable(submission):
            submission.version = _version(submission.version_id, submission.version_created)
            loaded.append(submission)
    return loaded


@dataclass
class _ProjectContext:
    regions: tuple[str, ...]
    redactor: Redactor
    pseudonym_key: bytes


def records_anonymise(*, submission_ids: list[int]) -> list[AnonymisedRecord]:
    """Anonymise complete submissions with their versions' current rule sets, in one transaction
    and a handful of queries however many there are. Idempotent: the same inputs leave a record
    untouched; a new rule set replaces it atomically, keeping its id."""
    submissions = _load(submission_ids)
    projects: dict[int, _ProjectContext] = {}
    prepared = []
    for submission in submissions:
        project = submission.form.project
        if project.pk not in projects:
            regions, ids = _regions(project)
            projects[project.pk] = _ProjectContext(
                regions,
                Redactor.for_regions(regions, ids, project.everyday_names),
                crypto.pseudonym_key(project.pk),
            )
        context = projects[project.pk]
        instance = parse_instance(raw_xml_for_processing(submission=submission))
        result = anonymise_instance(
            instance.root,
            rules=list(rule_specs(submission.rule_set_pk, submission.rule_set_created)),
            repeats=_repeats(submission.version_id, submission.version_created),
            pseudonym_key=context.pseudonym_key,
            regions=context.regions,
            redactor=context.redactor,
        )
        paths = _visit_paths(submission.version_id, submission.version_created)
        month = visit_month(
            {} if instance.encrypted else answers_at(instance.root, paths),
            submission.version.questions,
            received_at=submission.received_at,
            version_created=submission.version_created,
        )
        prepared.append((submission, submission.rule_set_pk, result, month))
    # Fault injection for the killed-worker test; only backend/settings_test.py defines it.
    if delay := getattr(settings, "WAYPOINT_ANONYMISE_TEST_DELAY", 0):
        time.sleep(delay)
    if prepared and not any(submission.has_record for submission, *_ in prepared):
        try:  # the usual case: first records, plain INSERTs without taking locks
            with transaction.atomic():
                return _store(prepared, lock=False)
        except IntegrityError:
            pass  # another worker made some of them meanwhile: take the careful path
    with transaction.atomic():
        return _store(prepared, lock=True)


def _store(prepared: list, *, lock: bool) -> list[AnonymisedRecord]:
    existing = (
        {
            record.submission_id: record
            for record in AnonymisedRecord.objects.select_for_update().filter(
                submission_id__in=[submission.pk for submission, *_ in prepared]
            )
        }
        if lock
        else {}
    )
    created, changed, records = [], [], []
    for submission, rule_set_pk, result, month in prepared:
        fields = {
            "form_id": submission.form_id,
            "version_id": submission.version_id,
            "rule_set_id": rule_set_pk,
            "service_point_id": submission.service_point_id,
            "month": month,  # of the visit (privacy.anonymisation.visit)
            "data": result.data,
            "quasi": result.quasi,
            "redactions": dict(result.redactions),
            "content_hash": result.content_hash,
            "superseded": submission.has_edit,
        }
        record = existing.get(submission.pk)
        if record is None:
            record = AnonymisedRecord(submission_id=submission.pk, **fields)
            created.append(record)
        elif (record.rule_set_id, record.content_hash, record.superseded) != (
            rule_set_pk,
            result.content_hash,
            submission.has_edit,
        ):
            # Same content: disclosure control's verdict on these values still holds. New
            # content: no verdict is in force (``RecordVerdict.content_key``), so no release
            # holds the record until disclosure control has checked the new values.
            for name, value in fields.items():
                setattr(record, name, value)
            record.updated_at = timezone.now()
            changed.append(record)
        records.append(record)
    AnonymisedRecord.objects.bulk_create(created)
    AnonymisedRecord.objects.bulk_update(changed, [*STORED_FIELDS, "updated_at"], batch_size=500)
    for form_id in sorted({record.form_id for record in [*created, *changed]}):
        disclosure_schedule(form_id=form_id)
    for submission, *_ in prepared:
        if submission.deprecates_id:
            AnonymisedRecord.objects.filter(
                form_id=submission.form_id,
                submission__root_instance_id=submission.root_instance_id,
                superseded=False,
            ).exclude(submission_id=submission.pk).update(
                superseded=True, updated_at=timezone.now()
            )
    return records


STORED_FIELDS = [
    "form_id",
    "version_id",
    "rule_set_id",
    "service_point_id",
    "month",
    "data",
    "quasi",
    "redactions",
    "content_hash",
    "superseded",
]


def pending_submission_ids(limit: int = 10000) -> list[int]:
    """Complete, processable submissions without an anonymised record."""
    return list(
        Submission.objects.filter(
            complete=True,
            device_encrypted=False,
            raw_purged_at__isnull=True,
            anonymised__isnull=True,
        ).values_list("pk", flat=True)[:limit]
    )
