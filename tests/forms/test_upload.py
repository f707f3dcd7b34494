"""Form managers publish XLSForms; every accepted form is converted, versioned and classified."""

import hashlib

import pytest

from forms.models import Form, FormVersion, ImmutableError, PrivacyRule
from tests.forms.helpers import upload
from tests.xlsform import simple_form, xls, xlsx

pytestmark = pytest.mark.django_db


def test_upload_publishes_a_form_with_its_xform_hash(api, project, form_manager):
    response = upload(api.as_user(form_manager), project, "simple.xlsx", xlsx(simple_form()))

    assert response.status_code == 201, response.json()
    body = response.json()
    version = FormVersion.objects.get()
    assert body["form"]["form_id"] == "simple"
    assert body["form"]["state"] == "open"
    assert body["version"]["hash"] == "md5:" + hashlib.md5(bytes(version.xform)).hexdigest()
    assert bytes(version.xform).startswith(b"<?xml")
    assert body["version"]["warnings"] == []


def test_legacy_xls_workbooks_are_accepted(api, project, form_manager):
    response = upload(api.as_user(form_manager), project, "simple.xls", xls(simple_form()))

    assert response.status_code == 201, response.json()
    assert Form.objects.get().form_id == "simple"


def test_an_xform_can_be_uploaded_as_is(api, project, form_manager):
    client = api.as_user(form_manager)
    upload(client, project, "simple.xlsx", xlsx(simple_form(form_id="from_xls")))
    xform = bytes(FormVersion.objects.get().xform).replace(b"from_xls", b"from_xml")

    response = upload(client, project, "from_xml.xml", xform, content_type="text/xml")

    assert response.status_code == 201, response.json()
    version = FormVersion.objects.get(form__form_id="from_xml")
    assert bytes(version.xform) == xform
    rules = {r.name: r.classification for r in version.current_rule_set.rules.all()}
    # An XForm has no privacy column: every question gets the design's default for its type.
    assert rules["full_name"] == "free_text"
    assert rules["age"] == "keep"


def test_new_version_of_a_form_adds_a_version(api, project, form_manager):
    client = api.as_user(form_manager)
    upload(client, project, "f.xlsx", xlsx(simple_form(version="1")))
    changed = simple_form(version="2", extra_rows=[["text", "story", "Your story", "free_text"]])

    response = upload(client, project, "f.xlsx", xlsx(changed))

    assert response.status_code == 201
    form = Form.objects.get()
    assert sorted(form.versions.values_list("version", flat=True)) == ["1", "2"]
    assert form.current_version.version == "2"
    assert [v["version"] for v in response.json()["form"]["versions"]] == ["2", "1"]


def test_same_version_with_same_content_is_not_a_new_version(api, project, form_manager):
    client = api.as_user(form_manager)
    upload(client, project, "f.xlsx", xlsx(simple_form()))

    response = upload(client, project, "f.xlsx", xlsx(simple_form()))

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert FormVersion.objects.count() == 1


def test_same_version_with_different_content_is_refused(api, project, form_manager):
    client = api.as_user(form_manager)
    upload(client, project, "f.xlsx", xlsx(simple_form()))
    before = bytes(FormVersion.objects.get().xform)
    changed = simple_form(extra_rows=[["text", "story", "Your story", "free_text"]])

    response = upload(client, project, "f.xlsx", xlsx(changed))

    assert response.status_code == 409
    found = response.json()["problems"][0]
    assert found["code"] == "form.version_exists"
    assert (found["sheet"], found["column"]) == ("settings", "version")
    assert "change `version`" in found["message"]
    assert bytes(FormVersion.objects.get().xform) == before


def test_versions_are_immutable(api, project, form_manager):
    upload(api.as_user(form_manager), project, "f.xlsx", xlsx(simple_form()))
    version = FormVersion.objects.get()
    version.title = "changed"

    with pytest.raises(ImmutableError):
        version.save()


def test_the_same_form_id_in_two_projects_is_two_forms(api, project, other_project, admin_user):
    client = api.as_user(admin_user)
    assert upload(client, project, "f.xlsx", xlsx(simple_form())).status_code == 201
    assert upload(client, other_project, "f.xlsx", xlsx(simple_form())).status_code == 201
    assert Form.objects.count() == 2


def test_settings_sheet_sets_id_version_language_and_public_key(api, project, form_manager):
    public_key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw3R7d5nZnO"
    form = {
        "survey": [
            ["type", "name", "label::English (en)", "label::Français (fr)", "privacy"],
            ["text", "story", "Your story", "Votre histoire", "free_text"],
        ],
        "settings": [
            ["form_id", "version", "form_title", "default_language", "public_key"],
            ["settings_test", "2026112701", "Settings", "Français (fr)", public_key],
        ],
    }

    response = upload(api.as_user(form_manager), project, "s.xlsx", xlsx(form))

    assert response.status_code == 201, response.json()
    version = response.json()["version"]
    assert response.json()["form"]["form_id"] == "settings_test"
    assert version["version"] == "2026112701"
    assert version["default_language"] == "Français (fr)"
    assert version["public_key"] == public_key
    assert b'base64RsaPublicKey="' + public_key.encode() in bytes(FormVersion.objects.get().xform)


