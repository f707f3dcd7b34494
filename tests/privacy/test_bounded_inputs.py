"""The DPO's API bounds what one request may ask for: a rule change lists at most 1,000
questions with at most 10 generalisers each, and audit filters are short. Refused with 400."""

import pytest

pytestmark = pytest.mark.django_db


def rules_url(form):
    version = form.current_version.version
    return f"/api/v1/projects/{form.project_id}/forms/{form.form_id}/versions/{version}/rule-sets"


def test_too_many_rule_changes_are_refused(api, dpo, released_form):
    change = {"path": "/data/age", "classification": "keep"}
    body = {"reason": "x", "changes": [change] * 1001}

    response = api.as_user(dpo).post(rules_url(released_form), body, format="json")

    assert response.status_code == 400
    assert "changes" in response.json()["errors"]


def test_too_many_generalisers_are_refused(api, dpo, released_form):
    change = {"path": "/data/age", "classification": "quasi", "generalisers": ["band:5"] * 11}

    response = api.as_user(dpo).post(
        rules_url(released_form), {"reason": "x", "changes": [change]}, format="json"
    )

    assert response.status_code == 400


def test_an_overlong_audit_filter_is_refused(api, dpo, project):
    response = api.as_user(dpo).get(f"/api/v1/projects/{project.pk}/audit?actor={'a' * 5000}")

    assert response.status_code == 400
