"""Whatever anyone types into a form, no download runs it as a spreadsheet formula (CSV
injection). Formulas are planted in free text and in select answers through real submissions,
released by a DPO, and downloaded as every export offers them: released records (CSV, written
by PostgreSQL itself there), tables (CSV and XLSX) and the DPO's audit log (CSV)."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import TestCase

from forms.models import Form
from lib.spreadsheets import TRIGGERS
from privacy.review import release_approve, release_open
from tests.factories import microdata_approve
from tests.hostile.world import submit_as_device
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil","x")'
PLANTED = {
    "story": HYPERLINK,  # free text (redacted, yet still a formula)
    "unclassified": "+cmd|' /C calc'!A0",  # free text by default (DDE)
    "sex": "@SUM(A1)",  # a select_one answer no choice list names
    "legal_status": "-1+1",
    "needs": "+cmd -2+3",  # a select_multiple: two answers (kept as a sorted set)
}


def planted_instance(instance_id: str) -> bytes:
    xml = privacy_instance(instance_id, story=PLANTED["story"], sex=PLANTED["sex"]).decode()
    xml = xml.replace("<needs>shelter food</needs>", f"<needs>{PLANTED['needs']}</needs>")
    xml = xml.replace(
        "<legal_status>asylum</legal_status>",
        f"<legal_status>{PLANTED['legal_status']}</legal_status>",
    )
    xml = xml.replace(
        "<unclassified>My friend Ahmad Karimi helped</unclassified>",
        f"<unclassified>{PLANTED['unclassified']}</unclassified>",
    )
    return xml.encode()


@pytest.fixture
def planted(world, client):
    """Five such submissions (a group large enough to be released whole), released."""
    url = world.submission_url("token")
    with TestCase.captureOnCommitCallbacks(execute=True):
        for n in range(5):
            assert submit_as_device(client, url, planted_instance(f"uuid:f{n}")).status_code == 201
    dpo = User.objects.get(username=world.username)
    release = release_open(form=Form.objects.get(form_id=world.form_id), user=dpo)
    release_approve(release=release, user=dpo, approved_hash=release.content_hash)
    microdata_approve(release, dpo)
    return world


def download(client, world, path: str) -> bytes:
    response = client.get(world.api(path), HTTP_AUTHORIZATION=f"Token {world.token}")
    assert response.status_code == 200, response.content[:300]
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def assert_inert(cells: list, must_show: list[str]) -> None:
    """No cell starts like a formula; the planted values are there, as text."""
    live = [c for c in cells if isinstance(c, str) and c.startswith(TRIGGERS)]
    assert live == []
    for value in must_show:
        assert any(isinstance(c, str) and c.startswith("'" + value) for c in cells), value


def test_released_records_csv_shows_formulas_as_text(planted, client):
    cells = csv_cells(download(client, planted, f"/forms/{planted.form_id}/results/records.csv"))

    assert_inert(cells, ["=HYPERLINK(", *list(PLANTED.values())[1:]])


@pytest.mark.parametrize("row", ["sex", "legal_status", "needs"])
def test_table_csv_shows_formulas_as_text(planted, client, row):
    path = f"/forms/{planted.form_id}/results/table?row={row}&format=csv"

    cells = csv_cells(download(client, planted, path))

    assert_inert(cells, [PLANTED[row].split()[0]])


def test_tables_xlsx_hold_no_formula(planted, client):
    path = f"/forms/{planted.form_id}/results/tables?row=needs&columns=sex,legal_status&format=xlsx"

    workbook = openpyxl.load_workbook(io.BytesIO(download(client, planted, path)))

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert_inert([c.value for c in cells], [PLANTED["sex"], PLANTED["legal_status"]])


def test_audit_log_csv_shows_a_formula_reason_as_text(world, client):
    raw = f"/forms/{world.form_id}/submissions/{world.instance_id}/xml?reason={HYPERLINK}"
    download(client, world, raw)
    client.force_login(User.objects.get(username=world.username))

    response = client.get(f"/projects/{world.project_id}/audit/?format=csv")

    assert_inert(csv_cells(response.content), [HYPERLINK])
