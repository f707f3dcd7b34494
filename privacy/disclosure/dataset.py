"""Disclosure control over a whole form (every version): the bridge between the records in the
database and the numeric routines of ``control.py``, which know nothing of Django."""

import hashlib
import json
import time
import uuid
from collections import Counter
from typing import NamedTuple

import numpy as np
from django.db import connection, transaction
from django.db.models import F, JSONField, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import JSONObject
from psycopg2.extras import execute_values

from forms.models import Form, PrivacyRule
from privacy.disclosure import control
from privacy.models import AnonymisedRecord, DisclosurePending, DisclosureRun


def _records_write(updates: list, read_hashes: dict) -> None:
    """Write the verdicts, skipping records whose content changed since they were read.

    On PostgreSQL the verdicts go to a temporary table and one UPDATE joins them, checking the
    content hash and cutting ``published`` from ``data`` in the database: Django's bulk_update
    (a CASE per field per row) took 12 minutes for 1,000,000 records."""
    if connection.vendor != "postgresql":
        AnonymisedRecord.objects.bulk_update(
            _unchanged_since_read(updates, read_hashes),
            ["suppressed", "held", "fk", "published"],
            batch_size=2000,
        )
        return
    table = AnonymisedRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE disclosure_verdict (id uuid PRIMARY KEY, content_hash text, "
            "suppressed jsonb, held boolean, fk integer) ON COMMIT DROP"
        )
        execute_values(
            cursor,
            "INSERT INTO disclosure_verdict VALUES %s",
            [
                (str(u.pk), read_hashes[u.pk], json.dumps(u.suppressed), u.held, u.fk)
                for u in updates
            ],
            page_size=5000,
        )
        cursor.execute(
            f"UPDATE {table} r SET suppressed = v.suppressed, held = v.held, fk = v.fk, "  # noqa: S608 - the model's own table name
            "published = r.data - ARRAY(SELECT jsonb_array_elements_text(v.suppressed)) "
            "FROM disclosure_verdict v WHERE r.id = v.id AND r.content_hash = v.content_hash"
        )
        cursor.execute("DROP TABLE disclosure_verdict")  # at once: the caller may go on


def _unchanged_since_read(updates: list, read_hashes: dict) -> list:
    """Lock the records about to be written and keep those whose content is what was read."""
    kept: list = []
    for start in range(0, len(updates), 2000):
        chunk = updates[start : start + 2000]
        current = dict(
            AnonymisedRecord.objects.select_for_update()
            .filter(pk__in=[u.pk for u in chunk])
            .values_list("pk", "content_hash")
        )
        kept.extend(u for u in chunk if current.get(u.pk) == read_hashes[u.pk])
    return kept


def quasi_identifiers(form: Form) -> list[str]:
    """The form's quasi-identifiers (outside repeats), most important first: in the order the
    questionnaire asks them, over all versions' current rules."""
    return _variables(form, "quasi")


def sensitive_variables(form: Form) -> list[str]:
    return _variables(form, "sensitive")


def _variables(form: Form, classification: str) -> list[str]:
    names: list[str] = []
    for version in form.versions.order_by("created_at"):
        rule_set = version.current_rule_set
        repeats = {q["repeat"] for q in version.questions if q.get("repeat")}
        for rule in PrivacyRule.objects.filter(rule_set=rule_set, classification=classification):
            if any(rule.path.startswith(r + "/") for r in repeats):
                continue
            name = rule.path.split("/", 2)[-1]
            if name not in names:
                names.append(name)
    return names


def _hashable(value):
    """Multi-select answers are lists; a class is the same set of codes."""
    return "|".join(map(str, value)) if isinstance(value, list) else value


def _fingerprint(records, form: Form, names: list[str]) -> str:
    """SHA-256 over the settings and every (record id, content hash), ids in byte order: the
    same value whichever database computes it. PostgreSQL computes it without sending the
    records, so an unchanged form of 1,000,000 records is recognised without reading them."""
    project = form.project
    prefix = f"{project.k_anonymity}|{project.disclosure_mode}|{'|'.join(names)}"
    if connection.vendor == "postgresql":
        query, params = records.values("id", "content_hash").query.sql_with_params()
        aggregate = (
            "string_agg(r.id::text || ':' || r.content_hash || ';', '' "
            'ORDER BY r.id::text COLLATE "C")'
        )
        sql = f"SELECT encode(sha256(convert_to(%s || coalesce({aggregate}, ''), 'UTF8')), 'hex') FROM ({query}) r"  # noqa: E501, S608 - Django-built subquery, parameters bound
        with connection.cursor() as cursor:
            cursor.execute(sql, [prefix, *params])
            return cursor.fetchone()[0]
    digest = hashlib.sha256(prefix.encode())
    for pk, content_hash in sorted(
        (str(pk), h) for pk, h in records.values_list("pk", "content_hash")
    ):
        digest.update(f"{pk}:{content_hash};".encode())
    return digest.hexdigest()


def _summary(summary: control.RiskSummary, categories: list[list]) -> dict:
    def label(codes):
        return [
            None if code == control.MISSING else categories[i][code] for i, code in enumerate(codes)
        ]

    return {
        "records": summary.records,
        "k": summary.k,
        "k_achieved": summary.k_achieved,
        "violating": summary.violating,
        "global_risk": summary.global_risk,
        "expected_reidentifications": summary.expected_reidentifications,
        "risk_histogram": summary.risk_histogram,
        "top_combinations": [
            {"values": label(codes), "fk": fk} for codes, fk in summary.top_combinations
        ],
    }


