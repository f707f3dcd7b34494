"""What the DPO's release pages (privacy) show of an approved release's tables: computed, being
computed or failed (with the error and a retry button), the pair levels they were computed with,
and what analysts read meanwhile. Privacy asks through ``privacy.signals.release_page``: it
never imports results."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.models import Project
from privacy.models import Release
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


def release_panel(request: HttpRequest, release: Release) -> str:
    form = release.form
    project = form.project
    lattice = Lattice.objects.filter(release=release).first()
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
