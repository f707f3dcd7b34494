"""Frequency tables and cross-tabulations of released records, with small cells suppressed.

Counting runs in the database (GROUP BY over the JSON answers), so a table over a million
records never loads them into Python. Multi-select answers are counted as mentions and as a
share of respondents; ranked questions as top choices and mean rank.
"""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform

from accounts.models import RegionalNetwork
from forms.models import Form
from lib.problems import Problem
from privacy.models import Release
from results.released import Filters, released_records
from results.suppression import SUPPRESSED, suppress_linked, suppress_table
from results.variables import Variable, form_variables

METHOD = (
    "Cells with fewer than {threshold} records are suppressed (shown empty, never as 0); further "
    "cells are suppressed so that no hidden cell can be worked out from the totals (secondary "
    "suppression). Percentages are computed after suppression. Only records a data protection "
    "officer released are counted."
)
MISSING_LABEL = "(no answer)"


@dataclass
class Table:
    title: str
    row_variable: str
    column_variable: str | None
    rows: list[str]
    columns: list[str]
    row_codes: list[str]
    column_codes: list[str]
    counts: np.ndarray  # published: SUPPRESSED where hidden
    row_totals: np.ndarray
    column_totals: np.ndarray
    total: int
    threshold: int
    notes: list[str] = field(default_factory=list)
    raw: np.ndarray | None = field(default=None, repr=False)  # unpublished counts, for linking

    def cell(self, value: int) -> int | None:
        return None if value == SUPPRESSED else int(value)

    def as_dict(self) -> dict:
        total = self.total if self.total != SUPPRESSED else None
        return {
            "title": self.title,
            "row_variable": self.row_variable,
            "column_variable": self.column_variable,
            "rows": self.rows,
            "row_codes": self.row_codes,
            "columns": self.columns,
            "column_codes": self.column_codes,
            "cells": [[self.cell(v) for v in row] for row in self.counts],
            "percent_of_row": [
                [
                    None if v == SUPPRESSED or t in (SUPPRESSED, 0) else round(100 * v / t, 1)
                    for v in row
                ]
                for row, t in zip(self.counts, self.row_totals, strict=True)
            ],
            "row_totals": [self.cell(v) for v in self.row_totals],
            "column_totals": [self.cell(v) for v in self.column_totals],
            "total": total,
            "threshold": self.threshold,
            "method": METHOD.format(threshold=self.threshold),
            "notes": self.notes,
        }


def released(form: Form, filters: Filters, release: Release | None = None) -> QuerySet:
    """The form's released records under ``filters`` (of ``release`` when the caller looked it
    up once for several tables): see ``results.released``."""
    return released_records(form, filters, release=release)


def _expression(key: str):
    """A database expression for a single-valued variable or dimension."""
    if key == "network":
        # A National Society in several networks is counted in the first, so totals still add.
        first = RegionalNetwork.objects.filter(
            societies=OuterRef("service_point__national_society")
        ).order_by("code")
        return Subquery(first.values("code")[:1])
    if key == "national_society":
        return F("service_point__national_society__name")
    if key == "country":
        return F("service_point__country")
    if key == "service_point":
        return F("service_point__name")
    if key == "month":
        return F("month")
    return KeyTextTransform(key, "data")


def _grouped(records: QuerySet, row: Variable, column: Variable | None) -> Counter:
    """(row code, column code) -> records, counted in the database."""
    annotations = {"r": _expression(row.key)}
    if column is not None:
        annotations["c"] = _expression(column.key)
    rows = (
        records.annotate(**annotations)
        .values(*annotations)
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(*annotations, "n")
    )
    counts: Counter = Counter()
    for *codes, n in rows:
        key = tuple("" if code is None else str(code) for code in codes)
        counts[key if column is not None else (key[0], "")] += n
    return counts


def _mentions(records: QuerySet, variable: Variable, column: Variable | None):
    """Multi-select answers: (option, column code) -> mentions, and respondents per column."""
    counts: Counter = Counter()
    respondents: Counter = Counter()
    fields = ["data"] + (["c"] if column is not None else [])
    queryset = records.annotate(c=_expression(column.key)) if column is not None else records
    for item in queryset.values_list(*fields).iterator(chunk_size=5000):
        chosen = item[0].get(variable.key)
        group = "" if column is None or item[1] is None else str(item[1])
        if chosen:
            respondents[group] += 1
            for option in chosen if isinstance(chosen, list) else [chosen]:
                counts[(option, group)] += 1
    return counts, respondents


def _matrix(counts: Counter, row_codes: list[str], column_codes: list[str]) -> np.ndarray:
    matrix = np.zeros((len(row_codes), len(column_codes)), np.int64)
    rows = {code: i for i, code in enumerate(row_codes)}
    columns = {code: j for j, code in enumerate(column_codes)}
    for (r, c), n in counts.items():
        matrix[rows[r], columns[c]] += n
    return matrix


def _order(variable: Variable, codes: set[str]) -> list[str]:
    known = [code for code in variable.choices if code in codes]
    return known + sorted(codes - set(known), key=lambda c: (c == "", c))


def _labels(variable: Variable | None, codes: list[str], language: str | None) -> list[str]:
    if variable is None:
        return ["Records"]
    return [variable.choice_label(c, language) if c else MISSING_LABEL for c in codes]


