"""What a release freezes: the candidate set, its content hash, the copy into ``ReleasedRecord``
and what changed since the last approved release.

A candidate is every record analysts may read if the DPO approves it now: current (not
superseded), under its version's current rules, not held back, not withheld, released before
or not. Its content hash covers exactly what is copied (record id, version, service point,
month, published answers, suppressed list) and the release it replaces, so approval can check
that what it froze is what was reviewed, and that nobody approved another release meanwhile.
"""

import hashlib
import json

from django.db import NotSupportedError, connection
from django.db.models import Exists, F, Func, JSONField, OuterRef, QuerySet

from forms.models import Form
from privacy.disclosure.scope import under_current_rules
from privacy.models import AnonymisedRecord, Release, ReleasedRecord, published_answers
from privacy.review.columns import columns_store

# The frozen columns, in hash order: ReleasedRecord's name, then AnonymisedRecord's (the last
# two annotated by ``_sources``: the published answers and the verdict's suppressed list).
FROZEN = [
    ("record_id", "id"),
    ("version_id", "version_id"),
    ("service_point_id", "service_point_id"),
    ("month", "month"),
    ("data", "published"),
    ("suppressed", "hidden"),
]


class Published(Func):
    """PostgreSQL: a record's data without the answers its verdict suppressed (``-`` on jsonb),
    for the statements that copy or hash a million records in the database. Elsewhere the
    records pass through Python (``published_answers``)."""

    output_field = JSONField()

    def __init__(self) -> None:
        super().__init__(F("data"), F("verdict__suppressed"))

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            raise NotSupportedError("Published is computed in the database on PostgreSQL only")
        data, data_params = compiler.compile(self.source_expressions[0])
        hidden, hidden_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"(CASE WHEN {hidden} = '[]'::jsonb THEN {data} ELSE {data} - ARRAY(SELECT "
            f"jsonb_array_elements_text({hidden})) END)"
        )
        return sql, (*hidden_params, *data_params, *data_params, *hidden_params)


def eligible(form: Form) -> QuerySet[AnonymisedRecord]:
    """The records a release of ``form`` approved now would publish: current, not withheld,
    anonymised under their version's current rules (``left_out`` counts the others), checked
    by disclosure control as they are now and not held back."""
    # The verdict's form too: PostgreSQL then reads (and locks) the form's partition only.
    records = AnonymisedRecord.objects.filter(
        form=form, superseded=False, withheld_at__isnull=True, verdict__form_id=form.pk
    )
    return under_current_rules(records, form.pk).publishable()


def _sources(records: QuerySet) -> QuerySet:
    """``records`` with the frozen columns as ``FROZEN`` names them. On PostgreSQL the
    published answers are computed in the query; elsewhere ``published`` is the data, and
    ``_published_rows`` takes the suppressed answers out."""
    published = Published() if connection.vendor == "postgresql" else F("data")
    return records.order_by().annotate(published=published, hidden=F("verdict__suppressed"))


def _published_rows(rows):
    """Rows of ``FROZEN`` sources read outside PostgreSQL, with the suppressed answers out."""
    for row in rows:
        yield (*row[:4], published_answers(row[4], row[5]), row[5])


def latest_approved(form: Form) -> Release | None:
    """The release analysts read: the form's most recently approved one."""
    return (
        Release.objects.filter(form=form, state=Release.State.APPROVED)
        .defer("risk", "microdata_risk")
        .order_by("-approved_at", "-pk")
        .first()
    )


# A frozen row's digest (columns t.a .. t.f in ``FROZEN`` order): the hex SHA-256 of its values
# joined by "|", jsonb as its canonical text; the same text whichever table it is read from.
ROW_DIGEST = (
    "encode(sha256(convert_to(concat_ws('|', t.a::text, t.b::text, coalesce(t.c::text, ''), "
    "t.d, t.e::text, t.f::text), 'UTF8')), 'hex')"
)


