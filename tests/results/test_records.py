"""The released records, row by row (issue 17): columns in the order the questionnaire asks
them, groups included; a download for people with labels in the chosen language and each repeat
as a second file linked by the record id."""

import csv
import io
import uuid
import zipfile

import pytest
from django.db import connection
from openpyxl import load_workbook

from forms.services import form_upload
from privacy.models import Release, ReleasedRecord
from privacy.review import latest_approved
from results.records import records_columns, records_csv
from results.records_xlsx import records_xlsx
from results.released import Filters
from tests.factories import microdata_approve, rules_approve
from tests.factories.privacy import frozen_release
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
    release = frozen_release(version.form, dpo)
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


def test_the_records_download_has_labels_and_counts_repeat_rows(
    client, project, analyst, released_form
):
    """Finding: records.csv had codes without labels. Repeats stay a count of rows: a review
    found that a file of repeat rows (every household member's age, sex, nationality) would
    release what the DPO's microdata risk report never checked."""
    microdata_approve(latest_approved(released_form))
    client.force_login(analyst)

    archive = _zip(client, project, language="English (en)")

    assert sorted(archive.namelist()) == ["codebook.csv", "records.csv"]
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
    members = next(i for i, name in enumerate(header) if name.endswith("(rows)"))
    assert {row[members] for row in body} == {"2"}  # two household members per record
    assert "Ahmad" not in archive.read("records.csv").decode()
    assert "Leila" not in archive.read("records.csv").decode()
    codebook = _rows(archive, "codebook.csv")
    assert ["records.csv", "sex", "", "", "male", "Male"] in codebook


def test_the_records_download_is_refused_without_the_dpos_approval(
    client, project, analyst, released_form
):
    client.force_login(analyst)

    response = client.get(f"/projects/{project.pk}/results/privacy_test/records.zip")

    assert response.status_code == 403
    assert "not approved" in response.content.decode()


def _csv_ids(form, release) -> list[str]:
    text = "".join(records_csv(form, Filters(), release))
    return sorted(row[0] for row in list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:])


def test_record_ids_cannot_line_up_two_releases(client, project, analyst, released_form):
    """Review finding: records.csv printed each record's frozen id, the same in every release,
    so an analyst could line up two releases' files and see which records changed or left.
    The column is now a keyed hash per release: stable within one (records.csv and the repeat
    file of records.zip agree), unrelated across releases, never the stored id."""
    first = latest_approved(released_form)
    microdata_approve(first)
    second = Release.objects.get(pk=first.pk)
    second.pk = None
    second.save()
    ReleasedRecord.objects.bulk_create(
        ReleasedRecord(
            release=second,
            record_id=r.record_id,
            version_id=r.version_id,
            service_point_id=r.service_point_id,
            month=r.month,
            data=r.data,
            suppressed=r.suppressed,
        )
        for r in ReleasedRecord.objects.filter(release=first)
    )
    stored = {str(r) for r in ReleasedRecord.objects.values_list("record_id", flat=True)}

    in_first, in_second = _csv_ids(released_form, first), _csv_ids(released_form, second)

    assert len(in_first) == len(set(in_first)) == 12
    assert not set(in_first) & set(in_second)
    assert not set(in_first) & stored
    client.force_login(analyst)
    archive = _zip(client, project)
    assert sorted(row[0] for row in _rows(archive, "records.csv")[1:]) == in_second


def test_a_malformed_filter_on_the_records_download_is_a_refusal_not_a_cut_zip(
    client, project, analyst, released_form
):
    """Review finding: ?quarter=x raised inside the stream: a 200 with a truncated zip."""
    microdata_approve(latest_approved(released_form))
    client.force_login(analyst)

    response = client.get(
        f"/projects/{project.pk}/results/privacy_test/records.zip", {"quarter": "x"}
    )

    assert response.status_code == 400
    assert "quarter" in response.content.decode()