class TableRefused(Problem):
    """A table these variables cannot make: an unknown variable, a multi-select as column, a
    ranking. ``code`` is a catalogue code (``lib.problems``)."""

    def __init__(self, message: str, code: str = "table.refused") -> None:
        super().__init__(code, message)


def table(
    form: Form,
    row_key: str,
    column_key: str | None = None,
    *,
    filters: Filters | None = None,
    language: str | None = None,
    variables: dict[str, Variable] | None = None,
    release: Release | None = None,
) -> Table:
    """A frequency table (no column) or a cross-tabulation, suppressed. Pass ``variables`` when
    making several tables of one form, so its versions' rules are read once."""
    variables = variables or form_variables(form)
    if row_key not in variables or (column_key and column_key not in variables):
        unknown = row_key if row_key not in variables else column_key
        raise TableRefused(f"Unknown variable: {unknown}", code="table.unknown_variable")
    row, column = variables[row_key], variables.get(column_key) if column_key else None
    if row.kind == "rank" or (column is not None and column.kind == "rank"):
        raise TableRefused(
            f"{row_key if row.kind == 'rank' else column_key} is a ranking: see its rank summary."
        )
    if column is not None and column.kind == "multiple":
        raise TableRefused(
            f"{column_key} allows several answers: it can be the row of a "
            "table, counting mentions, but not the column."
        )
    records = released(form, filters or Filters(), release)
    notes = []
    if row.kind == "multiple":
        counts, respondents = _mentions(records, row, column)
        notes.append(
            "A respondent can choose several options: a column's cells add up to mentions, "
            f"not respondents ({sum(respondents.values())} respondents answered)."
        )
    else:
        counts = _grouped(records, row, column)
    row_codes = _order(row, {r for r, _ in counts})
    column_codes = _order(column, {c for _, c in counts}) if column else [""]
    matrix = _matrix(counts, row_codes, column_codes)
    threshold = form.project.cell_threshold
    if not row_codes:  # nothing released (yet) under these filters
        matrix = np.zeros((0, len(column_codes)), np.int64)
        empty = np.zeros(0, np.int64)
        return Table(
            title=row.label(language) + (f" by {column.label(language)}" if column else ""),
            row_variable=row_key,
            column_variable=column_key,
            rows=[],
            columns=[],
            row_codes=[],
            column_codes=[],
            counts=matrix,
            row_totals=empty,
            column_totals=np.zeros(len(column_codes), np.int64),
            total=0,
            threshold=threshold,
            notes=["No released records match."],
        )
    suppressed = suppress_table(matrix, threshold)
    return Table(
        title=row.label(language) + (f" by {column.label(language)}" if column else ""),
        row_variable=row_key,
        column_variable=column_key,
        rows=_labels(row, row_codes, language),
        columns=_labels(column, column_codes, language),
        row_codes=row_codes,
        column_codes=column_codes if column else [],
        counts=suppressed.counts,
        row_totals=suppressed.row_totals,
        column_totals=suppressed.col_totals,
        total=suppressed.grand_total,
        threshold=threshold,
        notes=notes,
        raw=matrix,
    )


def linked_tables(form: Form, row_key: str, column_keys: list[str], **kwargs) -> list[Table]:
    """Several cross-tabulations sharing the row variable, suppressed together so that the
    shared row totals do not let one table's hidden cells be recovered through another."""
    variables = form_variables(form)
    tables = [table(form, row_key, key, variables=variables, **kwargs) for key in column_keys]
    if not all(t.row_codes for t in tables):
        return tables
    raw = [t.raw for t in tables if t.raw is not None]
    for published, suppressed in zip(
        tables, suppress_linked(raw, form.project.cell_threshold), strict=True
    ):
        published.counts = suppressed.counts
        published.row_totals = suppressed.row_totals
        published.column_totals = suppressed.col_totals
        published.total = suppressed.grand_total
    return tables


def rank_summary(
    form: Form,
    key: str,
    *,
    filters: Filters | None = None,
    language=None,
    release: Release | None = None,
) -> dict:
    """Ranked questions: how often each option came first, and its mean rank."""
    variable = form_variables(form)[key]
    first: Counter = Counter()
    positions: dict[str, list[int]] = {}
    answers = released(form, filters or Filters(), release).values_list("data", flat=True)
    for data in answers.iterator(5000):
        ranking = data.get(key) or []
        if ranking:
            first[ranking[0]] += 1
        for position, option in enumerate(ranking, start=1):
            positions.setdefault(option, []).append(position)
    codes = _order(variable, set(positions))
    top = suppress_table(
        np.array([[first.get(c, 0)] for c in codes], np.int64), form.project.cell_threshold
    )
    threshold = form.project.cell_threshold
    return {
        "title": variable.label(language),
        "options": [
            {
                "code": code,
                "label": variable.choice_label(code, language),
                "top_choice": None if top.counts[i, 0] == SUPPRESSED else int(top.counts[i, 0]),
                "mean_rank": round(sum(positions[code]) / len(positions[code]), 2)
                if len(positions[code]) >= threshold
                else None,
            }
            for i, code in enumerate(codes)
        ],
        "threshold": threshold,
        "method": METHOD.format(threshold=threshold),
    }
