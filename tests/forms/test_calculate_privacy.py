"""Privacy by default for calculations: a `calculate` nobody classified takes the most protective
class among the questions it reads, so a copy of a name or a phone is removed like the original
(it used to default to `keep` and reach analysts in plain text)."""

import json

import pytest

from forms.models import PrivacyRule
from forms.privacy_vocabulary import PROTECTIVENESS, most_protective
from forms.services import form_upload
from privacy.anonymisation.services import record_anonymise
from tests.factories import SubmissionFactory
from tests.forms.helpers import upload
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db

CALCULATIONS = {
    "survey": [
        ["type", "name", "label", "privacy", "calculation"],
        ["text", "full_name", "Name", "direct", None],
        ["text", "phone", "Phone", None, None],  # unclassified text: free_text by default
        ["integer", "age", "Age", "quasi band:10", None],
        ["select_one status", "legal_status", "Status", "sensitive", None],
        ["calculate", "name_copy", None, None, "${full_name}"],
        ["calculate", "greeting", None, None, "concat('Hello ', ${name_copy})"],  # via a calc
        ["calculate", "age_months", None, None, "${age} * 12"],
        ["calculate", "status_age", None, None, "concat(${legal_status}, ${age})"],
        ["calculate", "phone_copy", None, None, "${phone}"],
        ["calculate", "constant", None, None, "1 + 1"],
        ["calculate", "kept_on_purpose", None, "keep", "${full_name}"],  # the column wins
        ["begin repeat", "members", "Members", None, None],
        ["text", "member_name", "Member name", "direct", None],
        ["calculate", "member_copy", None, None, "${member_name}"],  # relative path in a repeat
        ["end repeat", None, None, None, None],
    ],
    "choices": [["list_name", "name", "label"], ["status", "asylum", "Asylum seeker"]],
    "settings": [["form_id", "version"], ["calc_test", "1"]],
}


def classes(version) -> dict[str, str]:
    rules = PrivacyRule.objects.filter(rule_set=version.current_rule_set)
    return {rule.name: rule.classification for rule in rules}


def test_a_calculate_takes_the_most_protective_class_it_reads(project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    version = form_upload(project=project, filename="c.xlsx", data=xlsx(CALCULATIONS)).version

    got = classes(version)

    assert got["name_copy"] == "direct"  # a copy of a direct question is direct
    assert got["greeting"] == "direct"  # ... through another calculation too
    assert got["member_copy"] == "direct"  # ... inside a repeat
    assert got["age_months"] == "quasi"
    assert got["status_age"] == "quasi"  # quasi is more protective than sensitive
    assert got["phone_copy"] == "free_text"  # as the unclassified text it copies
    assert got["constant"] == "keep"  # reads nothing: today's default
    assert got["kept_on_purpose"] == "keep"  # classified in the form: a proposal for the DPO


def test_the_upload_warning_lists_the_inherited_classes(api, project, form_manager, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"

    response = upload(api.as_user(form_manager), project, "c.xlsx", xlsx(CALCULATIONS))

    assert response.status_code == 201, response.json()
    warnings = {w["code"]: w["message"] for w in response.json()["version"]["warnings"]}
    message = warnings["privacy.inherited"]
    assert "name_copy is direct (reads full_name)" in message
    assert "age_months is quasi (reads age)" in message
    assert "constant" not in message


def test_a_calculated_copy_of_a_name_never_reaches_the_anonymised_record(project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    version = form_upload(project=project, filename="c.xlsx", data=xlsx(CALCULATIONS)).version
    xml = (
        b'<data id="calc_test" version="1"><full_name>Amina Haddad</full_name>'
        b"<phone>+39 333 123 4567</phone><age>34</age><legal_status>asylum</legal_status>"
        b"<name_copy>Amina Haddad</name_copy><greeting>Hello Amina Haddad</greeting>"
        b"<age_months>408</age_months><status_age>asylum34</status_age>"
        b"<phone_copy>+39 333 123 4567</phone_copy><constant>2</constant>"
        b"<kept_on_purpose>Amina Haddad</kept_on_purpose>"
        b"<members><member_name>Leila Haddad</member_name>"
        b"<member_copy>Leila Haddad</member_copy></members>"
        b"<meta><instanceID>uuid:calc1</instanceID></meta></data>"
    )
    submission = SubmissionFactory(version=version, instance_id="uuid:calc1", xml=xml)

    record = record_anonymise(submission_id=submission.pk)

    stored = json.dumps(record.data)
    assert "name_copy" not in record.data
    assert "greeting" not in record.data
    assert "Leila" not in stored
    assert "333" not in json.dumps({k: v for k, v in record.data.items() if k != "phone_copy"})
    assert "[PHONE]" in record.data["phone_copy"]  # redacted as free text
    assert record.data["constant"] == "2"
    # Only what the form manager explicitly classified keep is left: the risk report flags it.
    assert stored.count("Amina") == 1
    assert record.data["kept_on_purpose"] == "Amina Haddad"


def test_protectiveness_order_is_total_and_documented():
    assert most_protective([]) == "keep"
    assert most_protective(["keep", "sensitive", "direct"]) == "direct"
    assert most_protective(["drop", "pseudonym"]) == "drop"
    assert len(set(PROTECTIVENESS)) == 7
