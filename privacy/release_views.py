"""The DPO's release candidate page: every record's anonymised content as analysts would read
it, paged and searchable, each with its withhold (or undo) button; approval of the candidate's
fingerprint. Views check access and call ``privacy.review``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from forms.access import access_form
from lib.problems import Problem, flash_problems
from privacy import review
from privacy.disclosure.scope import under_current_rules
from privacy.models import AnonymisedRecord, Release, ReleasedRecord
from privacy.record_content import record_rows
from privacy.review import jobs
from privacy.review.left_out import left_out_message
from privacy.review.snapshot import Published
from privacy.signals import release_panels

PER_PAGE = 20


def _records(release: Release, query: str) -> QuerySet:
    """What the page lists: an open candidate's records as approval would freeze them now
    (with the withheld ones, marked, to undo), or what an approved release froze."""
    if release.state == Release.State.APPROVED:
        records = (
            ReleasedRecord.objects.filter(release=release)
            .select_related("service_point")
            .order_by("id")
        )
        text, pk = "data", "record_id"
    elif release.state == Release.State.OPEN:
        # Withheld ones too, marked, so that any withholding can be undone from here.
        records = (
            under_current_rules(
                AnonymisedRecord.objects.filter(
                    form=release.form, superseded=False, verdict__form_id=release.form_id
                ),
                release.form_id,
            )
            .publishable()
            .select_related("service_point", "verdict")
            .order_by("created_at", "pk")
        )
        text, pk = "shown", "pk"
        if connection.vendor == "postgresql":
            records = records.annotate(shown=Published())
        else:  # small databases: the search also finds values disclosure control hid
            text = "data"
    else:
        return AnonymisedRecord.objects.none()
    if query:
        # The anonymised answers as text, or the start of the record's id.
        found = Q(**{f"{text}__icontains": query})
        if len(query) >= 4 and all(c in "0123456789abcdef-" for c in query.lower()):
            found |= Q(**{f"{pk}__istartswith": query.lower()})
        records = records.filter(found)
    return records


@login_required
@flash_problems("privacy-release", "project_id", "form_id", "release_id")
def release_detail(
    request: HttpRequest, project_id: int, form_id: str, release_id: int
) -> HttpResponse:
    form = access_form(request.user, project_id, form_id, Role.DPO)
    release = get_object_or_404(Release, form=form, pk=release_id)
    if request.method == "POST":
        job = jobs.job_start(
            jobs.release_approve_request(
                release=release, user=request.user, approved_hash=request.POST.get("hash", "")
            )
        )
        if job.finished_at is None:  # a worker is copying the records: progress below
            messages.info(request, _("Approval under way: this page shows how far it got."))
            return redirect("privacy-release", project_id, form.form_id, release.pk)
        messages.success(
            request,
            _("Approved: analysts now read these %(count)s records.")
            % {"count": release.record_count},
        )
        return redirect("privacy-signoff", project_id, form.form_id, release.pk)
    query = request.GET.get("q", "").strip()[:200]
    page = Paginator(_records(release, query), PER_PAGE).get_page(request.GET.get("page"))
    questions = form.current_version.questions if form.current_version else []
    return render(
        request,
        "privacy/release.html",
        {
            "project": form.project,
            "form": form,
            "release": release,
            "page": page,
            "records": [record_rows(r, questions, get_language()) for r in page],
            "query": query,
            "in_review": review.withheld_in_review(release) if release.state == "open" else [],
            "left_out": left_out_message((release.risk or {}).get("left_out")),
            "current": review.latest_approved(form),
            "job": jobs.latest_job(release),
            "panels": release_panels(request, release),
        },
    )


def _back(request: HttpRequest, project_id: int, form_id: str) -> HttpResponse:
    """Back to the page (and page number, search) the DPO acted from."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("privacy-releases", project_id, form_id)


def _outcome_message(request: HttpRequest, outcome, done: str) -> None:
    if outcome.candidate is None or outcome.kept:
        messages.success(request, done)
        return
    messages.warning(
        request,
        _(
            "%(done)s Candidate #%(pk)s can no longer be approved as it is: %(why)s. Open a new "
            "candidate once disclosure control has run (a minute at most)."
        )
        % {"done": done, "pk": outcome.candidate.pk, "why": outcome.why},
    )


def _withholding(request: HttpRequest, project_id: int, form_id: str, record_id: str, act, said):
    """Withhold or undo (``act``), then say what became of the open candidate: ``said`` is
    (done, done and the candidate kept) for the message."""
    form = access_form(request.user, project_id, form_id, Role.DPO)
    record = get_object_or_404(AnonymisedRecord, form=form, pk=record_id)
    try:
        outcome = act(record=record, user=request.user, reason=request.POST.get("reason", ""))
    except Problem as problem:
        messages.error(request, problem.message)
    else:
        kept = outcome.kept and outcome.candidate is not None
        done = said[1] % {"pk": outcome.candidate.pk} if kept else said[0]
        _outcome_message(request, outcome, done)
    return _back(request, project_id, form.form_id)


@login_required
@require_POST
def withhold(request: HttpRequest, project_id: int, form_id: str, record_id: str) -> HttpResponse:
    said = (
        _("Record withheld: no future release holds it."),
        _("Record withheld and left out of candidate #%(pk)s; the rest of your review stands."),
    )
    return _withholding(request, project_id, form_id, record_id, review.record_withhold, said)


@login_required
@require_POST
def undo(request: HttpRequest, project_id: int, form_id: str, record_id: str) -> HttpResponse:
    said = (
        _("Withholding undone."),
        _("Withholding undone: the record is back in candidate #%(pk)s."),
    )
    return _withholding(request, project_id, form_id, record_id, review.withholding_undo, said)
