"""records.xlsx (issue 19): the released records of records.csv as a workbook that streams, for
analysts who open Excel rather than a CSV; same approval, audit, markers and records left out."""

import csv
import io

import pytest
from openpyxl import load_workbook

from audit.models import AuditEvent
from privacy.models import ReleasedRecord
from privacy.review import latest_approved
from results import records_xlsx as module
from results.microdata import NOTE
from results.records import records_csv
from results.released import Filters
from tests.factories import microdata_approve

pytestmark = pytest.mark.django_db


def url(project, name: str) -> str:
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/{name}"


def _workbook(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def _csv(form, release) -> list[list[str]]:
    text = "".join(records_csv(form, Filters(), release)).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _cells(sheet) -> list[list[str]]:
    """A sheet's values as records.csv writes them (numbers as text, empty as "")."""
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_holds_the_records_of_records_csv_and_an_about_sheet(
    api, project, analyst, released_form
):
    """An analyst gets in Excel exactly what records.csv holds (same record ids, columns,
    [withheld] markers, records left out), the header frozen, and an "About" sheet naming the
    release and explaining the markers; the download is audited as records, format xlsx."""
    release = microdata_approve(latest_approved(released_form))
    left_out = ReleasedRecord.objects.filter(release=release).first()
    release.microdata_risk = {"excluded_ids": [str(left_out.record_id)]}
    release.save(update_fields=["microdata_risk"])
    hidden = ReleasedRecord.objects.filter(release=release).exclude(pk=left_out.pk).first()
    hidden.data.pop("sex", None)
    hidden.suppressed = ["sex"]
    hidden.save(update_fields=["data", "suppressed"])

    response = api.as_user(analyst).get(url(project, "records.xlsx"))

    assert response["Content-Type"] == module.CONTENT_TYPE
    assert response["X-Waypoint-Note"] == NOTE
    assert 'filename="privacy_test-records.xlsx"' in response["Content-Disposition"]
    book = _workbook(response)
    assert book.sheetnames == ["Records", "About"]
    rows = _cells(book["Records"])
    expected = _csv(released_form, release)
    assert rows[0] == expected[0]
    assert sorted(rows[1:]) == sorted(expected[1:])
    assert len(rows) == 12  # twelve released, one left out by the risk report
    assert "[withheld]" in rows[1 + [r[0] for r in rows[1:]].index(_csv_id(expected, hidden))]
    about = [v for row in _cells(book["About"]) for v in row]
    assert NOTE in about
    assert str(release.pk) in about
    event = AuditEvent.objects.get(action="download.records")
    assert (event.details["format"], event.details["release"]) == ("xlsx", release.pk)


def _csv_id(rows: list[list[str]], record: ReleasedRecord) -> str:
    """The row id records.csv gives ``record``: the one row whose sex is [withheld]."""
    sex = rows[0].index("sex")
    return next(row[0] for row in rows[1:] if row[sex] == "[withheld]")


def test_the_workbook_is_refused_without_the_dpos_approval(api, project, analyst, released_form):
    """Row-level records stay tables-only until a DPO approves them, in Excel as in CSV."""
    response = api.as_user(analyst).get(url(project, "records.xlsx"))

    assert response.status_code == 403
    assert response.json()["code"] == "microdata.not_approved"
    assert not AuditEvent.objects.filter(action="download.records").exists()


def test_text_that_would_break_or_run_in_a_spreadsheet_is_written_safely(
    api, project, analyst, released_form
):
    """Free text typed on a tablet may hold XML's own characters, characters XML forbids, or a
    formula: the workbook still opens, shows the text, and never runs it."""
    release = microdata_approve(latest_approved(released_form))
    record = ReleasedRecord.objects.filter(release=release).first()
    record.data["story"] = '=HYPERLINK("x") <b>&amp; "quoted"\x07 and more'
    record.save(update_fields=["data"])

    book = _workbook(api.as_user(analyst).get(url(project, "records.xlsx")))

    values = {v for row in _cells(book["Records"]) for v in row}
    assert '\'=HYPERLINK("x") <b>&amp; "quoted" and more' in values


def test_records_past_excels_row_limit_go_on_to_another_sheet(
    api, project, analyst, released_form, monkeypatch
):
    """Excel reads at most 1,048,576 rows a sheet: further records continue on "Records 2",
    with the header repeated, none lost (the limit is lowered here to keep the test small)."""
    microdata_approve(latest_approved(released_form))
    monkeypatch.setattr(module, "SHEET_ROWS", 5)
    monkeypatch.setattr(module, "CHUNK", 4)

    book = _workbook(api.as_user(analyst).get(url(project, "records.xlsx")))

    assert book.sheetnames == ["Records", "Records 2", "Records 3", "About"]
    sheets = [_cells(book[name]) for name in book.sheetnames[:3]]
    assert [len(rows) - 1 for rows in sheets] == [5, 5, 2]
    assert sheets[0][0] == sheets[1][0] == sheets[2][0]
    ids = [row[0] for rows in sheets for row in rows[1:]]
    assert len(set(ids)) == 12


def test_a_sheet_moves_on_before_zip_would_refuse_to_close_it(
    api, project, analyst, released_form, monkeypatch
):
    """A very large export never ends as a truncated file: a sheet is closed and the next one
    begun well before the 2 GiB a zip member may hold without zip64 (the byte limit is
    lowered here to keep the test small; every record still arrives once)."""
    import zipfile

    assert module.SHEET_BYTES + 64 * 1024 * 1024 < zipfile.ZIP64_LIMIT
    microdata_approve(latest_approved(released_form))
    monkeypatch.setattr(module, "SHEET_BYTES", 1)
    monkeypatch.setattr(module, "CHUNK", 5)

    book = _workbook(api.as_user(analyst).get(url(project, "records.xlsx")))

    sheets = [_cells(book[name]) for name in book.sheetnames if name != "About"]
    assert len(sheets) > 1
    ids = [row[0] for rows in sheets for row in rows[1:]]
    assert len(ids) == len(set(ids)) == 12


def test_the_first_bytes_leave_before_any_record_is_read(project, released_form, dpo):
    """A large export starts downloading at once: the workbook's opening parts are sent on
    their own, before any record is written, so the browser never waits on the whole file."""
    release = microdata_approve(latest_approved(released_form))
    stream = module.records_xlsx(released_form, Filters(), release)

    first = next(stream)

    assert first.startswith(b"PK")
    assert b"[Content_Types].xml" in first
    assert b"xl/worksheets" not in first
    rest = b"".join(stream)
    assert rest[-22:].startswith(b"PK\x05\x06")  # the zip's end of central directory


def test_an_unanswered_question_is_an_empty_cell_and_a_withheld_one_says_so(
    api, project, analyst, released_form
):
    """An analyst must tell "not answered" from "withheld for privacy": a question a record
    never answered is an empty cell, one disclosure control withheld reads [withheld], and
    the record's other answers stay in their own columns, numbers as numbers."""
    release = microdata_approve(latest_approved(released_form))
    unanswered, withheld = ReleasedRecord.objects.filter(release=release)[:2]
    unanswered.data.pop("sex")
    unanswered.save(update_fields=["data"])
    withheld.data.pop("sex")
    withheld.data["age"] = 41  # a number in the record: a number in the cell
    withheld.suppressed = ["sex"]
    withheld.save(update_fields=["data", "suppressed"])

    book = _workbook(api.as_user(analyst).get(url(project, "records.xlsx")))

    rows = list(book["Records"].iter_rows(values_only=True))
    header, records = rows[0], rows[1:]
    sex, age = header.index("sex"), header.index("age")
    assert sorted(str(row[sex]) for row in records if row[sex] in (None, "[withheld]")) == [
        "None",
        "[withheld]",
    ]
    assert next(row[age] for row in records if row[sex] == "[withheld]") == 41
    assert all(row[age] is not None for row in records)  # after an empty cell too
    expected = _csv(released_form, release)
    assert sorted(_cells(book["Records"])[1:]) == sorted(expected[1:])


def test_a_download_the_client_leaves_stops_reading_the_records(project, released_form, dpo):
    """A browser closed half-way must not leave a thread reading records or a transaction
    open on the web process's connection: the next request on it works as usual."""
    import threading

    from django.db import connection

    release = microdata_approve(latest_approved(released_form))
    stream = module.records_xlsx(released_form, Filters(), release)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "CHUNK", 2)
        next(stream), next(stream)
        stream.close()

    assert not [t for t in threading.enumerate() if t.name == "records-fetch"]
    assert not connection.needs_rollback
    assert ReleasedRecord.objects.filter(release=release).count() == 12


