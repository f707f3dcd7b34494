"""The DPO's sign-off: risk report, audited comparison, rule changes that re-run, two-phase
release by hash, withholding, and an audit log nobody can rewrite. Pages and API alike are the
DPO's alone."""

import pytest

from audit.models import AuditEvent
from privacy import review
from privacy.models import AnonymisedRecord, Release
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(submit, privacy_form, settings, django_capture_on_commit_callbacks):
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(privacy_instance(f"uuid:rv{n}", age=str(30 + n))).status_code == 201
    return list(AnonymisedRecord.objects.order_by("created_at"))


def api_base(project):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test"


def test_risk_report_matches_the_disclosure_run(api, project, dpo, records):
    body = api.as_user(dpo).get(f"{api_base(project)}/risk-report").json()

    run = review.risk_report(records[0].form)["run"]
    assert body["run"]["records"] == 6 == run.records
    assert body["run"]["after"] == run.after
    defaulted = {d["path"] for d in body["defaulted"]}
    assert {"/data/unclassified", "/data/photo"} <= defaulted


def test_compare_shows_raw_beside_anonymised_and_audits_each_read(api, project, dpo, records):
    response = api.as_user(dpo).get(f"{api_base(project)}/compare?reason=spot check&size=2")

    assert response.status_code == 200
    sample = response.json()
    assert len(sample) == 2
    story = next(a for a in sample[0]["answers"] if a["question"] == "story")
    assert "Ahmad" in story["raw"]
    assert "[NAME]" in story["anonymised"]
    assert AuditEvent.objects.filter(action="raw.read_xml", reason="spot check").count() == 2


def test_rule_change_makes_a_new_rule_set_and_reruns(
    api, project, dpo, records, privacy_form, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the re-run is sent after commit
        response = api.as_user(dpo).post(
            f"{api_base(project)}/versions/1/rule-sets",
            {
                "changes": [
                    {"path": "/data/age", "classification": "quasi", "generalisers": ["band:5"]}
                ],
                "reason": "finer age bands were agreed",
            },
            format="json",
        )

    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    progress = api.as_user(dpo).get(f"{api_base(project)}/versions/1/rerun").json()
    assert progress == {
        "rule_set": 2,
        "total": 6,
        "done": 6,
        "finished": True,
        "left_out": {"records": 0, "purged": 0, "encrypted": 0, "detail": ""},
    }
    assert AnonymisedRecord.objects.get(submission__instance_id="uuid:rv0").data["age"] == "30-34"
    assert privacy_form.rule_sets.count() == 2  # the old one stays in the history
    assert AuditEvent.objects.get(action="rules.change").reason == "finer age bands were agreed"


def test_invalid_rule_change_is_refused(api, project, dpo, records):
    response = api.as_user(dpo).post(
        f"{api_base(project)}/versions/1/rule-sets",
        {
            "changes": [
                {"path": "/data/sex", "classification": "quasi", "generalisers": ["band:5"]}
            ],
            "reason": "x",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "number question" in response.json()["detail"]


def test_two_phase_release(api, project, dpo, records):
    client = api.as_user(dpo)
    opened = client.post(f"{api_base(project)}/releases").json()

    approved = client.post(
        f"{api_base(project)}/releases/{opened['id']}/approve",
        {"content_hash": opened["content_hash"]},
        format="json",
    )

    assert approved.status_code == 200
    assert approved.json()["state"] == "approved"
    assert AnonymisedRecord.objects.released().count() == opened["records"]
    assert client.post(f"{api_base(project)}/releases").status_code == 409  # nothing new


def test_approval_fails_if_anything_changed_since_opening(api, project, dpo, records):
    client = api.as_user(dpo)
    opened = client.post(f"{api_base(project)}/releases").json()
    client.post(
        f"{api_base(project)}/records/{records[0].pk}/withhold",
        {"reason": "story too detailed"},
        format="json",
    )

    refused = client.post(
        f"{api_base(project)}/releases/{opened['id']}/approve",
        {"content_hash": opened["content_hash"]},
        format="json",
    )

    assert refused.status_code == 409
    # The withholding updated the candidate (issue 17): the hash the DPO saw is not its hash.
    assert refused.json()["code"] == "release.stale_hash"
    assert not AnonymisedRecord.objects.released().exists()
    again = client.post(f"{api_base(project)}/releases").json()
    assert again["records"] == opened["records"] - 1  # the withheld record stays out


def test_approving_a_different_hash_is_refused(api, project, dpo, records):
    opened = api.as_user(dpo).post(f"{api_base(project)}/releases").json()

    response = api.as_user(dpo).post(
        f"{api_base(project)}/releases/{opened['id']}/approve",
        {"content_hash": "0" * 64},
        format="json",
    )

    assert response.status_code == 409
    assert Release.objects.get().state == "open"


def test_audit_log_api_and_csv(api, client, project, dpo, records):
    api.as_user(dpo).get(f"{api_base(project)}/compare?reason=spot check&size=1")
    client.force_login(dpo)

    listed = api.as_user(dpo).get(f"/api/v1/projects/{project.pk}/audit?action=raw").json()
    exported = client.get(f"/projects/{project.pk}/audit/?format=csv")

    assert listed["results"][0]["action"] == "raw.read_xml"
    text = exported.content.decode("utf-8-sig")
    assert "raw.read_xml" in text
    assert "spot check" in text


def test_audit_page_refuses_a_filter_that_is_not_a_date(client, project, dpo, records):
    client.force_login(dpo)

    page = client.get(f"/projects/{project.pk}/audit/", {"since": "' OR 1=1"})
    export = client.get(f"/projects/{project.pk}/audit/", {"until": "2026-13-40", "format": "csv"})
    dated = client.get(f"/projects/{project.pk}/audit/", {"since": "2026-01-01"})

    assert page.status_code == export.status_code == 400
    assert "YYYY-MM-DD" in page.content.decode()
    assert dated.status_code == 200


def test_logins_are_audited(client, dpo):
    client.post(
        "/accounts/login/", {"username": dpo.username, "password": "correct horse battery staple"}
    )
    client.post("/accounts/login/", {"username": dpo.username, "password": "wrong"})

    assert AuditEvent.objects.filter(action="login", actor=dpo).exists()
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.target == dpo.username
    assert "wrong" not in str(failed.details)


PAGES = [
    "/projects/{p}/privacy/",
    "/projects/{p}/privacy/privacy_test/",
    "/projects/{p}/privacy/privacy_test/compare",
    "/projects/{p}/privacy/privacy_test/rules/1",
    "/projects/{p}/privacy/privacy_test/releases",
    "/projects/{p}/audit/",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("analyst", 403),
        ("form_manager", 403),
        ("dpo", 200),
        ("admin_user", 200),
    ],
)
def test_review_pages_are_the_dpos_alone(
    client, request, project, records, page, persona, expected
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    response = client.get(page.format(p=project.pk))

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/")
