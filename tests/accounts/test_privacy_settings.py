"""A project's privacy settings (k, cell threshold, disclosure mode, missing values, retention)
are the DPO's and admins' alone, changed with a reason, audited old -> new, never below 2
(issue 12, finding 8: k=0 was accepted, nothing audited, and a form manager could create a
project with k=1)."""

import pytest

from accounts.models import Project
from accounts.privacy_settings import settings_change
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return f"/api/v1/projects/{project.pk}"


@pytest.mark.parametrize(
    "change",
    [
        {"k_anonymity": 0},
        {"k_anonymity": 1},
        {"cell_threshold": 1},
        {"retention_days": 0},
        {"pair_geography": "street"},
        {"pair_time": "day"},
        {"everyday_names": "sometimes"},
    ],
)
def test_settings_out_of_bounds_are_refused_with_nothing_changed(api, project, dpo, change):
    response = api.as_user(dpo).patch(url(project), {**change, "reason": "try"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "settings.out_of_bounds"
    project.refresh_from_db()
    assert (project.k_anonymity, project.cell_threshold, project.retention_days) == (5, 5, 30)
    assert not AuditEvent.objects.filter(action="project.settings").exists()


def test_a_settings_change_without_a_reason_is_refused(api, project, dpo):
    response = api.as_user(dpo).patch(url(project), {"k_anonymity": 7}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "settings.reason_required"
    project.refresh_from_db()
    assert project.k_anonymity == 5


def test_a_dpo_change_is_audited_old_to_new_with_its_reason(api, project, dpo):
    response = api.as_user(dpo).patch(
        url(project),
        {"k_anonymity": 3, "disclosure_mode": "hold", "reason": "small pilot, agreed with NS"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get(action="project.settings")
    assert event.reason == "small pilot, agreed with NS"
    assert event.details["changed"] == {
        "k_anonymity": [5, 3],
        "disclosure_mode": ["suppress", "hold"],
    }
    assert event.details["below_default"] == ["k_anonymity"]
    assert event.actor_label == dpo.username


def test_a_form_manager_cannot_change_privacy_settings(api, project, form_manager):
    response = api.as_user(form_manager).patch(
        url(project), {"cell_threshold": 2, "reason": "more detail"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "settings.dpo_only"
    project.refresh_from_db()
    assert project.cell_threshold == 5


def test_a_form_manager_creates_projects_with_the_defaults_only(api, form_manager):
    client = api.as_user(form_manager)

    refused = client.post("/api/v1/projects", {"name": "Loose", "k_anonymity": 1}, format="json")
    lowered = client.post(
        "/api/v1/projects", {"name": "Lower", "k_anonymity": 3, "reason": "x"}, format="json"
    )
    plain = client.post("/api/v1/projects", {"name": "Plain"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "settings.out_of_bounds"
    assert lowered.status_code == 403
    assert lowered.json()["code"] == "settings.dpo_only"
    assert plain.status_code == 201
    assert (plain.json()["k_anonymity"], plain.json()["cell_threshold"]) == (5, 5)
    assert list(Project.objects.filter(name__in=["Loose", "Lower"])) == []


def test_an_admin_may_create_a_project_with_lower_settings_given_a_reason(api, admin_user):
    response = api.as_user(admin_user).post(
        "/api/v1/projects",
        {"name": "Pilot", "cell_threshold": 3, "reason": "pilot with 3 service points"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["cell_threshold"] == 3
    assert AuditEvent.objects.get(action="project.settings").details["changed"] == {
        "cell_threshold": [5, 3]
    }


def test_the_name_and_the_settings_change_together_or_not_at_all(api, project, admin_user):
    response = api.as_user(admin_user).patch(
        url(project), {"name": "Renamed", "k_anonymity": 4}, format="json"
    )

    assert response.status_code == 400
    project.refresh_from_db()
    assert project.name != "Renamed"


def form_data(project, **changes) -> dict:
    from accounts.privacy_settings import SETTINGS

    fields = ["name", "description", *SETTINGS]
    return {**{name: getattr(project, name) for name in fields}, **changes}


def test_the_admin_form_refuses_out_of_bounds_and_changes_without_a_reason(project):
    from accounts.admin import ProjectForm

    low = ProjectForm(instance=project, data=form_data(project, k_anonymity=1, reason="x"))
    silent = ProjectForm(instance=project, data=form_data(project, k_anonymity=3))
    given = ProjectForm(instance=project, data=form_data(project, k_anonymity=3, reason="pilot"))

    assert "settings.out_of_bounds" in str(low.errors)
    assert "settings.reason_required" in str(silent.errors)
    assert given.is_valid(), given.errors


def test_a_change_in_django_admin_is_audited(client, project, admin_user):
    client.force_login(admin_user)
    data = form_data(project, cell_threshold=4, reason="pilot with few service points")
    data.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})

    response = client.post(f"/admin/accounts/project/{project.pk}/change/", data)

    assert response.status_code == 302, response.content[:2000]
    project.refresh_from_db()
    assert project.cell_threshold == 4
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["changed"] == {"cell_threshold": [5, 4]}


def test_a_change_is_judged_on_the_settings_as_saved_meanwhile(project, dpo):
    """Two DPOs saving at once: the second is applied to the row as the first left it (locked),
    so the audit never records an old value that was already gone, nor a change that was not."""
    stale = Project.objects.get(pk=project.pk)  # the page the second DPO loaded
    settings_change(project=project, user=dpo, values={"k_anonymity": 7}, reason="first")

    again = settings_change(project=stale, user=dpo, values={"k_anonymity": 7}, reason="second")
    later = settings_change(project=stale, user=dpo, values={"k_anonymity": 9}, reason="third")

    assert again.changed == {}
    assert later.changed == {"k_anonymity": [7, 9]}
    events = AuditEvent.objects.filter(action="project.settings").order_by("pk")
    assert [e.details["changed"]["k_anonymity"] for e in events] == [[5, 7], [7, 9]]


def test_the_dpo_chooses_the_levels_two_questions_are_cross_tabulated_at(api, project, dpo):
    """Issue 13: pairs are published at the levels the DPO chooses (coarse by default), changed
    like every privacy setting: with a reason, audited old -> new."""
    before = api.as_user(dpo).get(url(project)).json()
    response = api.as_user(dpo).patch(
        url(project),
        {"pair_geography": "service_point", "pair_time": "month", "reason": "per-site planning"},
        format="json",
    )

    assert (before["pair_geography"], before["pair_time"]) == ("country", "year")
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert project.pair_levels == (("all", "service_point"), ("all", "month"))
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["changed"] == {
        "pair_geography": ["country", "service_point"],
        "pair_time": ["year", "month"],
    }


def test_an_analyst_cannot_change_the_pair_levels(api, project, analyst):
    response = api.as_user(analyst).patch(
        url(project), {"pair_geography": "all", "reason": "smaller"}, format="json"
    )

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.pair_geography == "country"
