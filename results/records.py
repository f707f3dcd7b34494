"""The released records, row by row, for analysts a DPO approved them for (``results.microdata``):
``records.csv`` with codes, streamed in constant memory (PostgreSQL writes the lines), and
``records_zip`` with labels in a chosen form language and each repeat as a second file linked by
the record id (``results.records_labelled``). Columns follow the questionnaire's order."""

import csv
import hashlib
import hmac
import io
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from uuid import UUID

from django.db import connection, transaction

from forms.models import Form
from lib.crypto import pseudonym_key
from lib.spreadsheets import TRIGGERS, neutralise, neutralise_sql
from privacy.models import Release, ReleasedRecord
from privacy.review.columns import release_columns
from results.microdata import WITHHELD, microdata_records
from results.released import Filters, current_release

BOM = "\ufeff"
FETCH = 500  # records per round trip: a few MB of lines, a few batches at a time (fetched_ahead)
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


def records_columns(form: Form, release: Release | None = None) -> list[str]:
    """Every answer any record of ``release`` (else the form's latest approved one) publishes, a
    newer version's questions too, in the order the questionnaires ask them: stored on the
    release when it was frozen (``privacy.review.columns``)."""
    release = release or current_release(form)
    return [] if release is None else release_columns(release)


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


# What the text of a JSON value that is not a string may start with: a number, an array, an
# object, true or false (null has no text). A value whose text starts with anything else is a
# string, so most values are written without asking their type.
NOT_ONLY_STRINGS = "-0123456789[{tf"


def _codes(chars) -> str:
    return ", ".join(str(ord(c)) for c in chars)


def _neutralised(text: str) -> str:
    """``lib.spreadsheets.neutralise`` on the first character's code: the regular expression of
    ``neutralise_sql`` scans a whole story for its anchored match."""
    return f"CASE WHEN ascii({text}) IN ({_codes(TRIGGERS)}) THEN '''' || {text} ELSE {text} END"


def _value_sql(i: int) -> str:
    """Column i of a record as text, as ``_flat`` writes it: repeats counted, lists joined, text
    neutralised, numbers as they are; a value disclosure control hid as WITHHELD (a constant),
    never as empty. ``t.sI`` is the answer's text (``->>``), ``t.wI`` whether it was withheld,
    ``t.data -> t.kI`` the answer.

    Every call is paid per record and column (a copy of a 3 KB story each time it is turned
    into text), so each answer is turned into text once and told apart by its first character;
    only text that may not be a string (``NOT_ONLY_STRINGS``) has its type asked. A list of
    plain strings (the choices of a select_multiple: no quote or escape in its JSON text) is
    joined from that text; any other list goes element by element, as ``_flat`` does."""
    s, answer = f"t.s{i}", f"t.data -> t.k{i}"
    sure = [c for c in TRIGGERS if c not in NOT_ONLY_STRINGS]
    unsure = [c for c in TRIGGERS if c in NOT_ONLY_STRINGS]
    joined = f"left(substr(replace({s}, '\", \"', ' '), 3), -2)"
    elements = f"(SELECT string_agg(x #>> '{{}}', ' ') FROM jsonb_array_elements({answer}) x)"  # noqa: S608
    first = f"ascii(substr({s}, 3, 1))"  # of the first choice, the one neutralised
    listed = (
        f"CASE WHEN strpos({s}, '\\') = 0 AND left({s}, 2) = '[\"' AND right({s}, 2) = '\"]' "
        f"AND strpos({joined}, '\"') = 0 THEN CASE WHEN {first} IN ({_codes(TRIGGERS)}) "
        f"THEN '''' || {joined} ELSE {joined} END "
        f"WHEN jsonb_typeof({answer} -> 0) = 'object' "
        f"THEN jsonb_array_length({answer}) || ' row(s)' "
        f"ELSE {neutralise_sql(elements)} END"
    )
    return (
        f"CASE WHEN t.w{i} THEN '[withheld]' WHEN {s} IS NULL THEN NULL "
        f"WHEN ascii({s}) IN ({_codes(sure)}) THEN '''' || {s} "
        f"WHEN ascii({s}) IN ({_codes(unsure)}) THEN CASE WHEN jsonb_typeof({answer}) = 'string' "
        f"THEN '''' || {s} ELSE {s} END "
        f"WHEN ascii({s}) IN (91, 123) AND jsonb_typeof({answer}) = 'array' THEN {listed} "
        f"ELSE {s} END"
    )


