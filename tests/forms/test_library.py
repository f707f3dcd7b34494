"""The questionnaires Waypoint ships upload cleanly, classify every question, speak five
languages, and work in JavaRosa (the engine of ODK Collect and KoboCollect)."""

import pytest
from lxml import etree

from forms.library import library_forms
from forms.models import FormVersion
from tests.forms.helpers import upload
from tests.real_clients import javarosa

pytestmark = pytest.mark.django_db

LANGUAGES = {"English (en)", "Français (fr)", "Español (es)", "العربية (ar)", "Українська (uk)"}


@pytest.fixture
def published(api, project, form_manager, java):
    client = api.as_user(form_manager)
    versions = {}
    for path in library_forms():
        response = upload(client, project, path.name, path.read_bytes())
        assert response.status_code == 201, response.json()
        versions[response.json()["form"]["form_id"]] = response.json()["version"]
    return versions


def test_both_library_questionnaires_publish_without_warnings(published):
    assert set(published) == {"migrant_experience", "staff_volunteer_experience"}
    for version in published.values():
        assert version["warnings"] == []


def test_every_library_question_is_classified_in_the_privacy_column(published):
    for version in published.values():
        unclassified = [
            r["name"]
            for r in version["rules"]["rules"]
            if r["source"] != "column" and r["question_type"] != "meta"
        ]
        assert unclassified == []


def test_library_questionnaires_are_in_five_languages(published):
    for version in published.values():
        assert set(version["languages"]) == LANGUAGES
        for question in version["questions"]:
            if question["labels"]:
                assert set(question["labels"]) == LANGUAGES, question["name"]
                assert all(question["labels"].values()), question["name"]


def test_migrant_questionnaire_covers_the_issue(published):
    rules = {r["name"]: r for r in published["migrant_experience"]["rules"]["rules"]}
    assert rules["legal_status"]["classification"] == "sensitive"
    assert rules["contact_name"]["classification"] == "direct"
    assert rules["contact_phone"]["classification"] == "direct"
    assert rules["story"]["classification"] == "free_text"
    assert rules["age"]["classification"] == "quasi"
    for name in [
        "consent",
        "visit_date",
        "sex",
        "country_of_origin",
        "nationality",
        "languages",
        "countries_crossed",
        "journey_months",
        "dangers",
        "family_separated",
        "needs_needed",
        "needs_met",
        "priorities",
        "contact_consent",
    ]:
        assert name in rules, name
    assert rules["priorities"]["question_type"] == "rank"


def fill(version: FormVersion, tmp_path, *args: str) -> etree._Element:
    form = tmp_path / "form.xml"
    form.write_bytes(bytes(version.xform))
    result = javarosa("fill", str(form), *args)
    assert result.returncode == 0, result.stderr
    return etree.fromstring(result.stdout.encode())


def test_javarosa_fills_the_migrant_questionnaire_in_arabic(published, tmp_path):
    version = FormVersion.objects.get(form__form_id="migrant_experience")

    instance = fill(
        version,
        tmp_path,
        *("--lang", "العربية (ar)"),
        *("--set", "/data/consent=yes"),
        *("--set", "/data/age=34"),
        *("--set", "/data/contact/contact_consent=no"),
    )

    assert instance.get("id") == "migrant_experience"
    assert instance.findtext("age") == "34"
    assert instance.findtext("meta/instanceID").startswith("uuid:")


def test_refusing_consent_ends_the_migrant_questionnaire(published, tmp_path):
    version = FormVersion.objects.get(form__form_id="migrant_experience")

    instance = fill(version, tmp_path, "--set", "/data/consent=no")

    assert instance.findtext("consent") == "no"
    assert not instance.findtext("age")
    assert not instance.findtext("story")
    assert not instance.findtext("contact/contact_name")
