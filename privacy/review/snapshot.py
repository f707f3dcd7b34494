"""What a release freezes: the candidate set, its content hash, the copy into ``ReleasedRecord``
and what changed since the last approved release.

A candidate is every record analysts may read if the DPO approves it now: current (not
superseded), not held back, not withheld, released before or not. Its content hash covers
exactly what is copied (record id, version, service point, month, published answers,
suppressed list) and the release it replaces, so approval can check that what it froze is what
was reviewed, and that nobody approved another release meanwhile.
"""

import hashlib
import json

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from forms.models import Form
from privacy.models import AnonymisedRecord, Release, ReleasedRecord

# The frozen columns, in hash order: ReleasedRecord's name, then AnonymisedRecord's.
FROZEN = [
    ("record_id", "id"),
    ("version_id", "version_id"),
    ("service_point_id", "service_point_id"),
    ("month", "month"),
    ("data", "published"),
    ("suppressed", "suppressed"),
]


def eligible(form: Form) -> QuerySet[AnonymisedRecord]:
    """The records a release of ``form`` approved now would publish."""
    return AnonymisedRecord.objects.filter(
        form=form, superseded=False, held=False, withheld_at__isnull=True
    )


def latest_approved(form: Form) -> Release | None:
    """The release analysts read: the form's most recently approved one."""
    return (
        Release.objects.filter(form=form, state=Release.State.APPROVED)
        .defer("record_ids", "risk", "microdata_risk")  # a million ids are not needed here
        .order_by("-approved_at", "-pk")
        .first()
    )


def snapshot_hash(records: QuerySet, *, frozen: bool, base: Release | None) -> str:
    """The hash of a candidate (``frozen=False``: AnonymisedRecords) or of what a release froze
    (``frozen=True``: its ReleasedRecords); equal when they hold the same content."""
    columns = [name if frozen else source for name, source in FROZEN]
    prefix = f"base:{base.pk if base else '-'}|"
    if connection.vendor == "postgresql":
        # One aggregate in the database: a million rows never reach Python. jsonb's text form
        # is canonical, so the same answers give the same text in both tables.
        sql, params = records.order_by().values_list(*columns).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT encode(sha256(convert_to(%s || coalesce(string_agg(encode(sha256("  # noqa: S608 - no user text
                "convert_to(concat_ws('|', t.a::text, t.b::text, coalesce(t.c::text, ''), t.d, "
                "t.e::text, t.f::text), 'UTF8')), 'hex'), '' ORDER BY t.a), ''), 'UTF8')), 'hex') "
                f"FROM ({sql}) AS t(a, b, c, d, e, f)",
                [prefix, *params],
            )
            return cursor.fetchone()[0]
    digest = hashlib.sha256(prefix.encode())
    rows = sorted(records.order_by().values_list(*columns), key=lambda row: str(row[0]))
    for row in rows:
        text = "|".join(
            [str(row[0]), str(row[1]), "" if row[2] is None else str(row[2]), row[3]]
            + [json.dumps(value, sort_keys=True) for value in row[4:]]
        )
        digest.update(hashlib.sha256(text.encode()).hexdigest().encode())
    return digest.hexdigest()


def freeze(release: Release, records: QuerySet | None = None) -> int:
    """Copy the form's eligible records (or ``records``) into ``release``'s ReleasedRecords; the
    number copied. On PostgreSQL one INSERT ... SELECT: nothing passes through Python."""
    records = (eligible(release.form) if records is None else records).order_by()
    if connection.vendor == "postgresql":
        sql, params = records.values_list(*(s for _, s in FROZEN)).query.sql_with_params()
        columns = ", ".join(["release_id", *(name for name, _ in FROZEN)])
        table = ReleasedRecord._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, t.* FROM ({sql}) AS t",  # noqa: S608 - model names
                [release.pk, *params],
            )
            return cursor.rowcount
    rows = [
        ReleasedRecord(
            release=release, **{name: value for (name, _), value in zip(FROZEN, row, strict=True)}
        )
        for row in records.values_list(*(source for _, source in FROZEN)).iterator(5000)
    ]
    ReleasedRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def changes_since(form: Form, base: Release | None) -> dict:
    """What analysts would see change if the candidate replaced ``base``: records added, changed
    (any frozen value differs) and removed (superseded, held back or withheld since)."""
    candidate = eligible(form).order_by()
    if base is None:
        return {"base": None, "added": candidate.count(), "changed": 0, "removed": 0}
    frozen = ReleasedRecord.objects.filter(release=base).order_by()
    added = candidate.exclude(pk__in=frozen.values("record_id")).count()
    removed = frozen.exclude(record_id__in=candidate.values("pk")).count()
    same = candidate.annotate(point=Coalesce("service_point_id", 0)).filter(
        pk=OuterRef("record_id"),
        version_id=OuterRef("version_id"),
        point=OuterRef("point"),
        month=OuterRef("month"),
        published=OuterRef("data"),
        suppressed=OuterRef("suppressed"),
    )
    kept = frozen.filter(record_id__in=candidate.values("pk")).annotate(
        point=Coalesce("service_point_id", 0)
    )
    changed = kept.exclude(Exists(same)).count()
    return {"base": base.pk, "added": added, "changed": changed, "removed": removed}
