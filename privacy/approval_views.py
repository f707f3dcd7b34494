"""The DPO's approval pages: a version's privacy rules, and a release's row-level file (the
microdata report beside its approve form). Each posts to ``privacy.review`` and comes back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from forms.access import access_form
from forms.models import FormVersion, PrivacyRuleSet
from lib.problems import flash_problems
from privacy.models import Release
from privacy.review.approvals import rule_set_approve
from privacy.review.microdata import microdata_approve, microdata_report


@login_required
@require_POST
@flash_problems("privacy-rules", "project_id", "form_id", "version")
def rules_approve(request, project_id: int, form_id: str, version: str, number: int):
    form = access_form(request.user, project_id, form_id, Role.DPO)
    version_obj = get_object_or_404(FormVersion, form=form, version=version)
    rule_set = get_object_or_404(PrivacyRuleSet, version=version_obj, number=number)
    rule_set_approve(rule_set=rule_set, user=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, f"Rule set #{number} approved: its records can be released.")
    return redirect("privacy-rules", project_id, form.form_id, version_obj.version)


@login_required
@flash_problems("privacy-microdata", "project_id", "form_id", "release_id")
def microdata(request, project_id: int, form_id: str, release_id: int):
    form = access_form(request.user, project_id, form_id, Role.DPO)
    release = get_object_or_404(Release, form=form, pk=release_id)
    if request.method == "POST":
        microdata_approve(release=release, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "Row-level records approved: analysts can download them.")
        return redirect("privacy-microdata", project_id, form.form_id, release.pk)
    report = release.microdata_risk if release.microdata_approved_at else None
    if report is None and release.state == Release.State.APPROVED:
        report = microdata_report(release)
    return render(
        request,
        "privacy/microdata.html",
        {"project": form.project, "form": form, "release": release, "report": report},
    )