def _number_sql(i: int) -> str:
    """Whether column i holds a number (a workbook's numeric cell): its type is asked only of
    text a number may have written (a date such as 2026-12 never is one)."""
    s = f"t.s{i}"
    return (
        f"(NOT t.w{i} AND (ascii({s}) BETWEEN 48 AND 57 OR ascii({s}) = 45) "
        f"AND strpos({s}, '-') < 2 AND jsonb_typeof(t.data -> t.k{i}) = 'number')"
    )


# Compiling this wide query took 0.4-1.5 s before the first row, and won nothing back.
NO_JIT = "SET LOCAL jit = off"


# PostgreSQL processes writing one download's rows, each a share of the records: writing the
# rows is most of an export's work, and one process uses one core of a host that has two.
PARTS = 2
# Downloads of a process that may read with a second connection at once: each holds one more
# PostgreSQL connection (and snapshot) for as long as the client reads, beyond the one per
# gunicorn thread the runbook sizes for; past this, a download reads in one part.
TWO_PART_DOWNLOADS = threading.BoundedSemaphore(2)


def fetched_ahead(cursors: list, size: int) -> Iterator[list[tuple]]:
    """The batches of ``cursor.fetchmany(size)`` of every server-side cursor in ``cursors``, in
    the order they arrive, each fetched while the caller still sends the one before: each
    PostgreSQL process writes its next rows while this process compresses and sends (psycopg2,
    zlib and the socket release the GIL), instead of each waiting on the other. At most two
    batches per cursor and the caller's are held at a time.

    One thread per cursor uses it alone; they are stopped and joined before the generator
    returns (a client that goes away closes it), so the callers' transactions then end as
    usual."""
    batches: queue.Queue = queue.Queue(maxsize=len(cursors))
    stop = threading.Event()

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def fetch(cursor) -> None:
        try:
            while not stop.is_set():
                rows = cursor.fetchmany(size)
                put(rows)
                if not rows:
                    return
        except Exception as error:  # handed to the caller's thread, raised there
            put(error)

    threads = [
        threading.Thread(target=fetch, args=(cursor,), name="records-fetch", daemon=True)
        for cursor in cursors
    ]
    for thread in threads:
        thread.start()
    try:
        running = len(threads)
        while running:
            rows = batches.get()
            if isinstance(rows, Exception):
                raise rows
            if not rows:
                running -= 1
                continue
            yield rows
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def rows_streamed(sql: Callable[[int, int], tuple[str, list]], size: int, *, raw: bool = False):
    """The rows of ``sql(part, parts)`` for every part, in batches (``fetched_ahead``), each
    part read through a server-side cursor by a PostgreSQL process of its own (``PARTS``);
    ``raw``: text columns as the UTF-8 bytes PostgreSQL sends (nothing decoded).

    The first part is read on Django's connection; the others on connections opened here and
    closed at the end. Those see only committed rows, so a caller inside a transaction (a test)
    gets one part, read on Django's connection. A release's frozen records never change once
    committed: the parts need no shared snapshot."""
    from psycopg2.extensions import BYTES, register_type

    parts = 1 if connection.in_atomic_block else PARTS
    if parts > 1 and not TWO_PART_DOWNLOADS.acquire(blocking=False):
        parts = 1
    extra = [
        connection.get_new_connection(connection.get_connection_params()) for _ in range(1, parts)
    ]
    try:
        with transaction.atomic(), ExitStack() as cursors:
            with connection.cursor() as settings:
                settings.execute(NO_JIT)
            opened = [cursors.enter_context(connection.connection.cursor(name="records_export"))]
            for other in extra:
                with other.cursor() as settings:
                    settings.execute(NO_JIT)  # in the transaction psycopg2 begins
                opened.append(cursors.enter_context(other.cursor(name="records_export")))
            for part, cursor in enumerate(opened):
                if raw:
                    register_type(BYTES, cursor)
                cursor.execute(*sql(part, parts))
            yield from fetched_ahead(opened, size)
    finally:
        for other in extra:
            other.close()
        if parts > 1:
            TWO_PART_DOWNLOADS.release()


