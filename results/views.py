"""The strategy team's pages: the dashboard (an overview chart for every variable, or one
variable or a pair analysed with counts and percentages, filtered by selects of what exists) and
the labelled records download. Everything is read from the release analysts read."""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.access import access_project
from accounts.models import Role
from audit.downloads import audit_download
from forms.access import access_form, form_in_project
from lib.problems import Problem, interpolate
from privacy.models import Release
from results import dashboard as board
from results.api import FiltersQuery
from results.lattice.candidate import candidate_request
from results.lattice.status import lattice_retry
from results.lattice.store import reading
from results.microdata import NOTE, microdata_release
from results.records_labelled import records_zip
from results.variables import Variable, form_variables


def _language(request: HttpRequest, form) -> str | None:
    """The form language the labels are in: the one chosen, if the form has it; else the
    form's language of the interface's (an Arabic page shows Arabic labels), else its default."""
    chosen = request.GET.get("language") or None
    languages = form.current_version.languages if form.current_version else []
    if chosen in languages:
        return chosen
    interface = get_language() or ""
    return next((name for name in languages if name.endswith(f"({interface})")), None)


@login_required
def dashboard(request: HttpRequest, project_id: int, form_id: str | None = None) -> HttpResponse:
    project = access_project(request.user, project_id, Role.ANALYST, Role.DPO)
    forms = project.forms.all()
    form = form_in_project(project, form_id) if form_id else forms.first()
    if form is None:
        return render(request, "results/dashboard.html", {"project": project, "forms": forms})
    language = _language(request, form)
    filters = board.filters_from(request.GET)
    variables = form_variables(form)
    found = reading(form)  # one release for every chart, named in the audit event
    release = found.release
    if found.rebuilding:  # the older release's tables may not be read: say why, show none
        return render(
            request,
            "results/dashboard.html",
            {"project": project, "forms": forms, "form": form, "found": found},
        )
    row = variables.get(request.GET.get("row") or "")
    columns = {v.key: v for v in board.pairable(variables)}
    column = columns.get(request.GET.get("column") or "") if row else None
    if row is not None and column is not None and column.key == row.key:
        column = None

    def chart(variable: Variable, by: Variable | None = None) -> board.Chart:
        return board.chart(
            form,
            variable,
            by,
            filters=filters,
            language=language,
            variables=variables,
            release=release,
        )

    if row is not None:
        charts = [chart(row, column)]
    else:
        keys = board.overview_keys(variables)
        charts = [chart(variables[key]) for key in keys if key in variables]
    audit_download(
        request,
        project=project,
        what="charts",
        fmt="html",
        filters=asdict(filters),
        release=release,
        target=f"{form.form_id} dashboard",
        variables=[c.key for c in charts] + ([column.key] if column else []),
        language=language,
    )
    query = request.GET.copy()
    for key in ("row", "column", "form"):
        query.pop(key, None)
    analysed = charts[0] if row is not None else None
    return render(
        request,
        "results/dashboard.html",
        {
            "project": project,
            "forms": forms,
            "form": form,
            "release": release,
            "found": found,
            "charts": [c for c in charts if not c.refused_by_filters],
            "filter_problems": board.filter_problems(charts),
            "analysed": analysed if analysed and not analysed.refused_by_filters else None,
            "analysing": analysed is not None,
            "crosstab": board.crosstab_rows(analysed.table)
            if analysed and analysed.kind == "stacks" and analysed.table
            else None,
            "row": row,
            "column": column,
            "filters": filters,
            "filter_selects": board.options(form, release, filters),
            "active_filters": sum(1 for value in asdict(filters).values() if value),
            "languages": form.current_version.languages if form.current_version else [],
            "language": language,
            "query": query.urlencode(),
            "questions": board.choices(variables.values(), language, dimension=False),
            "places_and_periods": board.choices(variables.values(), language, dimension=True),
            "pairable": board.choices(board.pairable(variables), language),
        },
    )


@login_required
def records_download(request: HttpRequest, project_id: int, form_id: str) -> StreamingHttpResponse:
    """The released records with labels in the chosen language, repeats in their own linked
    files, as a zip; only where a DPO approved row-level records for the release (403
    otherwise, saying why)."""
    project = access_project(request.user, project_id, Role.ANALYST, Role.DPO)
    form = form_in_project(project, form_id)
    release = microdata_release(form)
    language = _language(request, form)
    query = FiltersQuery(data=request.GET.dict())
    if not query.is_valid():  # checked before the stream starts: never a truncated 200
        wrong = ", ".join(sorted(query.errors))
        raise Problem(
            "results.unknown_filter_value",
            interpolate(_("These filters are not valid: %(filters)s."), filters=wrong),
        )
    filters = board.filters_from(request.GET)
    audit_download(
        request,
        project=project,
        what="records",
        fmt="zip",
        filters=asdict(filters),
        release=release,
        target=f"{form.form_id} records",
        language=language,
    )
    response = StreamingHttpResponse(
        records_zip(form, filters, release, language=language), content_type="application/zip"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{form.form_id}-release-{release.pk}-records.zip"'
    )
    response["X-Waypoint-Note"] = NOTE
    return response


@login_required
@require_POST
def lattice_retry_page(
    request: HttpRequest, project_id: int, form_id: str, release_id: int
) -> HttpResponse:
    """The DPO's retry button (on the release page) for tables whose computation failed."""
    form = access_form(request.user, project_id, form_id, Role.DPO)
    release = get_object_or_404(Release, form=form, pk=release_id)
    try:
        lattice = lattice_retry(release=release, user=request.user)
    except Problem as problem:
        messages.error(request, problem.text())
    else:
        if lattice.state == lattice.State.FAILED:
            messages.error(
                request, _("The tables failed again: %(error)s") % {"error": lattice.error}
            )
        else:
            messages.success(request, _("The tables are being computed again."))
    return redirect("privacy-release", project_id, form.form_id, release.pk)


@login_required
@require_POST
def lattice_candidate_page(
    request: HttpRequest, project_id: int, form_id: str, release_id: int
) -> HttpResponse:
    """The DPO's "compute the tables" button on an open candidate's page."""
    form = access_form(request.user, project_id, form_id, Role.DPO)
    release = get_object_or_404(Release, form=form, pk=release_id)
    try:
        found = candidate_request(release=release, user=request.user)
    except Problem as problem:
        messages.error(request, problem.text())
    else:
        if found["state"] == "failed":
            messages.error(
                request, _("Computing the tables failed: %(error)s") % {"error": found["error"]}
            )
        elif found["state"] == "built":
            messages.success(request, _("The tables this candidate would get are computed."))
        else:
            messages.info(request, _("The tables this candidate would get are being computed."))
    return redirect("privacy-release", project_id, form.form_id, release.pk)