def snapshot_hash(records: QuerySet, *, frozen: bool, base: Release | None) -> str:
    """The hash of a candidate (``frozen=False``: AnonymisedRecords) or of what a release froze
    (``frozen=True``: its ReleasedRecords); equal when they hold the same content."""
    return snapshot(records, frozen=frozen, base=base)[0]


def snapshot(records: QuerySet, *, frozen: bool, base: Release | None) -> tuple[str, int]:
    """``snapshot_hash`` and the number of records it covers, read together."""
    columns = [name if frozen else source for name, source in FROZEN]
    records = records if frozen else _sources(records)
    prefix = f"base:{base.pk if base else '-'}|"
    if connection.vendor == "postgresql":
        # One aggregate in the database: a million rows never reach Python. jsonb's text form
        # is canonical, so the same answers give the same text in both tables.
        sql, params = records.order_by().values_list(*columns).query.sql_with_params()
        with connection.cursor() as cursor:
            _work_mem(cursor)
            cursor.execute(
                "SELECT encode(sha256(convert_to(%s || coalesce(string_agg("  # noqa: S608 - no user text
                f"{ROW_DIGEST}, '' ORDER BY t.a), ''), 'UTF8')), 'hex'), "
                f"count(*) FROM ({sql}) AS t(a, b, c, d, e, f)",
                [prefix, *params],
            )
            digest_hex, count = cursor.fetchone()
            return digest_hex, count
    digest = hashlib.sha256(prefix.encode())
    rows = records.order_by().values_list(*columns)
    rows = sorted(rows if frozen else _published_rows(rows), key=lambda row: str(row[0]))
    for row in rows:
        text = "|".join(
            [str(row[0]), str(row[1]), "" if row[2] is None else str(row[2]), row[3]]
            + [json.dumps(value, sort_keys=True) for value in row[4:]]
        )
        digest.update(hashlib.sha256(text.encode()).hexdigest().encode())
    return digest.hexdigest(), len(rows)


def freeze(release: Release, records: QuerySet | None = None) -> int:
    """Copy the form's eligible records (or ``records``) into ``release``'s ReleasedRecords and
    store its columns (``privacy.review.columns``); the number copied. On PostgreSQL one
    INSERT ... SELECT: nothing passes through Python."""
    copied = freeze_rows(release, records, analyze=True)
    columns_store(release)  # what downloads print as their header, read once here
    return copied


def freeze_rows(release: Release, records: QuerySet | None = None, *, analyze: bool) -> int:
    """``freeze`` without storing the columns: only ReleasedRecord rows are written (no lock on
    the release row). results computes a candidate's tables from this copy inside a
    transaction it rolls back, so that they count exactly what approval would freeze.
    ``analyze``: refresh the table's statistics after the copy (PostgreSQL)."""
    records = _sources(eligible(release.form) if records is None else records)
    if connection.vendor == "postgresql":
        sql, params = records.values_list(*(s for _, s in FROZEN)).query.sql_with_params()
        columns = ", ".join(["release_id", *(name for name, _ in FROZEN)])
        table = ReleasedRecord._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, t.* FROM ({sql}) AS t",  # noqa: S608 - model names
                [release.pk, *params],
            )
            copied = cursor.rowcount
            # A million fresh rows with stale statistics make the planner compare the next
            # candidate with them by index lookups, one per row (12.8 s instead of a hash join).
            if analyze:
                cursor.execute(f"ANALYZE {table}")
        return copied
    rows = [
        ReleasedRecord(
            release=release, **{name: value for (name, _), value in zip(FROZEN, row, strict=True)}
        )
        for row in _published_rows(
            records.values_list(*(source for _, source in FROZEN)).iterator(5000)
        )
    ]
    ReleasedRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def changes_since(form: Form, base: Release | None) -> dict:
    """What analysts would see change if the candidate replaced ``base``: records added, changed
    (any frozen value differs) and removed (superseded, held back or withheld since)."""
    return candidate_snapshot(form, base)[2]


