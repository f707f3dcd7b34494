"""The DPO's pages: risk report, compare, rules, releases and the audit log. Server-rendered,
no external assets, usable on a tablet. Views check access and call ``review``."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.access import access_project
from accounts.models import Role
from accounts.privacy_settings import below_defaults
from audit.downloads import audit_download
from audit.models import AuditEvent
from forms.access import access_form
from forms.identifiers import rule_flags
from forms.models import Classification, FormVersion
from lib.problems import Problem, flash_problems, interpolate
from lib.spreadsheets import neutralise
from privacy import review
from privacy.models import Release
from privacy.review import jobs
from privacy.review.left_out import at_stake, at_stake_message, left_out_message
from privacy.signals import release_panels

REASON_KEY = "raw-read-reason:{}"
PER_PAGE = 50


def _form(request, project_id: int, form_id: str):
    form = access_form(request.user, project_id, form_id, Role.DPO)
    return form.project, form


@login_required
def home(request, project_id: int):
    project = access_project(request.user, project_id, Role.DPO)
    forms = project.forms.annotate(
        conflicts=Count("submissions", filter=Q(submissions__has_conflict=True))
    )
    return render(request, "privacy/home.html", {"project": project, "forms": forms})


@login_required
def report(request, project_id: int, form_id: str):
    project, form = _form(request, project_id, form_id)
    context = {"project": project, "form": form, **review.risk_report(form)}
    run = context["run"]
    context["histogram"] = list(
        zip(
            [f"{i / 10:.1f} to {(i + 1) / 10:.1f}" for i in range(10)],
            run.after["risk_histogram"],
            strict=True,
        )
    )
    context["histogram_max"] = max(run.after["risk_histogram"] or [1]) or 1
    return render(request, "privacy/report.html", context)


@login_required
@never_cache  # raw answers: no copy in the browser's cache or history
def compare(request, project_id: int, form_id: str):
    project, form = _form(request, project_id, form_id)
    key = REASON_KEY.format(project.pk)
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if reason:
            request.session[key] = reason  # asked once per session, recorded with every read
        return redirect("privacy-compare", project.pk, form.form_id)
    reason = request.session.get(key)
    try:
        size = max(1, min(int(request.GET.get("size", 5)), 50))
    except ValueError:
        size = 5
    sample = (
        review.compare_sample(form=form, user=request.user, reason=reason, size=size)
        if reason
        else None
    )
    return render(
        request,
        "privacy/compare.html",
        {"project": project, "form": form, "reason": reason, "sample": sample},
    )


@login_required
@flash_problems("privacy-rules", "project_id", "form_id", "version")
def rules(request, project_id: int, form_id: str, version: str):
    project, form = _form(request, project_id, form_id)
    version_obj = get_object_or_404(FormVersion, form=form, version=version)
    if request.method == "POST":
        changes = [
            {
                "path": path,
                "classification": request.POST.get(f"classification:{path}", ""),
                "generalisers": request.POST.get(f"generalisers:{path}", "").split(),
            }
            for path in request.POST.getlist("path")
        ]
        new = review.rules_change(
            version=version_obj,
            user=request.user,
            changes=changes,
            reason=request.POST.get("reason", ""),
        )
        messages.success(
            request, f"Rule set #{new.number} saved. The records are being anonymised again."
        )
        return redirect("privacy-rules", project.pk, form.form_id, version_obj.version)
    return render(
        request,
        "privacy/rules.html",
        {
            "project": project,
            "form": form,
            "version": version_obj,
            "rule_sets": version_obj.rule_sets.prefetch_related("rules"),
            "current": version_obj.current_rule_set,
            "classifications": Classification.choices,
            "progress": review.rerun_progress(version_obj),
            "at_stake": at_stake_message(at_stake(form.pk, version_obj)),
            "flags": rule_flags(
                list(version_obj.current_rule_set.rules.all()), version_obj.questions
            ),
        },
    )


@login_required
@flash_problems("privacy-releases", "project_id", "form_id")
def releases(request, project_id: int, form_id: str):
    project, form = _form(request, project_id, form_id)
    if request.method == "POST":
        # In the background, with progress on the candidate's page (``review.jobs``); where
        # tasks run in-process it has finished, or been refused, on return.
        job = jobs.job_start(jobs.release_open_request(form=form, user=request.user))
        return redirect("privacy-release", project.pk, form.form_id, job.release_id)
    releases = form.releases.select_related("opened_by", "approved_by")
    page = Paginator(releases, PER_PAGE).get_page(request.GET.get("page"))
    current = review.latest_approved(form)
    return render(
        request,
        "privacy/releases.html",
        {
            "project": project,
            "form": form,
            "page": page,
            "releases": page.object_list,
            "current": current,
            "panels": release_panels(request, current),
        },
    )


@login_required
def signoff(request, project_id: int, form_id: str, release_id: int):
    project, form = _form(request, project_id, form_id)
    release = get_object_or_404(Release, form=form, pk=release_id, state=Release.State.APPROVED)
    return render(
        request,
        "privacy/signoff.html",
        {
            "project": project,
            "form": form,
            "release": release,
            "flags": review.release_flags(release),
            "lowered": below_defaults(project),
            "since": release.risk.get("since"),
            "left_out": left_out_message(release.risk.get("left_out")),
            "panels": release_panels(request, release),
        },
    )


def _events(request, project):
    events = AuditEvent.objects.filter(project=project).select_related("project")
    for field in ("action", "actor_label"):
        if request.GET.get(field):
            events = events.filter(**{f"{field}__icontains": request.GET[field]})
    for field, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if request.GET.get(field):
            try:
                day = parse_date(request.GET[field])
            except ValueError:
                day = None
            if day is None:
                raise Problem(
                    "audit.bad_filter",
                    interpolate(_("“%(field)s” must be a date written YYYY-MM-DD."), field=field),
                )
            events = events.filter(**{lookup: day})
    return events


@login_required
def audit(request, project_id: int):
    project = access_project(request.user, project_id, Role.DPO)
    events = _events(request, project)  # a filter it cannot apply is a 400 page, never a 500
    if request.GET.get("format") == "csv":
        audit_download(
            request,
            project=project,
            what="audit",
            fmt="csv",
            filters={f: request.GET.get(f) for f in ("action", "actor_label", "since", "until")},
            target=f"audit log of project {project.pk}",
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-project-{project.pk}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(["at", "who", "action", "target", "reason"])
        for event in events.iterator():
            writer.writerow(
                [
                    neutralise(v)
                    for v in (
                        event.at.isoformat(),
                        event.actor_label,
                        event.action,
                        event.target,
                        event.reason,
                    )
                ]
            )
        return response
    page = Paginator(events.order_by("-at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "privacy/audit.html",
        {
            "project": project,
            "page": page,
            "events": page.object_list,
            "query": request.GET,
            "query_string": filters.urlencode(),
        },
    )
