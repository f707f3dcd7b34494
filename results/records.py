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

from django.db import connection, transaction
from django.db.models import F, Func

from forms.models import Form
from lib.crypto import pseudonym_key
from lib.spreadsheets import neutralise, neutralise_sql
from privacy.models import Release, ReleasedRecord
from results.microdata import WITHHELD, microdata_records
from results.released import Filters, released_records

BOM = "\ufeff"
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
    order the questionnaires ask them."""
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


# A value as text, as ``_flat`` writes it: repeats counted, lists joined, text neutralised,
# numbers as they are; a value disclosure control hid as WITHHELD (a constant), never as empty.
VALUE_SQL = (
    "CASE WHEN r.suppressed @> jsonb_build_array(%s::text) THEN '[withheld]' ELSE "  # noqa: S608 - keys are parameters
    "CASE WHEN jsonb_typeof(r.data -> %s -> 0) = 'object' THEN "
    "jsonb_array_length(r.data -> %s) || ' row(s)' "
    "ELSE CASE jsonb_typeof(r.data -> %s) WHEN 'array' THEN "
    + neutralise_sql(
        "(SELECT string_agg(x #>> '{}', ' ') FROM jsonb_array_elements(r.data -> %s) x)"
    )
    + " WHEN 'string' THEN "
    + neutralise_sql("(r.data ->> %s)")
    + " ELSE r.data ->> %s END END END"
)


def _records_csv_postgresql(form: Form, filters: Filters, release: Release | None) -> Iterator[str]:
    """PostgreSQL writes each CSV line (quoting, lists joined, formulas neutralised), and a
    server-side cursor hands them over in chunks: Python only joins strings."""
    columns = records_columns(form, release)
    selected, params = (
        microdata_records(form, filters, release).order_by().values("pk")
    ).query.sql_with_params()
    values = "".join(f", {VALUE_SQL} AS c{i}" for i in range(len(columns)))
    fields = [_quoted("t.id"), _quoted("t.month")] + [
        f"coalesce({_quoted(f't.c{i}')}, '')" for i in range(len(columns))
    ]
    sql = (
        f"SELECT concat_ws(',', {', '.join(fields)}) FROM ("  # noqa: S608 - no user text in it
        f"SELECT {RECORD_LABEL_SQL} AS id, r.month{values} "
        f"FROM {ReleasedRecord._meta.db_table} r WHERE r.id IN ({selected})) t"
    )
    key_params = [key for key in columns for _ in range(VALUE_SQL.count("%s"))]
    header = io.StringIO()
    csv.writer(header).writerow(["record", "month", *columns])
    yield BOM + header.getvalue()
    with transaction.atomic(), connection.connection.cursor(name="records_export") as cursor:
        cursor.itersize = 10000
        cursor.execute(sql, [release_record_key(form, release), *key_params, *params])
        while rows := cursor.fetchmany(10000):
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
