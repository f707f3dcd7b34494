"""A DPO chooses where free text loses a respondent's name that is also an everyday word (نور
"light", أمل "hope", ሰላም "peace"): by default where the sentence reads it as a name, so the
story stays readable; on "always" wherever it stands, and the project's records are anonymised
again at once (issue 14's trade-off, left open last session: recall against readability)."""

import pytest

from audit.models import AuditEvent
from privacy.models import AnonymisedRecord
from privacy.redaction import Redactor
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db

WORD_NOT_NAME = "لم يكن هناك نور في الغرفة."  # "there was no light in the room"
NAME = "نور العلي"


def test_context_keeps_the_word_and_always_removes_it():
    """The same sentence, two choices: the default keeps "light" for a reader, "always" takes
    it out because it is also the respondent's name."""
    context = Redactor.for_regions(["SY"])
    always = Redactor.for_regions(["SY"], everyday_names="always")

    assert context.redact(WORD_NOT_NAME, [NAME])[0] == WORD_NOT_NAME
    assert always.redact(WORD_NOT_NAME, [NAME])[0] == "لم يكن هناك [NAME] في الغرفة."


def test_always_does_not_turn_weak_matches_into_names():
    """The "always" mode is about everyday words that are the name; a short stem after a preposition
    (فعلي "so I must", for a respondent called علي) stays a word in either mode."""
    always = Redactor.for_regions(["SY"], everyday_names="always")
    text = "فعلي أن أنتظر حتى الصباح."
    hope = "الأمل باق."  # "hope remains": the article and a three-letter stem

    assert always.redact(text, ["علي حسون"])[0] == text
    assert always.redact(hope, ["أمل حداد"])[0] == hope


def test_a_dpo_choosing_always_anonymises_the_records_again(
    api, submit, privacy_form, dpo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:nour", name=NAME, story=WORD_NOT_NAME))
    record = AnonymisedRecord.objects.get()
    assert record.data["story"] == WORD_NOT_NAME

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(dpo).patch(
            f"/api/v1/projects/{privacy_form.form.project_id}",
            {"everyday_names": "always", "reason": "names that are words reached the records"},
            format="json",
        )

    assert response.status_code == 200, response.json()
    assert response.json()["everyday_names"] == "always"
    record.refresh_from_db()
    assert record.data["story"] == "لم يكن هناك [NAME] في الغرفة."
    event = AuditEvent.objects.get(action="project.settings")
    assert event.details["changed"] == {"everyday_names": ["context", "always"]}
    # a new rule-set version, so no release opens before every record is redone
    rules = privacy_form.current_rule_set
    assert (rules.number, record.rule_set_id) == (2, rules.pk)
    assert "everyday_names: context -> always" in rules.reason
    assert rules.approved_at is not None


def test_records_not_yet_redone_hold_releases_back(
    privacy_form, submit, dpo, django_capture_on_commit_callbacks
):
    """Until every record is anonymised again under the new choice, the DPO cannot open a
    release: one would carry stories redacted both ways."""
    from accounts.privacy_settings import settings_change
    from privacy.review import release_open
    from privacy.review.refusals import StillRerunning

    for n in range(6):  # a group of k alike: released, not held
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:held{n}", name=NAME, story=WORD_NOT_NAME))
    settings_change(  # committed, its re-run not yet done (the callbacks are not run)
        project=privacy_form.form.project,
        user=dpo,
        values={"everyday_names": "always"},
        reason="more recall",
    )

    with pytest.raises(StillRerunning):
        release_open(form=privacy_form.form, user=dpo)


def test_a_form_manager_cannot_choose_it(api, project, form_manager):
    response = api.as_user(form_manager).patch(
        f"/api/v1/projects/{project.pk}", {"everyday_names": "always", "reason": "x"}, format="json"
    )

    assert response.status_code in (400, 403)
    assert response.json()["code"] == "settings.dpo_only"
    project.refresh_from_db()
    assert project.everyday_names == "context"
