"""Frequency tables and cross-tabulations of a release, read from its protected lattice.

Every table a release publishes was computed and suppressed once, jointly, when the release was
approved (``results.lattice``): here a table only selects cells of that lattice - a question's
categories or a dimension's places or periods, under the node the filters name. Nothing is
counted at request time, so no combination of filters can give a cell the lattice did not
protect. Multi-select answers are counted as mentions per option (with the respondents, a cell
like any other); ranked questions as top choices and mean rank.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from forms.models import Form
from lib.problems import Problem, interpolate
from privacy.models import Release
from results.lattice.select import GEO_KEYS, TIME_KEYS, WITHHELD, entries, pair_cells, pick
from results.lattice.store import built, cube, geo_node, time_node
from results.lattice.trees import Tree
from results.released import Filters, current_release, released_records
from results.suppression import SUPPRESSED
from results.variables import Variable, form_variables

METHOD = (
    "Cells with fewer than {threshold} records are suppressed: withheld for privacy (marked as "
    "withheld, never shown as 0 and never counted as no answer); further cells are withheld so "
    "that "
    "no withheld count can be worked out, or narrowed to fewer than {threshold} possible "
    "values, from any combination of the tables, places and periods this release publishes. "
    "Percentages are computed after suppression. Only records a data protection officer "
    "released are counted."
)
MISSING_LABEL = "(no answer)"
WITHHELD_LABEL = "withheld for privacy"
assert SUPPRESSED == WITHHELD


@dataclass
class Table:
    title: str
    row_variable: str
    column_variable: str | None
    rows: list[str]
    columns: list[str]
    row_codes: list[str]
    column_codes: list[str]
    counts: np.ndarray  # published: SUPPRESSED (-1) where withheld
    row_totals: np.ndarray
    column_totals: np.ndarray
    total: int
    threshold: int
    notes: list[str] = field(default_factory=list)
    release: int | None = None

    def cell(self, value: int) -> int | None:
        return None if value == SUPPRESSED else int(value)

    def as_dict(self) -> dict:
        """JSON: a withheld number is null and true in the matching ``withheld`` mask; "no
        answer" is its own row (code "") with a count, never null."""
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
            "total": self.cell(self.total),
            "withheld": {
                "cells": (self.counts == SUPPRESSED).tolist(),
                "row_totals": (self.row_totals == SUPPRESSED).tolist(),
                "column_totals": (self.column_totals == SUPPRESSED).tolist(),
                "total": bool(self.total == SUPPRESSED),
                "meaning": WITHHELD_LABEL,
            },
            "threshold": self.threshold,
            "method": METHOD.format(threshold=self.threshold),
            "notes": self.notes,
            "release": self.release,
        }


def released(form: Form, filters: Filters, release: Release | None = None) -> QuerySet:
    """The form's released records under ``filters`` (see ``results.released``); tables do not
    count them, the lattice did at approval."""
    return released_records(form, filters, release=release)


class TableRefused(Problem):
    """A table these variables cannot make: an unknown variable, a multi-select as column, a
    ranking. ``code`` is a catalogue code (``lib.problems``)."""

    def __init__(self, message: Any, code: str = "table.refused", **details) -> None:
        super().__init__(code, message, **details)


def _check(row: Variable, column: Variable | None, row_key: str, column_key: str | None) -> None:
    if row.kind == "rank" or (column is not None and column.kind == "rank"):
        raise TableRefused(
            interpolate(
                _("%(variable)s is a ranking: see its rank summary."),
                variable=row_key if row.kind == "rank" else column_key,
            )
        )
    if column is not None and column.kind == "multiple":
        raise TableRefused(
            interpolate(
                _(
                    "%(variable)s allows several answers: it can be the row of a table, "
                    "counting mentions, but not the column."
                ),
                variable=column_key,
            )
        )
    dims = {"geo": GEO_KEYS, "time": TIME_KEYS}
    kinds = [
        next((k for k, keys in dims.items() if v.key in keys), "question")
        for v in (row, column)
        if v is not None
    ]
    if len(kinds) == 2 and kinds[0] == kinds[1] and kinds[0] != "question":
        raise Problem(
            "results.table_not_published",
            _(
                "Tables of two levels of one dimension are not in this release's protected "
                "lattice: cross a question with a place or period level, or a place level with "
                "a period level."
            ),
            available=sorted(GEO_KEYS | TIME_KEYS),
        )


