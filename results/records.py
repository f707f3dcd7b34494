"""The released records, row by row, for analysts a DPO approved them for (``results.microdata``):
``records.csv`` with codes, streamed in constant memory (PostgreSQL writes the lines), and
``records_zip`` with labels in a chosen form language and each repeat as a second file linked by
the record id (``results.records_labelled``). Columns follow the questionnaire's order."""

import csv
import hashlib
import hmac
import io
from collections.abc import Iterator
from uuid import UUID

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Func

from forms.models import Form
from lib.crypto import pseudonym_key
from lib.spreadsheets import TRIGGERS, neutralise, neutralise_sql
from privacy.models import Release, ReleasedRecord
from results.microdata import WITHHELD, microdata_records
from results.released import Filters, released_records

BOM = "\ufeff"
COLUMNS_CACHED = 7 * 24 * 3600  # seconds; a release's columns never change
FETCH = 1000  # records per round trip: a few MB of lines in memory at a time
# The record column as PostgreSQL writes it: the same keyed hash as ``record_label``.
RECORD_LABEL_SQL = (
    "left(encode(sha256(%s::bytea || convert_to(r.record_id::text, 'UTF8')), 'hex'), 20)"
)


def release_record_key(form: Form, release: Release | None) -> bytes:
    """A key of this release's own for the record column. A frozen record keeps its random id
    in every release, so printing that id would let an analyst line up two releases' files and
    see which records changed, were withheld or left - the differences disclosure control was
    never asked to protect. Within one release the label is stable (records.csv and a repeat
    file join on it); across releases it is unrelated. Derived from the pseudonym secret, never
    stored."""
    if release is None:
        return b""
    key = pseudonym_key(form.project_id)
    return hmac.new(key, f"release-records:{release.pk}".encode(), "sha256").digest()


def record_label(key: bytes, record_id: UUID | str) -> str:
    """The record column: ``RECORD_LABEL_SQL`` in Python."""
    return hashlib.sha256(key + str(record_id).encode()).hexdigest()[:20]


def answer_key(question: dict) -> str:
    """The key a question's answer has in a record: its path below the form's root, or, inside
    a repeat, the repeat's (whose rows hold the answers). ``/data/group/q`` is ``group/q``."""
    return (question.get("repeat") or question["path"]).strip("/").split("/", 1)[-1]


def asked_order(form: Form) -> dict[str, int]:
    """Answer key -> position, as the questionnaires ask them (older versions first, a newer
    version's new questions after)."""
    asked: dict[str, int] = {}
    for questions in form.versions.order_by("created_at").values_list("questions", flat=True):
        for question in questions:
            asked.setdefault(answer_key(question), len(asked))
    return asked


def records_columns(form: Form, release: Release | None = None) -> list[str]:
    """Every answer any released record publishes (a newer version's questions too), in the
    order the questionnaires ask them.

    Finding them reads every record of the release (2.5 s for 20,000 records of the library
    questionnaire on a loaded machine), and a release's records never change once frozen: the
    answer is kept in the cache, keyed by the release and its approval time (a test database
    may hand a rolled-back release's id to another)."""
    if release is not None and release.approved_at is not None:
        key = f"waypoint:records-columns:{release.pk}:{release.approved_at.isoformat()}"
        found = cache.get(key)
        if found is None:
            found = _records_columns(form, release)
            cache.set(key, found, timeout=COLUMNS_CACHED)
        return found
    return _records_columns(form, release)


def _records_columns(form: Form, release: Release | None) -> list[str]:
    records = released_records(form, release=release).order_by()
    if connection.vendor == "postgresql":
        keys = set(
            records.annotate(key=Func(F("data"), function="jsonb_object_keys"))
            .values_list("key", flat=True)
            .distinct()
        )
    else:
        keys = {key for data in records.values_list("data", flat=True) for key in data}
    asked = asked_order(form)
    return sorted(keys, key=lambda key: (asked.get(key, len(asked)), key))


def _flat(value) -> object:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return f"{len(value)} row(s)"
        return " ".join(map(str, value))
    return value


def records_csv(form: Form, filters: Filters, release: Release | None = None) -> Iterator[str]:
    """The current release's frozen records, in chunks (constant memory whatever the size)."""
    if connection.vendor == "postgresql":
        return _records_csv_postgresql(form, filters, release)
    return _records_csv_python(form, filters, release)


def _quoted(expression: str) -> str:
    return "'\"' || replace(" + expression + ", '\"', '\"\"') || '\"'"


# Column i of a record as text, as ``_flat`` writes it: repeats counted, lists joined, text
# neutralised, numbers as they are; a value disclosure control hid as WITHHELD (a constant),
# never as empty. ``t.v_N_`` is the answer (jsonb), ``t.w_N_`` whether it was withheld.
def _neutralised(text: str) -> str:
    """``lib.spreadsheets.neutralise`` on the first character's code: the regular expression of
    ``neutralise_sql`` scans a whole story for its anchored match."""
    triggers = ", ".join(str(ord(c)) for c in TRIGGERS)
    return f"CASE WHEN ascii({text}) IN ({triggers}) THEN '''' || {text} ELSE {text} END"