def test_translations_including_right_to_left_languages(api, project, form_manager):
    form = {
        "survey": [
            [
                "type",
                "name",
                "label::English (en)",
                "label::العربية (ar)",
                "label::Українська (uk)",
                "hint::English (en)",
                "hint::العربية (ar)",
                "hint::Українська (uk)",
                "privacy",
            ],
            [
                "select_one sex",
                "sex",
                "Sex",
                "الجنس",
                "Стать",
                "Choose one",
                "اختر واحدا",
                "Оберіть одне",
                "quasi",
            ],
        ],
        "choices": [
            [
                "list_name",
                "name",
                "label::English (en)",
                "label::العربية (ar)",
                "label::Українська (uk)",
            ],
            ["sex", "female", "Female", "أنثى", "Жінка"],
            ["sex", "male", "Male", "ذكر", "Чоловік"],
        ],
        "settings": [["form_id", "version", "default_language"], ["tr", "1", "English (en)"]],
    }

    response = upload(api.as_user(form_manager), project, "tr.xlsx", xlsx(form))

    assert response.status_code == 201, response.json()
    version = response.json()["version"]
    assert set(version["languages"]) == {"English (en)", "العربية (ar)", "Українська (uk)"}
    sex = next(q for q in version["questions"] if q["name"] == "sex")
    assert sex["labels"]["العربية (ar)"] == "الجنس"
    assert version["choices"]["sex"][0]["labels"]["العربية (ar)"] == "أنثى"
    assert "اختر واحدا".encode() in bytes(FormVersion.objects.get().xform)


def test_groups_repeats_and_choice_filters(api, project, form_manager):
    form = {
        "survey": [
            ["type", "name", "label", "choice_filter", "privacy"],
            ["begin group", "journey", "Journey", None, None],
            ["select_one country", "origin", "Country of origin", None, "quasi"],
            ["select_one city", "city", "City", "country=${origin}", "quasi"],
            ["end group", None, None, None, None],
            ["begin repeat", "members", "Family members", None, None],
            ["integer", "member_age", "Age", None, "quasi band:10"],
            ["end repeat", None, None, None, None],
        ],
        "choices": [
            ["list_name", "name", "label", "country"],
            ["country", "sy", "Syria", None],
            ["country", "af", "Afghanistan", None],
            ["city", "aleppo", "Aleppo", "sy"],
            ["city", "kabul", "Kabul", "af"],
        ],
        "settings": [["form_id", "version"], ["groups", "1"]],
    }

    response = upload(api.as_user(form_manager), project, "g.xlsx", xlsx(form))

    assert response.status_code == 201, response.json()
    questions = {q["name"]: q for q in response.json()["version"]["questions"]}
    assert questions["city"]["path"] == "/data/journey/city"
    assert questions["member_age"]["repeat"] == "/data/members"
    xform = bytes(FormVersion.objects.get().xform).decode()
    assert "instance('city')/root/item[country= /data/journey/origin ]" in xform
    rules = {r.path: (r.classification, r.generalisers) for r in PrivacyRule.objects.all()}
    assert rules["/data/members/member_age"] == ("quasi", ["band:10"])


def test_media_labels_and_select_from_file_expect_media(api, project, form_manager):
    form = {
        "survey": [
            ["type", "name", "label", "media::image", "privacy"],
            ["note", "welcome", "Welcome", "logo.png", None],
            ["select_one_from_file places.csv", "place", "Where are you?", None, "quasi"],
        ],
        "settings": [["form_id", "version"], ["media_form", "1"]],
    }

    response = upload(api.as_user(form_manager), project, "m.xlsx", xlsx(form))

    assert response.status_code == 201, response.json()
    version = response.json()["version"]
    assert version["media_expected"] == ["logo.png", "places.csv"]
    assert version["media_missing"] == ["logo.png", "places.csv"]
    place = next(q for q in version["questions"] if q["name"] == "place")
    assert place["type"] == "select_one_from_file"


def test_external_choices_publish_an_itemsets_csv(api, project, form_manager):
    form = {
        "survey": [
            ["type", "name", "label", "choice_filter", "privacy"],
            ["select_one country", "origin", "Country", None, "quasi"],
            ["select_one_external town", "town", "Town", "country=${origin}", "quasi"],
        ],
        "choices": [["list_name", "name", "label"], ["country", "sy", "Syria"]],
        "external_choices": [
            ["list_name", "name", "label", "country"],
            ["town", "aleppo", "Aleppo", "sy"],
        ],
        "settings": [["form_id", "version"], ["external", "1"]],
    }

    response = upload(api.as_user(form_manager), project, "e.xlsx", xlsx(form))

    assert response.status_code == 201, response.json()
    media = {m["filename"]: m for m in response.json()["version"]["media"]}
    assert "itemsets.csv" in media
    assert media["itemsets.csv"]["md5"]


def test_form_detail_lists_versions_and_rules(api, project, form_manager, analyst):
    upload(api.as_user(form_manager), project, "f.xlsx", xlsx(simple_form()))

    detail = api.as_user(analyst).get(f"/api/v1/projects/{project.pk}/forms/simple")
    version = api.get(f"/api/v1/projects/{project.pk}/forms/simple/versions/1")
    xform = api.get(f"/api/v1/projects/{project.pk}/forms/simple/versions/1/xform")

    assert detail.status_code == 200
    assert detail.json()["current_version"]["version"] == "1"
    rules = {r["name"]: r for r in version.json()["rules"]["rules"]}
    assert rules["full_name"]["classification"] == "direct"
    assert rules["age"]["generalisers"] == ["band:10"]
    assert rules["full_name"]["source"] == "column"
    assert xform.status_code == 200
    assert xform.content == bytes(FormVersion.objects.get().xform)