def candidate_snapshot(form: Form, base: Release | None) -> tuple[str, int, dict]:
    """The candidate a release of ``form`` opened now would be: its hash (``snapshot_hash``),
    its number of records, and what changed since ``base`` (``changes_since``)."""
    candidate = eligible(form).order_by()
    if base is None:  # every record is added: counted with the hash
        digest, count = snapshot(candidate, frozen=False, base=None)
        return digest, count, {"base": None, "added": count, "changed": 0, "removed": 0}
    frozen = ReleasedRecord.objects.filter(release=base).order_by()
    if connection.vendor == "postgresql":
        return _compared(candidate, frozen, base)
    # Small databases: compared in Python.
    added = candidate.exclude(Exists(frozen.filter(record_id=OuterRef("pk")))).count()
    removed = frozen.exclude(Exists(candidate.filter(pk=OuterRef("record_id")))).count()
    sources = _sources(candidate).values_list(*(source for _, source in FROZEN))
    now = {row[0]: row[1:] for row in _published_rows(sources)}
    names = [name for name, _ in FROZEN]
    changed = sum(
        1
        for row in frozen.values_list(*names).iterator(5000)
        if row[0] in now and tuple(row[1:]) != tuple(now[row[0]])
    )
    digest, count = snapshot(candidate, frozen=False, base=base)
    changes = {"base": base.pk, "added": added, "changed": changed, "removed": removed}
    return digest, count, changes


def _work_mem(cursor) -> None:
    """PostgreSQL, for the rest of the caller's transaction: room to sort a million hashes (the
    content hash) or hash-join a million ids in memory. With the default 4 MB both spilled to
    disk in hundreds of batches; 64 MB keeps the backend far below the 500 MB a release may
    use. Outside a transaction (autocommit) nothing is set."""
    if not connection.get_autocommit():
        cursor.execute("SET LOCAL work_mem = '64MB'")


def _compared(candidate: QuerySet, frozen: QuerySet, base: Release) -> tuple[str, int, dict]:
    """PostgreSQL: ``candidate_snapshot`` in one statement. The candidate's rows and the frozen
    ones are full-joined by record id, each reduced to the id and the SHA-256 of its values
    as ``snapshot`` hashes them: the candidate's digests make its hash, and a record whose
    digests differ changed.

    Why: counting the changed records with a correlated NOT EXISTS recomputed a record's
    published answers once per frozen row (39.7 s of a 1M candidate), and hashing the
    candidate apart read the million records a second time."""
    sides = []
    for rows, names in (
        (_sources(candidate), [source for _, source in FROZEN]),
        (frozen, [name for name, _ in FROZEN]),
    ):
        sql, params = rows.values_list(*names).query.sql_with_params()
        sides.append(
            (
                f"SELECT t.a AS id, {ROW_DIGEST} AS h "  # noqa: S608 - Django-built subquery
                f"FROM ({sql}) AS t(a, b, c, d, e, f)",
                params,
            )
        )
    (now, now_params), (then, then_params) = sides
    with connection.cursor() as cursor:
        _work_mem(cursor)
        cursor.execute(
            "SELECT encode(sha256(convert_to(%s || coalesce(string_agg(c.h, '' ORDER BY c.id) "  # noqa: S608 - built above
            "FILTER (WHERE c.id IS NOT NULL), ''), 'UTF8')), 'hex'), count(c.id), "
            "count(*) FILTER (WHERE f.id IS NULL), "
            "count(*) FILTER (WHERE c.id IS NOT NULL AND f.id IS NOT NULL AND c.h <> f.h), "
            f"count(*) FILTER (WHERE c.id IS NULL) FROM ({now}) c FULL JOIN ({then}) f "
            "ON f.id = c.id",
            [f"base:{base.pk}|", *now_params, *then_params],
        )
        digest, count, added, changed, removed = cursor.fetchone()
    changes = {"base": base.pk, "added": added, "changed": changed, "removed": removed}
    return digest, count, changes