VALUE_SQL = (
    "CASE WHEN t.w_N_ THEN '[withheld]' ELSE CASE jsonb_typeof(t.v_N_) "  # noqa: S608 - no user text
    "WHEN 'string' THEN " + _neutralised("(t.v_N_ #>> '{}')") + " "
    "WHEN 'array' THEN CASE WHEN jsonb_typeof(t.v_N_ -> 0) = 'object' "
    "THEN jsonb_array_length(t.v_N_) || ' row(s)' ELSE "
    + neutralise_sql("(SELECT string_agg(x #>> '{}', ' ') FROM jsonb_array_elements(t.v_N_) x)")
    + " END ELSE t.v_N_ #>> '{}' END END"
)


# Compiling this wide query took 0.4-1.5 s before the first row, and won nothing back.
NO_JIT = "SET LOCAL jit = off"


def records_values_sql(
    form: Form, filters: Filters, release: Release | None, columns: list[str]
) -> tuple[str, list]:
    """The records of ``microdata_records`` as a PostgreSQL FROM item ``v``: ``v.id`` (the
    record column), ``v.month``, and for column i ``v.cI`` (its text, NULL when unanswered)
    and ``v.nI`` (true when a number); and its parameters.

    Each layer is computed once per record (OFFSET 0 keeps the planner from folding it into
    every use): a record's answers are stored compressed (a story passes the 2 KB TOAST
    threshold), and reading ``data -> key`` straight from the table decompresses them again
    for each of the ~10 uses per column, most of an export's time. ``|| '{}'`` decompresses
    once; each answer is then looked up once."""
    selected, params = (
        microdata_records(form, filters, release).order_by().values("pk")
    ).query.sql_with_params()
    answers = "".join(
        f", r.data -> %s AS v{i}, r.suppressed ? %s AS w{i}" for i in range(len(columns))
    )
    values = "".join(
        f", {VALUE_SQL.replace('_N_', str(i))} AS c{i}, "
        f"(NOT t.w{i} AND jsonb_typeof(t.v{i}) = 'number') AS n{i}"
        for i in range(len(columns))
    )
    sql = (
        f"(SELECT t.id, t.month{values} FROM ("  # noqa: S608 - keys are parameters
        f"SELECT {RECORD_LABEL_SQL} AS id, r.month{answers} FROM ("
        f"SELECT r.record_id, r.month, r.data || '{{}}'::jsonb AS data, r.suppressed "
        f"FROM {ReleasedRecord._meta.db_table} r WHERE r.id IN ({selected}) OFFSET 0"
        ") r OFFSET 0) t OFFSET 0) v"
    )
    keys = [key for key in columns for _ in range(2)]
    return sql, [release_record_key(form, release), *keys, *params]


def _records_csv_postgresql(form: Form, filters: Filters, release: Release | None) -> Iterator[str]:
    """PostgreSQL writes each CSV line (quoting, lists joined, formulas neutralised), and a
    server-side cursor hands them over in chunks: Python only joins strings."""
    yield BOM  # the download starts while the columns are looked up
    columns = records_columns(form, release)
    values, params = records_values_sql(form, filters, release, columns)
    fields = [_quoted("v.id"), _quoted("v.month")] + [
        f"coalesce({_quoted(f'v.c{i}')}, '')" for i in range(len(columns))
    ]
    sql = f"SELECT concat_ws(',', {', '.join(fields)}) FROM {values}"  # noqa: S608
    header = io.StringIO()
    csv.writer(header).writerow(["record", "month", *columns])
    yield header.getvalue()
    with transaction.atomic(), connection.connection.cursor(name="records_export") as cursor:
        with connection.cursor() as settings:
            settings.execute(NO_JIT)
        cursor.itersize = FETCH
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield "\r\n".join(row[0] for row in rows) + "\r\n"


def _records_csv_python(form: Form, filters: Filters, release: Release | None) -> Iterator[str]:
    columns = records_columns(form, release)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["record", "month", *columns])
    yield BOM + flush()
    records = (
        microdata_records(form, filters, release)
        .order_by()
        .values_list("record_id", "month", "data", "suppressed")
    )
    key = release_record_key(form, release)
    for count, (pk, month, data, hidden) in enumerate(records.iterator(chunk_size=5000), 1):
        writer.writerow(
            [
                record_label(key, pk),
                month,
                *(WITHHELD if k in hidden else neutralise(_flat(data.get(k))) for k in columns),
            ]
        )
        if count % 500 == 0:
            yield flush()
    yield flush()
