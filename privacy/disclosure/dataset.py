"""Disclosure control over a whole form (every version): the bridge between the records in the
database and the numeric routines of ``control.py``, which know nothing of Django."""

import hashlib
import time

import numpy as np
from django.db import connection, transaction
from django.db.models import F

from forms.models import Form, PrivacyRule
from privacy.disclosure import control, suppression
from privacy.disclosure.columns import columns_read, verdicts_partition_ready, verdicts_write
from privacy.disclosure.legacy import old_keys
from privacy.disclosure.scope import under_current_rules
from privacy.models import AnonymisedRecord, DisclosurePending, DisclosureRun

# The record's month used as the visit month. Issue 13 adds the visit month proper: change this
# name (and nothing else) then.
VISIT_MONTH = "month"
# What an attacker may know besides the answers: grouped on exactly, never suppressed. Country,
# National Society and network are functions of the service point (ServicePoint.country,
# .national_society and its networks), so a cell of service point x visit month lies inside one
# country, one National Society and one network: grouping by the service point covers them.
DIMENSIONS = ["service_point", "country", "national_society", "network", "visit_month"]


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


def _settings_prefix(form: Form, names: list[str]) -> str:
    """What the run depends on besides the records: a change to any of it makes a new run."""
    project = form.project
    return (
        f"{project.k_anonymity}|{project.disclosure_mode}|{project.missing_values}"
        f"|{'|'.join(names)}|dimensions:{','.join(DIMENSIONS)}"
    )


