"""The doors to forms (forms.access), as a matrix of personas: a form that does not exist and a
form the caller may not see give the same 404; a member lacking the role gets 403, as
``access_project`` answers; a device sees all forms of its project, or only those assigned."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from forms.access import access_form, access_form_for_device, device_forms
from forms.models import Form


@pytest.fixture
def form(project):
    return Form.objects.create(project=project, form_id="intake", title="Intake")


@pytest.mark.parametrize(
    ("persona", "roles", "answer"),
    [
        ("form_manager", (), "form"),
        ("form_manager", ("form_manager",), "form"),
        ("dpo", ("dpo",), "form"),
        ("analyst", ("analyst", "dpo"), "form"),
        ("admin_user", ("dpo",), "form"),
        ("analyst", ("dpo",), "403"),
        ("form_manager", ("dpo",), "403"),
        ("outsider", (), "404"),
        ("outsider", ("form_manager",), "404"),
    ],
)
def test_access_form_by_persona(request, form, persona, roles, answer):
    user = request.getfixturevalue(persona)
    if answer == "form":
        found = access_form(user, form.project_id, "intake", *roles)
        assert found == form
        assert found.project == form.project
    else:
        expected = Http404 if answer == "404" else PermissionDenied
        with pytest.raises(expected):
            access_form(user, form.project_id, "intake", *roles)


def test_a_missing_form_and_a_hidden_one_look_the_same(form, form_manager, outsider):
    with pytest.raises(Http404) as missing:
        access_form(form_manager, form.project_id, "no_such_form")
    with pytest.raises(Http404) as hidden:
        access_form(outsider, form.project_id, "intake")
    with pytest.raises(Http404):
        access_form(form_manager, "not a number", "intake")
    assert str(missing.value) == "No such form."
    assert str(hidden.value) == "No such project."  # the project is not even confirmed


def test_a_device_sees_every_form_or_only_those_assigned(project, device, form):
    other = Form.objects.create(project=project, form_id="followup", title="Follow-up")
    assert set(device_forms(device, project.pk)) == {form, other}

    device.all_forms = False
    device.save(update_fields=["all_forms"])
    device.forms.add(form)  # the assignment, read from the device's side
    assert list(device_forms(device, project.pk)) == [form]
    assert access_form_for_device(device, project.pk, "intake") == form
    with pytest.raises(Http404):
        access_form_for_device(device, project.pk, "followup")  # not assigned: as if missing
    assert list(form.devices.all()) == [device]


def test_accounts_on_openrosa_see_every_form_and_no_other_project(project, other_project, form):
    assert list(device_forms(None, project.pk)) == [form]
    with pytest.raises(Http404):
        access_form_for_device(None, other_project.pk, "intake")