def _label(variable: Variable | None, codes: list[str], labels: list[str], language) -> list[str]:
    if variable is None:
        return ["Records"]
    if variable.kind == "dimension":
        return labels
    return [variable.choice_label(c, language) if c else MISSING_LABEL for c in codes]


RAISED = (
    "The privacy threshold was raised after this release was protected: its tables come back "
    "once a data protection officer approves a new release."
)


def protected_lattice(form: Form, release: Release | None):
    """The lattice this answer reads, the threshold it was protected with, and why there is
    none. A lattice protected with a lower threshold than the project's current one is not
    served: its cells between the two thresholds are exactly what the DPO asked to hide."""
    release = release or current_release(form)
    lattice = built(release) if release is not None else None
    if lattice is None:
        return None, form.project.cell_threshold, "No released records."
    if lattice.threshold < form.project.cell_threshold:
        return None, form.project.cell_threshold, RAISED
    return lattice, lattice.threshold, ""


def _empty(title: str, row_key: str, column_key: str | None, threshold: int, note: str) -> Table:
    return Table(
        title,
        row_key,
        column_key,
        [],
        [],
        [],
        [],
        np.zeros((0, 1), np.int64),
        np.zeros(0, np.int64),
        np.zeros(1, np.int64),
        0,
        threshold,
        [note],
    )


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
    """A frequency table (no column) or a cross-tabulation, as the release's lattice published
    it. Unknown variables, filter values and periods are refused (400) naming what exists."""
    variables = variables or form_variables(form)
    for key in [row_key, *([column_key] if column_key else [])]:  # a row is required
        if key not in variables and key not in {"quarter", "year"}:
            raise TableRefused(
                interpolate(
                    _("Unknown variable: %(variable)s. Available: %(available)s"),
                    variable=key or _("(none given)"),
                    available=", ".join(variables),
                ),
                code="table.unknown_variable",
                available=list(variables),
            )
    variables = {**variables, "quarter": Variable("quarter", "dimension")}
    variables["year"] = Variable("year", "dimension")
    row = variables[row_key]
    column = variables[column_key] if column_key else None
    _check(row, column, row_key, column_key)
    title = row.label(language) + (f" by {column.label(language)}" if column else "")
    lattice, threshold, missing = protected_lattice(form, release)
    if lattice is None:
        return _empty(title, row_key, column_key, threshold, missing)
    geo, when = Tree.from_dict(lattice.geography), Tree.from_dict(lattice.time)
    g, t = geo_node(geo, filters or Filters()), time_node(when, filters or Filters())
    row_codes, row_labels, row_entries = entries(lattice, row_key, variables, geo, when, g, t)
    column_codes, column_labels, column_entries = (
        entries(lattice, column_key, variables, geo, when, g, t) if column_key else ([], [], [])
    )
    if column is not None and {row.kind, column.kind} <= {"single", "multiple"}:
        counts = pair_cells(lattice, row, column, g, t)
    else:
        counts = pick(lattice, ("", row_entries), ("", column_entries) if column else None, g, t)
    row_totals = pick(lattice, ("", row_entries), None, g, t)[:, 0]
    totals_key = _respondents(row, lattice)
    column_totals = (
        pick(lattice, ("", column_entries), None, g, t)[:, 0]
        if column_key
        else np.array([_node_total(lattice, totals_key, g, t)], np.int64)
    )
    if column_key and totals_key:
        column_totals = np.array(
            [_node_total(lattice, totals_key, *_at(e, g, t)) for e in column_entries], np.int64
        )
    total = _node_total(lattice, totals_key, g, t)
    keep_rows = [i for i, v in enumerate(row_totals) if v != 0]
    keep_columns = [j for j, v in enumerate(column_totals) if v != 0] if column_key else [0]
    notes = _notes(row, lattice, total, threshold)
    return Table(
        title=title,
        row_variable=row_key,
        column_variable=column_key,
        rows=[_label(row, row_codes, row_labels, language)[i] for i in keep_rows],
        columns=[_label(column, column_codes, column_labels, language)[j] for j in keep_columns]
        if column
        else ["Records"],
        row_codes=[row_codes[i] for i in keep_rows],
        column_codes=[column_codes[j] for j in keep_columns] if column else [],
        counts=counts[np.ix_(keep_rows, keep_columns)],
        row_totals=row_totals[keep_rows],
        column_totals=column_totals[keep_columns],
        total=total,
        threshold=threshold,
        notes=notes if keep_rows else [*notes, "No released records match."],
        release=release.pk if release is not None else None,
    )