@pytest.mark.django_db(transaction=True)
def test_records_written_by_two_database_processes_arrive_once_each(
    api, project, analyst, released_form
):
    """Outside a test transaction PostgreSQL writes a download's rows in two processes, each a
    share of the records: every record still arrives exactly once, in CSV and workbook alike,
    with the same values as when one process writes them all."""
    from django.db import connection

    from results import records

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL writes the rows itself")
    release = microdata_approve(latest_approved(released_form))
    assert records.PARTS == 2
    assert not connection.in_atomic_block

    in_parts = _csv(released_form, release)
    book = _workbook(api.as_user(analyst).get(url(project, "records.xlsx")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "PARTS", 1)
        whole = _csv(released_form, release)

    assert in_parts[0] == whole[0]
    assert sorted(in_parts[1:]) == sorted(whole[1:])
    assert len({row[0] for row in in_parts[1:]}) == len(in_parts) - 1 == 12
    assert sorted(_cells(book["Records"])[1:]) == sorted(whole[1:])


@pytest.mark.django_db(transaction=True)
def test_downloads_past_the_two_part_limit_read_in_one_part(released_form):
    """Each two-part download holds one more PostgreSQL connection while the client reads: past
    ``TWO_PART_DOWNLOADS`` at once, a download reads in one part, whole and the same, and the
    slots come back when downloads end."""
    from django.db import connection

    from results import records

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL writes the rows itself")
    release = microdata_approve(latest_approved(released_form))
    whole = _csv(released_form, release)
    taken = 0
    while records.TWO_PART_DOWNLOADS.acquire(blocking=False):
        taken += 1
    try:
        crowded = _csv(released_form, release)
    finally:
        for _ in range(taken):
            records.TWO_PART_DOWNLOADS.release()

    assert taken == 2
    assert crowded[0] == whole[0]
    assert sorted(crowded[1:]) == sorted(whole[1:])  # two parts interleave their rows
    assert records.TWO_PART_DOWNLOADS.acquire(blocking=False)  # nothing kept by the downloads
    records.TWO_PART_DOWNLOADS.release()