def _fingerprint(
    records, form: Form, names: list[str], counted: tuple[int, int] | None = None
) -> tuple[str, int]:
    """SHA-256 of the settings, the number of records and the sum of a 64-bit hash of each
    record's id, content hash, service point and visit month: any change to a record changes
    the sum, and a sum needs no sort. On PostgreSQL the hash is ``hashtextextended`` (the
    server's own hash function, 2-3 times cheaper than MD5 in SQL), so an unchanged form of
    1,000,000 records is recognised in about a second without sending them. Change detection,
    not security: nobody can write records to make a run skip. Each database computes its own
    values (only a run's own database compares them). Returns it and the number of records."""
    prefix = _settings_prefix(form, names)
    if counted is not None:  # summed from the records as read (``stream.FINGERPRINT_ROW``)
        count, total = counted
    elif connection.vendor == "postgresql":
        # order_by(): the model's default order (form, hence project name, then created_at)
        # would join two tables and sort a million rows for a sum (a second of a re-check).
        query, params = (
            records.order_by()
            .values("id", "content_hash", "service_point_id")
            .annotate(visit_month=F(VISIT_MONTH))
            .query.sql_with_params()
        )
        row = (
            "r.id::text || ':' || r.content_hash || ':' || "
            "coalesce(r.service_point_id::text, '') || ':' || r.visit_month"
        )
        # sum(bigint) is exact (a numeric result) and sums in 128-bit integers: twice as fast
        # as a sum of numerics.
        sql = (
            "SELECT count(*), coalesce(sum(hashtextextended("  # noqa: S608 - Django-built subquery, parameters bound
            f"{row}, 0)), 0) FROM ({query}) r"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count, total = cursor.fetchone()
    else:
        count, total = 0, 0
        values = records.order_by().values_list(
            "pk", "content_hash", "service_point_id", VISIT_MONTH
        )
        for pk, content_hash, point, month in values:
            text = f"{pk}:{content_hash}:{'' if point is None else point}:{month}"
            count, total = count + 1, total + int(hashlib.md5(text.encode()).hexdigest()[:15], 16)  # noqa: S324 - change detection
    return hashlib.sha256(f"{prefix}|{count}|{int(total)}".encode()).hexdigest(), count


def _summary(
    summary: control.RiskSummary, categories: list[list], cells: "_Cells", missing: str
) -> dict:
    def label(code: int, i: int):
        return None if code < 0 else categories[i][code]

    def shown(code: int, i: int) -> str:
        if code == control.SUPPRESSED:
            return "(suppressed)"
        return "(no answer)" if code == control.MISSING else str(categories[i][code])

    return {
        "records": summary.records,
        "k": summary.k,
        "k_achieved": summary.k_achieved,
        "violating": summary.violating,
        "global_risk": summary.global_risk,
        "expected_reidentifications": summary.expected_reidentifications,
        "risk_histogram": summary.risk_histogram,
        "missing_values": missing,
        "dimensions": DIMENSIONS,
        "top_combinations": [
            {
                "values": [label(code, i) for i, code in enumerate(codes)],
                "labels": [shown(code, i) for i, code in enumerate(codes)],
                "cell": cells.label(cell),
                "fk": fk,
            }
            for (codes, fk), cell in zip(summary.top_combinations, summary.top_cells, strict=True)
        ],
    }


def disclosure_run(*, form_id: int) -> DisclosureRun:
    """Group records by their generalised quasi-identifiers and bring every group to k, by local
    suppression or by holding records back, as the project says. Skips an unchanged dataset.

    One run per form at a time (the form's row is locked for the run). The run first takes the
    form's ``DisclosurePending`` mark, so a batch that writes records meanwhile marks the form
    again and gets a run of its own; a batch holding the mark makes this wait for its commit,
    so its records are read here. Every record read gets a new verdict, except one whose
    content changed after it was read: its own mark brings the next run, and until then no
    release holds it."""
    verdicts_partition_ready(form_id)
    with transaction.atomic():
        form = Form.objects.select_for_update().select_related("project").get(pk=form_id)
        DisclosurePending.objects.filter(form_id=form_id).delete()
        return _disclosure_run(form)


class _Cells:
    """Names for the DPO of the dimension cells (service point x visit month) of a run."""

    def __init__(self, pairs: list[tuple]) -> None:
        self.pairs = pairs
        self._names: dict | None = None

    def label(self, code: int) -> dict:
        """The cell as the DPO reads it (never a person: a place and a month)."""
        if self._names is None:
            from accounts.models import ServicePoint

            ids = {point for point, _ in self.pairs if point is not None}
            self._names = dict(ServicePoint.objects.filter(pk__in=ids).values_list("pk", "name"))
        point, month = self.pairs[code]
        return {"service_point": self._names.get(point), "visit_month": month}


def _disclosure_run(form: Form) -> DisclosureRun:
    project = form.project
    names = quasi_identifiers(form)
    sensitive = sensitive_variables(form)
    # A record the DPO withheld never reaches analysts, so it cannot hide anyone in a group.
    # Nor does one under rules a DPO replaced: no release holds it (``scope``).
    records = under_current_rules(
        AnonymisedRecord.objects.filter(form=form, superseded=False, withheld_at__isnull=True),
        form.pk,
    )
    latest, fingerprint, count = form.disclosure_runs.first(), None, None
    # A first run, or one after k, the mode or the quasi-identifiers changed, runs whatever the
    # records: it sums its fingerprint from the records as it reads them, no query of its own.
    settings = (project.k_anonymity, project.disclosure_mode, names)
    # Verdicts with keys of the older form are renewed by a run that is never skipped (``legacy``).
    if (
        latest is not None
        and (latest.k, latest.mode, latest.quasi_identifiers) == settings
        and not old_keys(form.pk)
    ):
        fingerprint, count = _fingerprint(records, form, names)
        if latest.fingerprint == fingerprint:
            return latest
    # A re-check reads each record's verdict in force, to write only those that change; a run
    # after the settings changed (or a first one) rewrites them all: after k changed, half of a
    # million verdicts did, and reading them all first cost more than half a second.
    recheck = count is not None
    if count is None and latest is not None:
        # Only sizes the buffers (no count query): an eighth to spare, which takes no memory
        # while unused (zeroed pages); more records than that grow them.
        count = latest.records + latest.records // 8 + 1024
    data = columns_read(
        records,
        names,
        sensitive,
        VISIT_MONTH,
        form.pk,
        expected=count,
        fingerprint=not recheck,
        previous=recheck,
    )
    if fingerprint is None:
        fingerprint, _count = _fingerprint(records, form, names, data.fingerprint)
    started = time.perf_counter()
    keys, cells = data.keys, _Cells(data.cell_pairs)
    k, missing = project.k_anonymity, project.missing_values
    grouping = {"cells": data.cells, "missing": missing}
    before = control.risk_summary(keys, k, **grouping)
    if project.disclosure_mode == project.DisclosureMode.HOLD:
        held = suppression.hold_back(keys, k, **grouping)
        final, per_key = keys, np.zeros(len(names), np.int64)
    else:
        importance = list(range(len(names), 0, -1))  # the first asked is the most important
        protection = suppression.local_suppression(keys, k, importance, **grouping, fk=before.fk)
        final, held, per_key = protection.keys, protection.held, protection.suppressions
    kept = ~held
    # Each record's fk and group counted once here and handed on: grouping a million records
    # is most of this part's time.
    after = control.risk_summary(final[kept], k, cells=data.cells[kept], missing=missing)
    fk_kept = after.fk
    diversity = {
        name: control.l_diversity_summary(
            final[kept], values[kept], cells=data.cells[kept], classes=after.groups
        )
        for name, values in data.sensitive.items()
    }
    # fk is kept for the records disclosure control had to protect (a value hidden): the DPO
    # reads why; a record that needed nothing keeps fk empty.
    fk = np.full(len(data), -1, np.int64)
    fk[kept] = fk_kept
    hidden = (final == control.SUPPRESSED) & kept[:, None]
    fk[~hidden.any(axis=1)] = -1
    seconds = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        verdicts_write(data, form.pk, names, (hidden, held, fk))
        return DisclosureRun.objects.create(
            form=form,
            fingerprint=fingerprint,
            k=k,
            mode=project.disclosure_mode,
            quasi_identifiers=names,
            records=len(data),
            before=_summary(before, data.categories, cells, missing),
            after=_summary(after, data.categories, cells, missing),
            suppressions={name: int(count) for name, count in zip(names, per_key, strict=True)},
            held=int(held.sum()),
            l_diversity=diversity,
            redactions=data.redactions,
            seconds=seconds,
        )
