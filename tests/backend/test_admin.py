"""Every model has a working Django admin page, and the admin can publish an XLSForm."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forms.models import Form
from tests.xlsform import simple_form, xlsx

pytestmark = pytest.mark.django_db

APPS = {"accounts", "audit", "forms", "sync", "privacy"}


def test_every_model_is_registered():
    from django.apps import apps

    models = {m for app in APPS for m in apps.get_app_config(app).get_models()}
    assert models - set(admin.site._registry) == set()


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in APPS],
    ids=lambda m: m._meta.label,
)
def test_admin_changelist_and_add_pages_open(client, admin_user, model):
    client.force_login(admin_user)
    info = (model._meta.app_label, model._meta.model_name)

    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    add = client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code in {200, 403}  # versions and forms are added by uploading, not by hand


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
