"""What the analyst's dashboard shows, read only from what the release published: through
``results.tables`` (tables, rank summaries) and ``results.released`` (the filters' values).

Two views of a form: the overview, a chart for every variable results offer (one answer,
several answers, rankings, months as a line); and an analysis of one variable, or of a pair
cross-tabulated, with counts and percentages beside its chart."""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

from forms.models import Form
from lib.problems import Problem
from privacy.models import Release
from results import charts
from results.released import Filters, filter_options
from results.tables import Table, rank_summary, table
from results.variables import Variable

# The dimensions whose values the filters offer, in the order the form shows them.
FILTERS = ["network", "national_society", "country", "service_point", "year", "quarter", "month"]
FILTER_LABELS = {
    "network": _("Regional migration network"),
    "national_society": _("National Society"),
    "country": _("Country"),
    "service_point": _("Service point"),
    "year": _("Year"),
    "quarter": _("Quarter"),
    "month": _("Month"),
}


@dataclass
class Chart:
    key: str
    kind: str  # "bars", "mentions", "rank", "line", "stacks"
    title: str
    table: Table | None = None
    bars: list[charts.Bar] = field(default_factory=list)
    line: charts.Line | None = None
    stacks: list[charts.Stack] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    rank: dict | None = None
    notes: list[str] = field(default_factory=list)
    refused: str = ""  # why this table is not published
    # The refusal is the filters' (a value or range the release lacks), not this chart's: the
    # same for every chart, so the page says it once (``filter_problems``).
    refused_by_filters: bool = False


# Refusals of the filters themselves: every chart of the page gets the same one.
FILTER_REFUSALS = {"results.unknown_filter_value", "results.range_not_published"}


def filter_problems(charts: list[Chart]) -> list[str]:
    """The filters' refusals among ``charts``, each once, for the page to say once."""
    return list(dict.fromkeys(c.refused for c in charts if c.refused_by_filters))


def filters_from(query) -> Filters:
    """The filters a query string selects (only those the dashboard offers)."""
    known = set(Filters.__dataclass_fields__)
    return Filters(**{k: (query.get(k) or None) for k in FILTERS if k in known})


def options(form: Form, release: Release | None, filters: Filters) -> list[tuple[str, str, list]]:
    """(dimension, label, [(value, label, selected)]) for each filter select: only values
    present in the release, so nobody types a code and gets "no data" for a typo."""
    found = filter_options(form, release) if release is not None else {}
    chosen = asdict(filters)
    return [
        (
            key,
            FILTER_LABELS.get(key, key),
            [(value, text, value == chosen.get(key)) for value, text in found.get(key, [])],
        )
        for key in FILTERS
    ]


def chart(
    form: Form,
    variable: Variable,
    column: Variable | None = None,
    *,
    filters: Filters,
    language: str | None,
    variables: dict[str, Variable],
    release: Release | None,
) -> Chart:
    """The chart (and table) of one variable, or of a pair; a table the release does not
    publish, or these variables cannot make, comes back with the reason, not an error page."""
    key = variable.key
    try:
        if variable.kind == "rank":
            summary = rank_summary(form, key, filters=filters, language=language, release=release)
            values = [o["top_choice"] for o in summary["options"]]
            total = sum(v for v in values if v is not None) if None not in values else None
            return Chart(
                key,
                "rank",
                summary["title"],
                bars=charts.bars([o["label"] for o in summary["options"]], values, total),
                rank=summary,
            )
        result = table(
            form,
            key,
            column.key if column else None,
            filters=filters,
            language=language,
            variables=variables,
            release=release,
        )
    except Problem as problem:
        return Chart(
            key,
            "refused",
            variable.label(language),
            refused=str(problem.message),
            refused_by_filters=problem.code in FILTER_REFUSALS,
        )
    made = Chart(key, "bars", result.title, table=result, notes=list(result.notes))
    if column is not None:
        made.kind = "stacks"
        made.stacks, made.legend = charts.stacks(result), charts.legend(result)
    elif key == "month":
        data = result.as_dict()
        made.kind = "line"
        made.line = charts.line(data["rows"], [row[0] for row in data["cells"]])
        made.bars = charts.table_bars(result)
    else:
        made.kind = "mentions" if variable.kind == "multiple" else "bars"
        made.bars = charts.table_bars(result)
    return made


def pairable(variables: dict[str, Variable]) -> list[Variable]:
    """What a variable can be cross-tabulated by: one-answer questions, places and periods
    (quarters and years too). Whether the release publishes the pair is the lattice's answer,
    shown with the chart when it does not."""
    found = [v for v in variables.values() if v.kind in {"single", "dimension"}]
    for key in ("quarter", "year"):
        if key not in variables:
            found.append(Variable(key, "dimension", {"default": str(FILTER_LABELS[key])}))
    return found


def choices(found, language: str | None, dimension: bool | None = None) -> list[tuple]:
    """(key, label) of variables for a select, labels in ``language``; only dimensions (places
    and periods) or only questions when ``dimension`` says so."""
    return [
        (v.key, str(FILTER_LABELS[v.key]) if v.key in FILTER_LABELS else v.label(language))
        for v in found
        if dimension is None or (v.kind == "dimension") == dimension
    ]


def overview_keys(variables: dict[str, Variable]) -> list[str]:
    """Every variable the overview charts: the months first, then every question in the
    questionnaire's order, then where records come from."""
    questions = [v.key for v in variables.values() if v.kind != "dimension"]
    return ["month", *questions, "country"]


def crosstab_rows(result: Table) -> list[dict]:
    """A cross-tabulation's rows for the page: each cell's count and share of its row."""
    data = result.as_dict()
    rows = []
    for label, cells, percents, total in zip(
        data["rows"], data["cells"], data["percent_of_row"], data["row_totals"], strict=True
    ):
        rows.append(
            {"label": label, "cells": list(zip(cells, percents, strict=True)), "total": total}
        )
    return rows
