"""The strategy team's dashboard: the main tables as bar charts, filterable, with downloads."""

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.access import access_project
from accounts.models import Role
from audit.downloads import audit_download
from forms.access import form_in_project
from results.charts import bars
from results.released import current_release
from results.tables import Filters, table
from results.variables import DIMENSIONS, form_variables

MAIN_CHARTS = 8


@login_required
def dashboard(request, project_id: int, form_id: str | None = None):
    project = access_project(request.user, project_id, Role.ANALYST, Role.DPO)
    forms = project.forms.all()
    form = form_in_project(project, form_id) if form_id else forms.first()
    if form is None:
        return render(request, "results/dashboard.html", {"project": project, "forms": forms})
    language = request.GET.get("language") or None
    filters = Filters(**{k: request.GET.get(k) or None for k in Filters.__dataclass_fields__})
    variables = form_variables(form)
    release = current_release(form)  # one release for every chart, named in the audit event
    categorical = [v.key for v in variables.values() if v.kind in {"single", "multiple"}]
    keys = ["month", "country", *categorical[:MAIN_CHARTS]]
    charts = []
    for key in keys:
        result = table(
            form, key, filters=filters, language=language, variables=variables, release=release
        )
        values = [None if c is None else c for c in (row[0] for row in result.as_dict()["cells"])]
        charts.append({"table": result, "bars": bars(result.rows, values), "key": key})
    audit_download(
        request,
        project=project,
        what="charts",
        fmt="html",
        filters=asdict(filters),
        release=release,
        target=f"{form.form_id} dashboard",
        variables=keys,
        language=language,
    )
    query = request.GET.urlencode()
    return render(
        request,
        "results/dashboard.html",
        {
            "project": project,
            "forms": forms,
            "form": form,
            "release": release,
            "charts": charts,
            "filters": filters,
            "languages": form.current_version.languages if form.current_version else [],
            "language": language,
            "query": query,
            "dimensions": DIMENSIONS,
            "variables": [v for v in variables.values() if v.kind != "dimension"],
        },
    )
