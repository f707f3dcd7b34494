"""A change of ``everyday_names`` gives every form version a new rule set, and records whose raw
data was purged on schedule can never be anonymised again under it: they are left out of every
later release for good. As the rules page does before a rules change (``#at-stake``), the API
and the admin say how many before the change is made, and make it only once confirmed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from privacy import retention, review
from privacy.review.left_out import at_stake, project_at_stake
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
    assert "confirm_left_out set to 6" in body["detail"]
    project.refresh_from_db()
    assert project.everyday_names == "context"
    assert privacy_form.current_rule_set.number == 1
    assert not AuditEvent.objects.filter(action="project.settings").exists()


def test_a_confirmed_change_is_made_and_audited_with_the_count(
    api, project, privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(dpo).patch(
            url(project), {**ALWAYS, "confirm_left_out": 6}, format="json"
        )

    assert response.status_code == 200, response.json()
    assert response.json()["everyday_names"] == "always"
    assert "confirm_left_out" not in response.json()
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["left_out"] == {"records": 6, "purged": 6, "encrypted": 0}
    assert privacy_form.current_rule_set.number == 2
    release = review.release_open(form=privacy_form.form, user=dpo)
    assert release.risk["left_out"]["purged"] == 6


def purge_the_newer_records(privacy_form, dpo) -> None:
    """The six records not yet released are released, and their raw data purged on schedule
    a month later: six more than the DPO was shown can no longer be anonymised again."""
    release = review.release_open(form=privacy_form.form, user=dpo)
    review.release_approve(release=release, user=dpo, approved_hash=release.content_hash)
    assert retention.raw_purge_due(now=timezone.now() + timedelta(days=62)) == 6


def test_a_purge_after_the_count_was_shown_is_refused_again_with_the_new_count(
    api, project, privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """The confirmation is the count the DPO saw: records purged between the refusal and the
    confirmed resend would be left out without anyone agreeing to it."""
    shown = api.as_user(dpo).patch(url(project), ALWAYS, format="json").json()["left_out"]
    with django_capture_on_commit_callbacks(execute=True):
        purge_the_newer_records(privacy_form, dpo)

    again = api.as_user(dpo).patch(
        url(project), {**ALWAYS, "confirm_left_out": shown["records"]}, format="json"
    )

    assert shown["records"] == 6
    assert again.status_code == 409, again.json()
    assert again.json()["code"] == "settings.left_out_unconfirmed"
    assert again.json()["left_out"] == {"records": 12, "purged": 12, "encrypted": 0}
    assert "leaves 12 records out" in again.json()["detail"]
    assert "confirm_left_out set to 12" in again.json()["detail"]
    project.refresh_from_db()
    assert project.everyday_names == "context"
    assert not AuditEvent.objects.filter(action="project.settings").exists()

    with django_capture_on_commit_callbacks(execute=True):
        exact = api.as_user(dpo).patch(
            url(project), {**ALWAYS, "confirm_left_out": 12}, format="json"
        )

    assert exact.status_code == 200, exact.json()
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["left_out"] == {"records": 12, "purged": 12, "encrypted": 0}


@pytest.mark.parametrize("confirmation", [True, "6", -1, 6.5])
def test_the_confirmation_is_a_count_not_a_yes(api, project, dpo, purged, confirmation):
    response = api.as_user(dpo).patch(
        url(project), {**ALWAYS, "confirm_left_out": confirmation}, format="json"
    )

    assert response.status_code == 400, response.json()
    assert "confirm_left_out" in response.json()["errors"]
    project.refresh_from_db()
    assert project.everyday_names == "context"


def test_encrypted_records_are_counted_and_worded_with_the_purged(api, project, dpo, purged):
    """The count holds records encrypted on the device too: the warning does not say all of
    them had their raw data purged."""
    from sync.models import Submission

    Submission.objects.filter(instance_id="uuid:new0").update(device_encrypted=True)

    body = api.as_user(dpo).patch(url(project), ALWAYS, format="json").json()

    assert body["left_out"] == {"records": 7, "purged": 6, "encrypted": 1}
    assert body["left_out"] == project_at_stake(project.pk)
    assert "raw data was purged, or they are encrypted on the device" in body["detail"]


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


def test_project_at_stake_counts_in_two_queries(
    project, privacy_form, purged, django_assert_num_queries
):
    """Counted under the project's lock: one query for the current rule sets, one count,
    however many versions the project has."""
    with django_assert_num_queries(2):
        counts = project_at_stake(project.pk)

    assert counts == {"records": 6, "purged": 6, "encrypted": 0}
    assert counts == at_stake(privacy_form.form_id, privacy_form)


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
    assert shown_count(page) == "6"
    project.refresh_from_db()
    assert project.everyday_names == "context"

    confirmed = admin_post(
        client,
        project,
        everyday_names="always",
        reason="more recall",
        confirm_left_out="on",
        left_out_shown=6,
    )

    assert confirmed.redirect_chain, confirmed.content[:2000]
    assert "6 records are left out of every later release for good" in confirmed.content.decode()
    project.refresh_from_db()
    assert project.everyday_names == "always"
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["left_out"]["records"] == 6


def shown_count(page: str) -> str:
    """The count the admin form carries back (its hidden ``left_out_shown``)."""
    found = re.search(r'<input type="hidden" name="left_out_shown" value="(\d+)"', page)
    assert found, "the form carries no count"
    return found.group(1)


def test_the_admin_asks_again_when_more_would_be_left_out_than_it_showed(
    client, project, privacy_form, admin_user, dpo, purged, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    asked = admin_post(client, project, everyday_names="always", reason="more recall")
    with django_capture_on_commit_callbacks(execute=True):
        purge_the_newer_records(privacy_form, dpo)

    ticked = admin_post(
        client,
        project,
        everyday_names="always",
        reason="more recall",
        confirm_left_out="on",
        left_out_shown=shown_count(asked.content.decode()),
    )

    page = ticked.content.decode()
    assert ticked.redirect_chain == []  # asked again, not saved
    assert "leaves 12 records out of every later release for good" in page
    assert shown_count(page) == "12"
    assert re.search(r'<input type="checkbox" name="confirm_left_out"[^>]*>', page)
    assert not re.search(r'name="confirm_left_out"[^>]* checked', page)  # tick for the new count
    project.refresh_from_db()
    assert project.everyday_names == "context"
    assert not AuditEvent.objects.filter(action="project.settings").exists()

    confirmed = admin_post(
        client,
        project,
        everyday_names="always",
        reason="more recall",
        confirm_left_out="on",
        left_out_shown=shown_count(page),
    )

    assert confirmed.redirect_chain, confirmed.content[:2000]
    assert "12 records are left out of every later release for good" in confirmed.content.decode()
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["left_out"]["records"] == 12


def test_a_tick_without_a_count_shown_is_asked_again(client, project, admin_user, purged):
    client.force_login(admin_user)

    ticked = admin_post(
        client, project, everyday_names="always", reason="more recall", confirm_left_out="on"
    )

    assert ticked.redirect_chain == []
    assert shown_count(ticked.content.decode()) == "6"
    project.refresh_from_db()
    assert project.everyday_names == "context"
