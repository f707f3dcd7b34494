"""A change of ``everyday_names`` gives every form version a new rule set, and records whose raw
data was purged on schedule can never be anonymised again under it: they are left out of every
later release for good. As the rules page does before a rules change (``#at-stake``), the API
and the admin say how many before the change is made, and make it only once confirmed."""

import pytest

from audit.models import AuditEvent
from privacy import review
from privacy.review.left_out import at_stake
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db

ALWAYS = {"everyday_names": "always", "reason": "names that are words reached the records"}


def url(project) -> str:
    return f"/api/v1/projects/{project.pk}"


def test_the_api_refuses_with_the_count_until_confirmed(api, project, privacy_form, dpo, purged):
    response = api.as_user(dpo).patch(url(project), ALWAYS, format="json")

    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "settings.left_out_unconfirmed"
    assert body["left_out"] == {"records": 6, "purged": 6, "encrypted": 0}
    # the count the rules page warns with, in its words
    assert at_stake(privacy_form.form_id, privacy_form)["records"] == 6
    assert "leaves 6 records out of every later release for good" in body["detail"]
    assert "does not bring them back" in body["detail"]
    assert "confirm_left_out" in body["detail"]
    project.refresh_from_db()
    assert project.everyday_names == "context"
    assert privacy_form.current_rule_set.number == 1
    assert not AuditEvent.objects.filter(action="project.settings").exists()


def test_a_confirmed_change_is_made_and_audited_with_the_count(
    api, project, privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(dpo).patch(
            url(project), {**ALWAYS, "confirm_left_out": True}, format="json"
        )

    assert response.status_code == 200, response.json()
    assert response.json()["everyday_names"] == "always"
    assert "confirm_left_out" not in response.json()
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["left_out"] == {"records": 6, "purged": 6, "encrypted": 0}
    assert privacy_form.current_rule_set.number == 2
    release = review.release_open(form=privacy_form.form, user=dpo)
    assert release.risk["left_out"]["purged"] == 6


def test_nothing_to_confirm_when_nothing_would_be_left_out(
    api, project, privacy_form, dpo, submit, django_capture_on_commit_callbacks
):
    """Raw data still here: every record can be redone, so the change needs no confirmation
    and the audit records nothing left out."""
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:here", age="40"))
        response = api.as_user(dpo).patch(url(project), ALWAYS, format="json")

    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get(action="project.settings")
    assert "left_out" not in event.details
    assert privacy_form.current_rule_set.number == 2


def test_other_settings_need_no_confirmation_with_purged_records(api, project, dpo, purged):
    """Only a change that gives versions new rule sets leaves records out: k does not."""
    response = api.as_user(dpo).patch(
        url(project), {"k_anonymity": 7, "reason": "larger groups"}, format="json"
    )

    assert response.status_code == 200, response.json()


def admin_post(client, project, **changes):
    from accounts.privacy_settings import SETTINGS

    fields = ["name", "description", *SETTINGS]
    data = {name: getattr(project, name) for name in fields}
    data.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0}, **changes)
    return client.post(f"/admin/accounts/project/{project.pk}/change/", data, follow=True)


def test_the_admin_shows_the_count_and_asks_before_saving(
    client, project, privacy_form, admin_user, purged
):
    client.force_login(admin_user)

    asked = admin_post(client, project, everyday_names="always", reason="more recall")

    page = asked.content.decode()
    assert asked.redirect_chain == []  # the form again, not saved
    assert "leaves 6 records out of every later release for good" in page
    assert "settings.left_out_unconfirmed" in page
    project.refresh_from_db()
    assert project.everyday_names == "context"

    confirmed = admin_post(
        client, project, everyday_names="always", reason="more recall", confirm_left_out="on"
    )

    assert confirmed.redirect_chain, confirmed.content[:2000]
    assert "6 records are left out of every later release for good" in confirmed.content.decode()
    project.refresh_from_db()
    assert project.everyday_names == "always"
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["left_out"]["records"] == 6