def _at(entry, g: int, t: int) -> tuple[int, int]:
    kind, value = entry
    return (value, t) if kind == "geo" else (g, value) if kind == "time" else (g, t)


def _respondents(row: Variable, lattice) -> str | None:
    """A multi-select's totals are its respondents (a cube of their own), not records."""
    return row.key if row.kind == "multiple" and cube(lattice, row.key) is not None else None


def _node_total(lattice, respondents: str | None, g: int, t: int) -> int:
    if respondents:
        return int(cube(lattice, respondents)[0][g, t, 0])
    return int(cube(lattice, "_records")[0][g, t, 0])


def _notes(row: Variable, lattice, total: int, threshold: int) -> list[str]:
    notes = []
    if row.kind == "multiple":
        answered = WITHHELD_LABEL if total == WITHHELD else str(total)
        notes.append(
            "A respondent can choose several options: a column's cells add up to mentions, "
            f"not respondents ({answered} respondents answered)."
        )
    elif row.kind != "dimension" and cube(lattice, row.key) is not None:
        cells = cube(lattice, row.key)[0]
        if (cells[:, :, :-1] == WITHHELD).all() and (cells[:, :, -1] != WITHHELD).any():
            notes.append(
                f"Every count of this question is {WITHHELD_LABEL}: too few records to "
                "protect any of them."
            )
    return notes


def linked_tables(form: Form, row_key: str, column_keys: list[str], **kwargs) -> list[Table]:
    """Several cross-tabulations sharing the row variable. They come from one lattice, which
    was protected as a whole, so downloading them together reveals nothing more."""
    variables = form_variables(form)
    return [table(form, row_key, key, variables=variables, **kwargs) for key in column_keys]


def rank_summary(
    form: Form,
    key: str,
    *,
    filters: Filters | None = None,
    language=None,
    release: Release | None = None,
) -> dict:
    """Ranked questions: how often each option came first, and its mean rank (published only
    where the top-choice count is, and at least the threshold of people ranked the option)."""
    variable = form_variables(form)[key]
    lattice, threshold, _ = protected_lattice(form, release)
    found = cube(lattice, key) if lattice is not None else None
    result = {"title": variable.label(language), "options": [], "threshold": threshold}
    result["method"] = METHOD.format(threshold=threshold)
    if found is None or lattice is None:
        return result
    geo, when = Tree.from_dict(lattice.geography), Tree.from_dict(lattice.time)
    g, t = geo_node(geo, filters or Filters()), time_node(when, filters or Filters())
    cells, categories, _, means = found
    for i, code in enumerate(c for c in categories[:-1] if c):
        top = int(cells[g, t, i])
        mean = float(means[g, t, i]) if means is not None else float("nan")
        result["options"].append(
            {
                "code": code,
                "label": variable.choice_label(code, language),
                "top_choice": None if top == WITHHELD else top,
                "top_choice_withheld": top == WITHHELD,
                "mean_rank": None if np.isnan(mean) else round(mean, 2),
            }
        )
    return result
