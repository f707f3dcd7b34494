"""The DPO's conflicting-copies pages: the list (paged), and one submission's copies side by side
with the original. Reading raw data asks the session's reason first, as the compare page does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from forms.access import access_form
from privacy.review.conflicts import conflict_compare, conflict_reviewed, conflicts_of
from privacy.views import REASON_KEY

PER_PAGE = 50


@login_required
def conflicts(request: HttpRequest, project_id: int, form_id: str) -> HttpResponse:
    form = access_form(request.user, project_id, form_id, Role.DPO)
    page = Paginator(conflicts_of(form), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/conflicts.html",
        {"project": form.project, "form": form, "page": page, "submissions": page.object_list},
    )


@login_required
@never_cache  # raw answers: no copy in the browser's cache or history
def conflict(
    request: HttpRequest, project_id: int, form_id: str, submission_id: int
) -> HttpResponse:
    form = access_form(request.user, project_id, form_id, Role.DPO)
    submission = get_object_or_404(conflicts_of(form), pk=submission_id)
    key = REASON_KEY.format(form.project.pk)
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if reason:
            request.session[key] = reason  # asked once per session, recorded with every read
        return redirect("privacy-conflict", project_id, form.form_id, submission.pk)
    reason = request.session.get(key)
    compared = (
        conflict_compare(submission=submission, user=request.user, reason=reason) if reason else {}
    )
    return render(
        request,
        "privacy/conflict.html",
        {
            "project": form.project,
            "form": form,
            "submission": submission,
            "reason": reason,
            **compared,
        },
    )


@login_required
@require_POST
def conflict_review(
    request: HttpRequest, project_id: int, form_id: str, submission_id: int, copy_id: int
) -> HttpResponse:
    form = access_form(request.user, project_id, form_id, Role.DPO)
    submission = get_object_or_404(conflicts_of(form), pk=submission_id)
    copy = get_object_or_404(submission.conflicting_copies, pk=copy_id)
    conflict_reviewed(copy=copy, user=request.user, note=request.POST.get("note", ""))
    messages.success(request, _("Copy marked as reviewed."))
    return redirect("privacy-conflict", project_id, form.form_id, submission.pk)
