"""The released records, row by row (issue 17): columns in the order the questionnaire asks
them, groups included; a download for people with labels in the chosen language and each repeat
as a second file linked by the record id."""

import csv
import io
import uuid
import zipfile

import pytest

from forms.services import form_upload
from privacy.models import Release, ReleasedRecord
from privacy.review import latest_approved
from results.records import records_columns
from tests.factories import microdata_approve, rules_approve
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db

GROUPED = {
    "survey": [
        ["type", "name", "label::English (en)", "label::Arabic (ar)"],
        ["integer", "first", "First", "الأول"],
        ["begin group", "about", "About you", "عنك"],
        ["select_one yn", "inside", "Inside a group", "داخل مجموعة"],
        ["end group", None, None, None],
        ["integer", "last", "Last", "الأخير"],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)", "label::Arabic (ar)"],
        ["yn", "yes", "Yes", "نعم"],
        ["yn", "no", "No", "لا"],
    ],
    "settings": [["form_id", "version"], ["grouped", "1"]],
}


def test_a_question_inside_a_group_keeps_its_place_among_the_columns(project, dpo, settings):
    """Finding: the order was keyed on the first path segment (the group's name), so every
    question inside a group went to the end, alphabetically."""
    settings.WAYPOINT_ODK_VALIDATE = "false"
    version = form_upload(project=project, filename="g.xlsx", data=xlsx(GROUPED)).version
    rules_approve(version.form)
    release = Release.objects.create(
        form=version.form,
        state=Release.State.APPROVED,
        content_hash="-",
        record_ids=[],
        risk={},
        rule_sets={},
        opened_by=dpo,
        approved_by=dpo,
    )
    ReleasedRecord.objects.create(
        release=release,
        record_id=uuid.uuid4(),
        version=version,
        month="2026-10",
        data={"last": 3, "about/inside": "yes", "first": 1},
    )

    assert records_columns(version.form, release) == ["first", "about/inside", "last"]


def _zip(client, project, **query) -> zipfile.ZipFile:
    response = client.get(f"/projects/{project.pk}/results/privacy_test/records.zip", query)
    assert response.status_code == 200, response.content[:300]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_records_download_has_labels_and_repeats_in_a_linked_file(
    client, project, analyst, released_form
):
    """Finding: records.csv had codes without labels and repeats reduced to "2 row(s)"."""
    microdata_approve(latest_approved(released_form))
    client.force_login(analyst)

    archive = _zip(client, project, language="English (en)")

    assert sorted(archive.namelist()) == ["codebook.csv", "records.csv", "repeat-members.csv"]
    records = _rows(archive, "records.csv")
    header, body = records[0], records[1:]
    assert len(body) == 12
    assert header[:2] == ["record", "month"]
    assert "Sex" in header
    assert "Needs" in header
    assert header.index("Sex") < header.index("Needs")
    sexes = {row[header.index("Sex")] for row in body}
    assert sexes <= {"Male", "Female", "[withheld]"}
    assert "Male" in sexes
    assert not any("row(s)" in cell for row in body for cell in row)
    repeats = _rows(archive, "repeat-members.csv")
    assert repeats[0][:2] == ["record", "row"]
    assert "Member age" in repeats[0]
    ids = {row[0] for row in body}
    assert {row[0] for row in repeats[1:]} <= ids  # each repeat row links to its record
    assert len(repeats) - 1 == 2 * 12  # two household members per record
    assert "Ahmad" not in archive.read("records.csv").decode()
    assert "Leila" not in archive.read("repeat-members.csv").decode()
    codebook = _rows(archive, "codebook.csv")
    assert ["records.csv", "sex", "", "", "male", "Male"] in codebook


def test_the_records_download_is_refused_without_the_dpos_approval(
    client, project, analyst, released_form
):
    client.force_login(analyst)

    response = client.get(f"/projects/{project.pk}/results/privacy_test/records.zip")

    assert response.status_code == 403
    assert "not approved" in response.content.decode()