def disclosure_run(*, form_id: int) -> DisclosureRun:
    """Group records by their generalised quasi-identifiers and bring every group to k, by local
    suppression or by holding records back, as the project says. Skips an unchanged dataset.

    One run per form at a time (the form's row is locked for the run). The run first takes the
    form's ``DisclosurePending`` mark, so a batch that writes records meanwhile marks the form
    again and gets a run of its own; a batch holding the mark makes this wait for its commit,
    so its records are read here. A record whose content changed after it was read is not
    written: its own mark brings the next run, and until then it stays withheld."""
    with transaction.atomic():
        form = Form.objects.select_for_update().select_related("project").get(pk=form_id)
        DisclosurePending.objects.filter(form_id=form_id).delete()
        return _disclosure_run(form)


class _Row(NamedTuple):
    """A record as disclosure control reads it: no more of it than the run needs."""

    pk: uuid.UUID
    content_hash: str
    quasi: dict
    answers: dict | None  # the sensitive answers; on SQLite the whole data (see _read)
    redactions: dict
    suppressed: list[str]
    held: bool
    fk: int | None


def _read(records, sensitive: list[str]) -> list[_Row]:
    # On PostgreSQL ``published`` is cut from ``data`` in the database (_records_write), so only
    # the sensitive answers are read, not whole records: a third of the memory for 1M records.
    in_database = connection.vendor == "postgresql"
    answers = (
        JSONObject(**{name: KeyTransform(name, "data") for name in sensitive})
        if in_database and sensitive
        else Value(None, JSONField())
        if in_database
        else F("data")
    )
    new = tuple.__new__  # as values_list(named=True) does: no copy per row for a million rows
    return [
        new(_Row, values) for values in records.annotate(answers=answers).values_list(*_Row._fields)
    ]


def _disclosure_run(form: Form) -> DisclosureRun:
    project = form.project
    names = quasi_identifiers(form)
    sensitive = sensitive_variables(form)
    records = AnonymisedRecord.objects.filter(form=form, superseded=False)
    fingerprint = _fingerprint(records, form, names)
    latest = form.disclosure_runs.first()
    if latest is not None and latest.fingerprint == fingerprint:
        return latest
    in_database = connection.vendor == "postgresql"
    rows = _read(records, sensitive)
    started = time.perf_counter()
    keys, categories = control.encode_columns(
        [[_hashable(row.quasi.get(name)) for row in rows] for name in names]
    )
    k = project.k_anonymity
    hold = project.disclosure_mode == project.DisclosureMode.HOLD
    before = control.risk_summary(keys, k)
    held = [False] * len(rows)
    suppressions = [0] * len(names)
    final = keys
    if rows and names:
        if hold:
            mask = control.hold_back(keys, k)
            held = [bool(x) for x in mask]
            final = keys[~mask]
        else:
            importance = list(range(len(names), 0, -1))  # the first asked is the most important
            final, per_key = control.local_suppression(keys, k, importance)
            suppressions = [int(x) for x in per_key]
    after = control.risk_summary(final, k)
    diversity = {}
    for name in sensitive:
        values, _ = control.encode_columns(
            [[_hashable((row.answers or {}).get(name)) for row in rows]]
        )
        column = values[:, 0]
        if hold and rows and names:
            column = column[[not h for h in held]]
        diversity[name] = (
            control.l_diversity_summary(final, column) if len(final) else {"min": 0, "mean": 0}
        )
    updates = _verdicts(rows, names, keys, final, held, published_here=not in_database)
    redactions: Counter[str] = Counter()
    for row in rows:
        redactions.update(row.redactions)
    with transaction.atomic():
        _records_write(updates, {row.pk: row.content_hash for row in rows})
        return DisclosureRun.objects.create(
            form=form,
            fingerprint=fingerprint,
            k=k,
            mode=project.disclosure_mode,
            quasi_identifiers=names,
            records=len(rows),
            before=_summary(before, categories),
            after=_summary(after, categories),
            suppressions=dict(zip(names, suppressions, strict=True)),
            held=sum(held),
            l_diversity=diversity,
            redactions=dict(redactions),
            seconds=round(time.perf_counter() - started, 3),
        )


def _verdicts(
    rows: list[_Row],
    names: list[str],
    keys: np.ndarray,
    final: np.ndarray,
    held: list[bool],
    *,
    published_here: bool,
) -> list[AnonymisedRecord]:
    """The records whose verdict changed. `final` holds the kept records' keys after suppression,
    in order; on PostgreSQL (not `published_here`) the database cuts ``published`` itself."""
    fk_final: np.ndarray | list[int] = control.frequencies(final) if len(final) else []
    updates = []
    kept = iter(range(len(final)))
    for index, row in enumerate(rows):
        if held[index]:
            suppressed, fk = [], None
        else:
            position = next(kept)
            suppressed = [
                names[j]
                for j in range(len(names))
                if final[position, j] == control.MISSING and keys[index, j] != control.MISSING
            ]
            fk = int(fk_final[position]) if len(fk_final) else None
        if (suppressed, held[index], fk) != (row.suppressed, row.held, row.fk):
            published = (
                {key: value for key, value in (row.answers or {}).items() if key not in suppressed}
                if published_here
                else None
            )
            updates.append(
                AnonymisedRecord(
                    pk=row.pk, suppressed=suppressed, held=held[index], fk=fk, published=published
                )
            )
    return updates