def test_a_release_keeps_its_columns_from_when_it_was_frozen(
    project, released_form, django_assert_num_queries
):
    """A download's header row leaves at once, however many records the release holds: the
    columns are stored when approval freezes the records, not found by reading every record
    on each download (which held the first byte of a million-record file for seconds)."""
    release = latest_approved(released_form)
    assert {"sex", "age"} <= set(release.columns or [])

    with django_assert_num_queries(0):
        columns = records_columns(released_form, release)

    header = next(csv.reader(io.StringIO("".join(records_csv(released_form, Filters(), release)))))
    assert (
        header == ["\ufeffrecord", "month", *columns] == ["\ufeffrecord", "month", *release.columns]
    )


def test_a_release_frozen_before_columns_were_stored_gets_them_on_its_first_download(
    project, released_form
):
    """Releases approved before the upgrade have no stored columns: the first download reads
    them from the records, as downloads always did, and stores them for the next ones."""
    release = latest_approved(released_form)
    stored = release.columns
    Release.objects.filter(pk=release.pk).update(columns=None)
    release.refresh_from_db()

    assert records_columns(released_form, release) == stored
    assert Release.objects.get(pk=release.pk).columns == stored


# Every kind of answer a record may hold, and the cell records.csv shows for it: text as typed
# (formulas neutralised), numbers as stored, lists of choices joined, repeats counted.
EVERY_KIND = [
    ("text", "text"),
    ("a, b", "a, b"),
    ('say "hi"', 'say "hi"'),
    ("line\nbreak", "line\nbreak"),
    ("=1+2", "'=1+2"),
    ("+x", "'+x"),
    ("@a", "'@a"),
    ("\tx", "'\tx"),
    ("-5", "'-5"),
    (-5, "-5"),
    (1.5, "1.5"),
    (12345678901234567890, "12345678901234567890"),
    ("2026-12", "2026-12"),
    ("[1]", "[1]"),
    ('["a"]', '["a"]'),
    ("{x}", "{x}"),
    (True, "true"),
    (None, ""),
    ([], ""),
    (["food"], "food"),
    (["food", "water"], "food water"),
    (["=x", "y"], "'=x y"),
    (["-1"], "'-1"),
    (["", "b"], " b"),
    (['a"b', "c"], 'a"b c'),
    (["a\\b"], "a\\b"),
    (["a\nb"], "a\nb"),
    (['a", "b'], 'a", "b'),
    ([1, 2], "1 2"),
    ([-1, "a"], "'-1 a"),
    (["a", None], "a"),
    ([True], "true"),
    ([[1, 2]], "[1, 2]"),
    ([{"k": 1}, {"k": 2}], "2 row(s)"),
    (["x", {"k": 1}], 'x {"k": 1}'),
    ({"a": 1}, '{"a": 1}'),
]


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_answer_is_written_as_analysts_read_it(released_form):
    """PostgreSQL writes records.csv's lines and the workbook's rows itself, telling most
    answers apart by their first character: whatever a record holds (text that looks like a
    number, a list or a formula; lists of choices with quotes, escapes or numbers; repeats),
    the cell reads as the table above, in two database processes as in one, a withheld value
    reads [withheld], and only numbers are numeric cells in the workbook."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL writes the rows itself")
    release = microdata_approve(latest_approved(released_form))
    key = release.columns[-1]
    model = ReleasedRecord.objects.filter(release=release).first()
    kinds = [*EVERY_KIND, ("hidden", "[withheld]")]
    ReleasedRecord.objects.bulk_create(
        ReleasedRecord(
            release=release,
            record_id=uuid.uuid4(),
            version_id=model.version_id,
            service_point_id=model.service_point_id,
            month="2099-01",
            data={key: value},
            suppressed=[key] if value == "hidden" else [],
        )
        for value, _ in kinds
    )

    text = "".join(records_csv(released_form, Filters(), release)).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    at = rows[0].index(key)
    written = sorted(row[at] for row in rows[1:] if row[1] == "2099-01")
    book = load_workbook(io.BytesIO(b"".join(records_xlsx(released_form, Filters(), release))))
    sheet = list(book["Records"].iter_rows(values_only=True))
    cells = [row[at] for row in sheet[1:] if row[1] == "2099-01"]

    assert written == sorted(cell for _, cell in kinds)
    assert sorted(type(cell).__name__ for cell in cells if not isinstance(cell, str | None)) == [
        "float",
        "int",
        "int",
    ]
    assert sorted(str(cell) for cell in cells if cell is not None) == sorted(
        cell for _, cell in kinds if cell
    )
