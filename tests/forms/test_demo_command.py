"""`manage.py demo` gives a fresh server everything a new user (or a script) needs."""

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import Device, Membership, Project
from forms.models import Form, FormVersion

pytestmark = pytest.mark.django_db


def run_demo() -> dict:
    out = io.StringIO()
    call_command("demo", "--json", "--base-url", "http://testserver", stdout=out)
    return json.loads(out.getvalue())


def test_demo_creates_project_accounts_device_and_forms(java):
    summary = run_demo()

    project = Project.objects.get(pk=summary["project_id"])
    assert project.name == "Demo service point"
    roles = {a["role"]: a for a in summary["accounts"]}
    assert set(roles) == {"form_manager", "dpo", "analyst", "admin"}
    for role in ("form_manager", "dpo", "analyst"):
        account = roles[role]
        user = authenticate(username=account["username"], password=account["password"])
        assert user is not None
        assert Membership.objects.filter(user=user, project=project, role=role).exists()
    assert authenticate(username="admin", password=roles["admin"]["password"]).is_superuser
    assert {f["form_id"] for f in summary["forms"]} == {
        "migrant_experience",
        "staff_volunteer_experience",
    }
    assert summary["device"]["server_url"] == (
        f"http://testserver/key/{summary['device']['token']}/projects/{project.pk}"
    )


def test_demo_is_idempotent(java):
    first = run_demo()
    counts = [m.objects.count() for m in (Project, Membership, Device, Form, FormVersion)]

    second = run_demo()

    assert [m.objects.count() for m in (Project, Membership, Device, Form, FormVersion)] == counts
    assert first == second


def test_demo_tokens_drive_the_api(client, java):
    summary = run_demo()
    manager = next(a for a in summary["accounts"] if a["role"] == "form_manager")

    response = client.get(
        f"/api/v1/projects/{summary['project_id']}/forms",
        HTTP_AUTHORIZATION=f"Token {manager['token']}",
    )
    qr = client.get(summary["device"]["qr_url"].removeprefix("http://testserver"))

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert qr.status_code == 200


def test_demo_web_tablet_link_opens_the_web_app(client, java):
    """`make run` prints a web tablet's link: it opens the demo service point's forms."""
    summary = run_demo()
    link = summary["web_tablet"]["web_url"]
    assert link.endswith("/web/")
    page = client.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "Lampedusa" in page.content.decode()
