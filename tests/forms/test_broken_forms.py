"""A new user's broken forms: each is refused with a message that points at the cell to fix,
and nothing is stored. Hostile uploads (XML bombs, oversized workbooks) are in tests/hostile."""

import io
import zipfile

import pytest

from forms.models import Form, FormVersion, MediaFile, PrivacyRule
from tests.forms.helpers import problem, upload
from tests.xlsform import simple_form, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api, form_manager):
    return api.as_user(form_manager)


def refused(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert "nothing was changed" in response.json()["detail"]
    assert Form.objects.count() == 0
    assert FormVersion.objects.count() == 0
    assert PrivacyRule.objects.count() == 0
    assert MediaFile.objects.count() == 0
    return problem(response)


def test_missing_type_column(client, project):
    form = {"survey": [["name", "label"], ["age", "Age"]]}

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert found["sheet"] == "survey"
    assert found["row"] == 1
    assert "'type'" in found["message"]


def test_unknown_choice_list(client, project):
    form = simple_form(extra_rows=[["select_one colours", "colour", "Colour", "keep"]])

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert "colours" in found["message"]
    assert found["row"] == 5
    assert found["sheet"] == "survey"


def test_bad_relevant_expression_is_caught_by_odk_validate(client, project, java):
    form = {
        "survey": [
            ["type", "name", "label", "relevant"],
            ["integer", "age", "Age", None],
            ["text", "school", "School", "${age} < = 18"],
        ]
    }

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert found["code"] == "odk_validate.invalid"
    assert (found["sheet"], found["row"], found["column"]) == ("survey", 3, "relevant")


def test_relevant_naming_an_unknown_question(client, project):
    form = {
        "survey": [
            ["type", "name", "label", "relevant"],
            ["text", "school", "School", "${agee} < 18"],
        ]
    }

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert (found["sheet"], found["row"], found["column"]) == ("survey", 2, "relevant")
    assert "agee" in found["message"]


def test_duplicate_question_names(client, project):
    form = simple_form(extra_rows=[["integer", "age", "Age again", "keep"]])

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert (found["sheet"], found["row"], found["column"]) == ("survey", 5, "name")
    assert "'age'" in found["message"]


def test_unknown_question_type_names_its_row(client, project):
    form = simple_form(extra_rows=[["txet", "story", "Story", "free_text"]])

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert found["code"] == "xlsform.unknown_type"
    assert (found["sheet"], found["row"], found["column"]) == ("survey", 5, "type")


def test_unclosed_group(client, project):
    form = {"survey": [["type", "name", "label"], ["begin group", "g", "G"], ["text", "a", "A"]]}

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert found["row"] == 2
    assert "end_group" in found["message"] or "end group" in found["message"]


def test_empty_file(client, project):
    found = refused(upload(client, project, "f.xlsx", b""))

    assert found["code"] == "upload.empty"


def test_word_document_renamed_xlsx(client, project):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")

    found = refused(upload(client, project, "questionnaire.xlsx", buffer.getvalue()))

    assert found["code"] == "upload.wrong_kind"
    assert "Word document" in found["message"]


def test_truncated_workbook(client, project):
    data = xlsx(simple_form())

    found = refused(upload(client, project, "f.xlsx", data[: len(data) // 2]))

    assert found["code"] in {"upload.corrupt", "xlsform.unreadable"}


def test_plain_text_file(client, project):
    found = refused(upload(client, project, "notes.xlsx", b"type,name,label\ntext,a,A\n"))

    assert found["code"] == "upload.wrong_kind"


def test_unknown_privacy_value_names_the_row(client, project):
    form = simple_form(extra_rows=[["text", "phone", "Phone", "secret"]])

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert found["code"] == "privacy.invalid"
    assert (found["sheet"], found["row"], found["column"]) == ("survey", 5, "privacy")
    assert "direct, pseudonym, quasi" in found["message"]


def test_generaliser_that_does_not_fit_the_question_type(client, project):
    form = simple_form(extra_rows=[["date", "arrival", "Arrival date", "quasi band:10"]])

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert found["row"] == 5
    assert "number question" in found["message"]


def test_every_privacy_problem_is_reported_at_once(client, project):
    form = simple_form(
        extra_rows=[
            ["text", "phone", "Phone", "secret"],
            ["date", "arrival", "Arrival", "quasi date:fortnight"],
        ]
    )

    response = upload(client, project, "f.xlsx", xlsx(form))

    refused(response)
    assert [p["row"] for p in response.json()["problems"]] == [5, 6]


def test_malformed_xml(client, project):
    found = refused(upload(client, project, "f.xml", b"<h:html><unclosed>", "text/xml"))

    assert found["code"] == "xform.invalid"


def test_xml_that_is_not_an_xform(client, project):
    found = refused(upload(client, project, "f.xml", b"<note><to>you</to></note>", "text/xml"))

    assert "not an XForm" in found["message"]


def test_form_id_that_cannot_go_in_a_url(client, project):
    form = simple_form(form_id="my form/2")

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert (found["sheet"], found["column"]) == ("settings", "form_id")


def test_warnings_are_returned_with_their_row(client, project):
    form = simple_form(extra_rows=[["image", "photo", "Photo", "direct"]])

    response = upload(client, project, "f.xlsx", xlsx(form))

    assert response.status_code == 201
    warning = next(
        w for w in response.json()["version"]["warnings"] if "max-pixels" in w["message"]
    )
    assert (warning["level"], warning["sheet"], warning["row"]) == ("warning", "survey", 5)


def test_select_without_a_choices_sheet(client, project):
    form = {"survey": [["type", "name", "label"], ["text", "a", "A"], ["select_one yn", "b", "B"]]}

    found = refused(upload(client, project, "f.xlsx", xlsx(form)))

    assert found["sheet"] == "choices"
    assert "row 3" in found["message"]
