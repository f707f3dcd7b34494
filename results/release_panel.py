"""What the DPO's release pages (privacy) show of an approved release's tables: computed, being
computed or failed (with the error and a retry button), the pair levels they were computed with,
and what analysts read meanwhile; of an open candidate, the utility report of the tables it would
get (``results.lattice.candidate``). Privacy asks through ``privacy.signals.release_page``: it
never imports results."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.models import Project
from privacy.models import Release
from results.lattice.candidate import candidate_tables
from results.lattice.status import may_retry
from results.lattice.store import reading
from results.models import Lattice


def level_labels(levels) -> tuple[str, str]:
    """(place, period) labels of pair levels, as the DPO's settings name them."""
    geo, when = (next((lv for lv in reversed(list(lvs)) if lv != "all"), "all") for lvs in levels)
    return (
        str(Project.PairGeography(geo).label),
        str(Project.PairTime(when).label),
    )


def report_rows(report: dict | None) -> list[dict]:
    """The utility report as rows for the DPO: records first, then each table, with its
    cells, primary and secondary hidden cells summed over levels and per level."""
    if not report:
        return []
    records = {"table": None, "kind": "records", "levels": report.get("records", [])}
    rows = []
    for table in [records, *report.get("tables", [])]:
        levels = table["levels"]
        rows.append(
            {
                **table,
                **{key: sum(level[key] for level in levels) for key in SUMS},
            }
        )
    return rows


SUMS = ("cells", "primary", "secondary")


def candidate_panel(request: HttpRequest, release: Release) -> str:
    """An open candidate: the utility report of the tables it would get, or their state."""
    found = candidate_tables(release)
    context = {
        "project": release.form.project,
        "form": release.form,
        "release": release,
        "found": found,
        "rows": report_rows(found["report"]),
        "levels": level_labels(found["pair_levels"]) if found["pair_levels"] else None,
    }
    return render_to_string("results/_lattice_candidate.html", context, request=request)


def release_panel(request: HttpRequest, release: Release) -> str:
    if release.state == Release.State.OPEN:
        return candidate_panel(request, release)
    form = release.form
    project = form.project
    lattice = Lattice.objects.filter(release=release).first()
    if lattice is not None and lattice.preview:  # a candidate's, until the approval adopts it
        lattice.state = Lattice.State.BUILDING
    found = reading(form)
    levels = level_labels(lattice.pair_levels) if lattice is not None else None
    chosen = level_labels(project.pair_levels)
    context = {
        "project": project,
        "form": form,
        "release": release,
        "lattice": lattice,
        "retry": may_retry(lattice) and not (lattice and lattice.state == Lattice.State.BUILT),
        "levels": levels,
        "chosen": chosen,
        "changed": levels is not None and levels != chosen,
        "found": found,
        "pending": found.pending is not None and found.pending.pk == release.pk,
    }
    return render_to_string("results/_lattice_status.html", context, request=request)


def on_release_page(sender, release: Release, request: HttpRequest, **kwargs) -> str:
    return release_panel(request, release)
