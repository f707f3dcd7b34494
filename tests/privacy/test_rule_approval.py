"""A rule set written by a form manager is a proposal: a version's first release needs a DPO to
approve its rules, and the risk report flags identifier-looking questions that the rules keep in
the record. Before, a form manager could classify a name `keep` and the DPO released it with no
flag and no approval of the rules."""

import pytest
from django.apps import apps
from django.utils import timezone

from audit.models import AuditEvent
from forms.identifiers import identifier_kind
from forms.models import PrivacyRule, PrivacyRuleSet
from privacy import review
from privacy.models import AnonymisedRecord
from tests.factories import ReleaseFactory
from tests.forms.helpers import upload
from tests.samples import privacy_instance
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(submit, privacy_form, django_capture_on_commit_callbacks):
    """Six records of a version whose rules are as the upload proposed them (not approved)."""
    PrivacyRuleSet.objects.filter(version=privacy_form).update(approved_at=None, approved_by=None)
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(privacy_instance(f"uuid:ap{n}", age=str(30 + n))).status_code == 201
    return privacy_form


def base(project, path=""):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test{path}"


def test_first_release_is_refused_until_a_dpo_approves_the_rules(api, project, dpo, proposed):
    client = api.as_user(dpo)

    refused = client.post(base(project, "/releases"))

    assert refused.status_code == 409
    assert refused.json()["code"] == "rules.unapproved"
    assert "v1 rule set #1" in refused.json()["detail"]
    assert refused.json()["rule_sets"] == [{"version": "1", "number": 1}]
    assert not proposed.form.releases.exists()

    approved = client.post(
        base(project, "/versions/1/rule-sets/1/approve"), {"reason": "ok"}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["approved_by"] == dpo.username
    event = AuditEvent.objects.get(action="rules.approve")
    assert event.actor == dpo
    assert event.reason == "ok"

    opened = client.post(base(project, "/releases"))
    assert opened.status_code == 201, opened.json()


def test_approval_is_refused_when_the_rules_became_unapproved_after_opening(
    api, project, dpo, proposed
):
    """Approval checks again: a candidate opened under approved rules cannot slip through."""
    client = api.as_user(dpo)
    client.post(base(project, "/versions/1/rule-sets/1/approve"), {}, format="json")
    opened = client.post(base(project, "/releases")).json()
    PrivacyRuleSet.objects.filter(version=proposed).update(approved_at=None)

    refused = client.post(
        base(project, f"/releases/{opened['id']}/approve"),
        {"content_hash": opened["content_hash"]},
        format="json",
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "rules.unapproved"
    assert not AnonymisedRecord.objects.released().exists()


def test_only_a_dpo_approves_rules_and_only_once(api, project, dpo, form_manager, proposed):
    url = base(project, "/versions/1/rule-sets/1/approve")

    assert api.as_user(form_manager).post(url, {}, format="json").status_code == 403
    assert api.as_user(dpo).post(url, {}, format="json").status_code == 200
    again = api.as_user(dpo).post(url, {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "rules.approve_refused"


def test_a_dpo_rules_change_is_approved_by_being_made(
    dpo, proposed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the records are re-run under it
        new = review.rules_change(
            version=proposed,
            user=dpo,
            changes=[{"path": "/data/unclassified", "classification": "drop"}],
            reason="not needed",
        )

    assert new.approved_by == dpo
    assert new.approved_at is not None
    review.release_open(form=proposed.form, user=dpo)  # not refused


def test_the_risk_report_flags_identifier_looking_questions_kept_in_the_record(
    api, project, dpo, proposed
):
    rule_set = proposed.current_rule_set
    rule_set.rules.filter(name="full_name").update(classification="keep")
    rule_set.rules.filter(name="phone").update(classification="sensitive")
    rule_set.rules.filter(name="story").update(classification="keep")

    body = api.as_user(dpo).get(base(project, "/risk-report")).json()

    flags = {f["name"]: f for f in body["flags"]}
    assert flags["full_name"]["looks_like"] == "name"
    assert flags["full_name"]["classification"] == "keep"
    assert flags["phone"]["looks_like"] == "phone"
    assert flags["story"]["looks_like"] == "free_text"  # free text kept unredacted
    assert "location" not in flags  # quasi geo:1, the design's default, is not flagged
    assert "age" not in flags
    assert "sex" not in flags


def test_approving_rules_that_keep_a_name_says_so_in_the_audit_log(dpo, proposed):
    proposed.current_rule_set.rules.filter(name="full_name").update(classification="keep")

    review.rule_set_approve(rule_set=proposed.current_rule_set, user=dpo)

    event = AuditEvent.objects.get(action="rules.approve")
    assert [f["name"] for f in event.details["flags"]] == ["full_name"]


def test_a_dpo_classifying_a_name_keep_is_audited_with_the_flag(dpo, proposed):
    review.rules_change(
        version=proposed,
        user=dpo,
        changes=[{"path": "/data/full_name", "classification": "keep"}],
        reason="consented to be named",
    )

    event = AuditEvent.objects.get(action="rules.change")
    assert event.details["flags"][0]["looks_like"] == "name"


def test_the_sign_off_page_shows_the_flags(client, dpo, proposed):
    proposed.current_rule_set.rules.filter(name="full_name").update(classification="keep")
    review.rule_set_approve(rule_set=proposed.current_rule_set, user=dpo)
    release = ReleaseFactory(form=proposed.form, approved_by=dpo)
    client.force_login(dpo)

    page = client.get(
        f"/projects/{proposed.form.project_id}/privacy/privacy_test/releases/{release.pk}/signoff"
    )

    assert page.status_code == 200
    assert "looks like name, classified <strong>keep</strong>" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "label", "kind"),
    [
        ("q1", "Votre nom complet", "name"),
        ("q2", "¿Cuál es su nombre?", "name"),
        ("q3", "ما هو اسمك؟", "name"),
        ("q4", "Ваше ім'я", "name"),
        ("q5", "Numéro de téléphone", "phone"),
        ("q6", "Número de teléfono", "phone"),
        ("q7", "رقم الهاتف", "phone"),
        ("q8", "Номер телефону", "phone"),
        ("q9", "Numéro de passeport", "document"),
        ("q10", "Адреса проживання", "address"),
        ("nombre", "", "name"),
        ("passport_no", "", "document"),
        ("age", "How old are you?", None),
        ("needs", "Besoins", None),
    ],
)
def test_identifiers_are_recognised_in_the_form_languages(name, label, kind):
    assert identifier_kind("text", name, [label]) == kind


def test_existing_releases_keep_working_after_the_approval_migration(dpo, proposed):
    """forms 0004: rules of records already in an approved release count as approved then."""
    migration = __import__(
        "forms.migrations.0004_approve_released_rule_sets", fromlist=["approve_trusted"]
    )
    release = ReleaseFactory(form=proposed.form, approved_by=dpo)
    release.approved_at = timezone.now() - timezone.timedelta(days=3)
    release.save(update_fields=["approved_at"])
    # In that migration's time an approval stamped its records (privacy 0007 stopped it).
    AnonymisedRecord.objects.filter(pk__in=release.frozen.values("record_id")).update(
        released_at=release.approved_at, release=release
    )
    assert proposed.current_rule_set.approved_at is None

    migration.approve_trusted(apps, None)

    rule_set = PrivacyRuleSet.objects.get(version=proposed, number=1)
    assert rule_set.approved_at == release.approved_at
    assert rule_set.approved_by == dpo
    assert PrivacyRule.objects.filter(rule_set=rule_set).exists()


def test_a_form_manager_classifying_a_name_keep_is_warned_and_audited(
    api, project, form_manager, settings
):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    sheets = {
        "survey": [
            ["type", "name", "label::Français (fr)", "privacy"],
            ["text", "q1", "Votre nom", "keep"],
            ["integer", "age", "Âge", "quasi band:10"],
        ],
        "settings": [["form_id", "version"], ["named", "1"]],
    }

    response = upload(api.as_user(form_manager), project, "n.xlsx", xlsx(sheets))

    assert response.status_code == 201, response.json()
    codes = [w["code"] for w in response.json()["version"]["warnings"]]
    assert "privacy.identifier" in codes
    event = AuditEvent.objects.get(action="rules.identifier_kept")
    assert event.actor == form_manager
    assert event.details["flags"][0]["name"] == "q1"
