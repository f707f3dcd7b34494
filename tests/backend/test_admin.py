"""Django admin is the operator's: every model has a page; the superuser opens them all and
publishes XLSForms there, and adds by hand only what is not a record of something that happened;
staff without model permissions see no model; project roles (who are not staff) and anonymous
visitors are sent to the admin sign-in page."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forms.models import Form
from tests.xlsform import simple_form, xlsx

pytestmark = pytest.mark.django_db

APPS = {"accounts", "audit", "forms", "sync", "privacy", "results"}
ROLES = ("admin_user", "staff_user", "form_manager", "dpo", "analyst", "anonymous")
IN = 302  # redirected to /admin/login/

# What each role gets from each admin page. A model's changelist is "<model> list" and its add
# page "<model> add"; records of what happened, rule sets and forms (published by uploading an
# XLSForm) are never added by hand, so their add page is refused even to the superuser.
MATRIX = {
    #                                  admin staff form_manager dpo analyst anonymous
    "index": (200, 200, IN, IN, IN, IN),
    "forms.Form upload": (200, 403, IN, IN, IN, IN),
    "accounts.RegionalNetwork list": (200, 403, IN, IN, IN, IN),
    "accounts.RegionalNetwork add": (200, 403, IN, IN, IN, IN),
    "accounts.NationalSociety list": (200, 403, IN, IN, IN, IN),
    "accounts.NationalSociety add": (200, 403, IN, IN, IN, IN),
    "accounts.Project list": (200, 403, IN, IN, IN, IN),
    "accounts.Project add": (200, 403, IN, IN, IN, IN),
    "accounts.ServicePoint list": (200, 403, IN, IN, IN, IN),
    "accounts.ServicePoint add": (200, 403, IN, IN, IN, IN),
    "accounts.Membership list": (200, 403, IN, IN, IN, IN),
    "accounts.Membership add": (200, 403, IN, IN, IN, IN),
    "accounts.Device list": (200, 403, IN, IN, IN, IN),
    "accounts.Device add": (200, 403, IN, IN, IN, IN),
    "accounts.ApiToken list": (200, 403, IN, IN, IN, IN),
    "accounts.ApiToken add": (403, 403, IN, IN, IN, IN),
    "accounts.InterfaceLanguage list": (200, 403, IN, IN, IN, IN),
    "accounts.InterfaceLanguage add": (403, 403, IN, IN, IN, IN),
    "audit.AuditEvent list": (200, 403, IN, IN, IN, IN),
    "audit.AuditEvent add": (403, 403, IN, IN, IN, IN),
    "forms.Form list": (200, 403, IN, IN, IN, IN),
    "forms.Form add": (403, 403, IN, IN, IN, IN),
    "forms.FormVersion list": (200, 403, IN, IN, IN, IN),
    "forms.FormVersion add": (403, 403, IN, IN, IN, IN),
    "forms.MediaFile list": (200, 403, IN, IN, IN, IN),
    "forms.MediaFile add": (200, 403, IN, IN, IN, IN),
    "forms.PrivacyRuleSet list": (200, 403, IN, IN, IN, IN),
    "forms.PrivacyRuleSet add": (403, 403, IN, IN, IN, IN),
    "forms.PrivacyRule list": (200, 403, IN, IN, IN, IN),
    "forms.PrivacyRule add": (403, 403, IN, IN, IN, IN),
    "sync.Submission list": (200, 403, IN, IN, IN, IN),
    "sync.Submission add": (403, 403, IN, IN, IN, IN),
    "sync.Attachment list": (200, 403, IN, IN, IN, IN),
    "sync.Attachment add": (403, 403, IN, IN, IN, IN),
    "sync.ConflictingCopy list": (200, 403, IN, IN, IN, IN),
    "sync.ConflictingCopy add": (403, 403, IN, IN, IN, IN),
    "privacy.AnonymisedRecord list": (200, 403, IN, IN, IN, IN),
    "privacy.AnonymisedRecord add": (403, 403, IN, IN, IN, IN),
    "privacy.RecordVerdict list": (200, 403, IN, IN, IN, IN),
    "privacy.RecordVerdict add": (403, 403, IN, IN, IN, IN),
    "privacy.DisclosureRun list": (200, 403, IN, IN, IN, IN),
    "privacy.DisclosureRun add": (403, 403, IN, IN, IN, IN),
    "privacy.DisclosurePending list": (200, 403, IN, IN, IN, IN),
    "privacy.DisclosurePending add": (403, 403, IN, IN, IN, IN),
    "privacy.Release list": (200, 403, IN, IN, IN, IN),
    "privacy.Release add": (403, 403, IN, IN, IN, IN),
    "privacy.ReleasedRecord list": (200, 403, IN, IN, IN, IN),
    "privacy.ReleasedRecord add": (403, 403, IN, IN, IN, IN),
    "privacy.ReleaseJob list": (200, 403, IN, IN, IN, IN),
    "privacy.ReleaseJob add": (403, 403, IN, IN, IN, IN),
    "results.Lattice list": (200, 403, IN, IN, IN, IN),
    "results.Lattice add": (403, 403, IN, IN, IN, IN),
    "results.LatticeCube list": (200, 403, IN, IN, IN, IN),
    "results.LatticeCube add": (403, 403, IN, IN, IN, IN),
}


def registered_pages() -> set[str]:
    models = [m for m in admin.site._registry if m._meta.app_label in APPS]
    return {"index", "forms.Form upload"} | {
        f"{m._meta.label} {page}" for m in models for page in ("list", "add")
    }


def url(page: str) -> str:
    if page == "index":
        return reverse("admin:index")
    if page == "forms.Form upload":
        return reverse("admin:forms_form_upload")
    label, kind = page.split()
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model.lower()}_{'changelist' if kind == 'list' else 'add'}")


def test_every_model_is_registered():
    from django.apps import apps

    models = {m for app in APPS for m in apps.get_app_config(app).get_models()}
    assert models - set(admin.site._registry) == set()


def test_the_matrix_covers_every_admin_page():
    """A new model's pages must be added to MATRIX, deciding what each role gets."""
    assert set(MATRIX) == registered_pages()


def test_staff_without_the_add_form_permission_cannot_publish_forms(client, staff_user):
    """Being staff is not enough to publish a form into any project through the admin."""
    client.force_login(staff_user)

    assert client.get(url("forms.Form upload")).status_code == 403


@pytest.mark.parametrize("page", list(MATRIX))
def test_each_role_gets_exactly_its_status_from_each_admin_page(client, request, page):
    """Nobody but the operator reaches a model in Django admin."""
    got = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        response = client.get(url(page))
        got.append(response.status_code)
        if response.status_code == IN:
            assert response["Location"].startswith(reverse("admin:login")), role

    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, MATRIX[page], strict=True))


def test_admin_uploads_an_xlsform(client, admin_user, project):
    client.force_login(admin_user)
    file = SimpleUploadedFile("f.xlsx", xlsx(simple_form()))

    response = client.post(
        reverse("admin:forms_form_upload"), {"project": project.pk, "file": file}, follow=True
    )

    assert response.status_code == 200
    assert Form.objects.filter(project=project, form_id="simple").exists()


def test_admin_upload_shows_problems_with_their_cells(client, admin_user, project):
    client.force_login(admin_user)
    file = SimpleUploadedFile("f.xlsx", xlsx(simple_form(extra_rows=[["txet", "a", "A", "keep"]])))

    response = client.post(
        reverse("admin:forms_form_upload"), {"project": project.pk, "file": file}
    )

    assert response.status_code == 200
    assert "row 5" in response.content.decode()
    assert not Form.objects.exists()