def records_values_sql(
    form: Form,
    filters: Filters,
    release: Release | None,
    columns: list[str],
    part: tuple[int, int] = (0, 1),
) -> tuple[str, list]:
    """The records of ``microdata_records`` as a PostgreSQL FROM item ``v``: ``v.id`` (the
    record column), ``v.month``, and for column i ``v.cI`` (its text, NULL when unanswered)
    and ``v.nI`` (true when a number); and its parameters.

    Each layer is computed once per record (OFFSET 0 keeps the planner from folding it into
    every use): a record's answers are stored compressed (a story passes the 2 KB TOAST
    threshold), and reading ``data -> key`` straight from the table decompresses them again
    for each of the ~10 uses per column, most of an export's time. ``|| '{}'`` decompresses
    once; each answer is then looked up once, as text, and again only where ``_value_sql``
    needs its type. ``part`` (i, n): only the i-th of n shares of the records
    (``rows_streamed``)."""
    selected, params = (
        microdata_records(form, filters, release).order_by().values("pk")
    ).query.sql_with_params()
    answers = "".join(
        f", r.data ->> %s AS s{i}, (r.hidden AND r.suppressed ? %s) AS w{i}, %s::text AS k{i}"
        for i in range(len(columns))
    )
    values = "".join(
        f", {_value_sql(i)} AS c{i}, {_number_sql(i)} AS n{i}" for i in range(len(columns))
    )
    sql = (
        f"(SELECT t.id, t.month{values} FROM ("  # noqa: S608 - keys are parameters
        f"SELECT {RECORD_LABEL_SQL} AS id, r.month, r.data{answers} FROM ("
        f"SELECT r.record_id, r.month, r.data || '{{}}'::jsonb AS data, r.suppressed, "
        "r.suppressed <> '[]'::jsonb AS hidden "
        f"FROM {ReleasedRecord._meta.db_table} r WHERE r.id IN ({selected}) "
        "AND r.id %% %s = %s OFFSET 0) r OFFSET 0) t OFFSET 0) v"
    )
    keys = [key for key in columns for _ in range(3)]
    return sql, [release_record_key(form, release), *keys, *params, part[1], part[0]]


def _records_csv_postgresql(form: Form, filters: Filters, release: Release | None) -> Iterator[str]:
    """PostgreSQL writes each CSV line (quoting, lists joined, formulas neutralised), and a
    server-side cursor hands them over in chunks: Python only joins strings."""
    yield BOM  # the download starts while the columns are looked up
    columns = records_columns(form, release)
    # One concat per line (``||`` copies all that came before at every step); ``replace``
    # hands back a value holding no quote as it is.
    fields = "".join(
        f", CASE WHEN v.c{i} IS NULL THEN ',' ELSE ',\"' END, replace(v.c{i}, '\"', '\"\"'), "
        f"CASE WHEN v.c{i} IS NOT NULL THEN '\"' END"
        for i in range(len(columns))
    )
    line = f"concat('\"', v.id, '\",\"', replace(v.month, '\"', '\"\"'), '\"'{fields})"

    def sql(part: int, parts: int) -> tuple[str, list]:
        values, params = records_values_sql(form, filters, release, columns, (part, parts))
        return f"SELECT {line} FROM {values}", params  # noqa: S608

    header = io.StringIO()
    csv.writer(header).writerow(["record", "month", *columns])
    yield header.getvalue()
    for rows in rows_streamed(sql, FETCH):
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
