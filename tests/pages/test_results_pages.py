"""An analyst, in a real browser, opens the dashboard, filters it, and downloads a CSV and an
XLSX whose suppressed cells cannot be recovered from the totals."""

import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from results.suppression import SuppressedTable, recoverable_cells
from tests.plugins.browser import DOCS_SCREENSHOTS, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _published(sheet_rows) -> SuppressedTable:
    """Rebuild a published table from the spreadsheet, as an analyst (or an attacker) would."""
    body = [row for row in sheet_rows[2:] if row and row[0] not in (None, "Total")]
    totals = next(row for row in sheet_rows if row and row[0] == "Total")
    width = len(sheet_rows[1]) - 2

    def value(cell):
        return -1 if cell in (None, "") else int(cell)

    counts = np.array([[value(c) for c in row[1 : 1 + width]] for row in body], np.int64)
    return SuppressedTable(
        counts=counts,
        row_totals=np.array([value(row[1 + width]) for row in body], np.int64),
        col_totals=np.array([value(c) for c in totals[1 : 1 + width]], np.int64),
        grand_total=value(totals[1 + width]),
        primary=counts == -1,
        secondary=np.zeros_like(counts, dtype=bool),
    )


def test_analyst_filters_the_dashboard_and_downloads(page, live_server, project, analyst, released):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", analyst.username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.click("text=Results")
    page.locator("#chart-sex").wait_for()
    screenshot(page, "results-1-dashboard", DOCS_SCREENSHOTS)
    assert "withheld" in page.inner_text("#chart-age")  # issue 17: "withheld", as the design says

    page.select_option("select[name=form]", "privacy_test")  # the form picker chooses the address
    page.click("#analyse details.filter-box summary")  # issue 17: filters are selects
    page.select_option("select[name=country]", "IT")
    page.click("#analyse input[type=submit]")
    page.locator("#chart-sex").wait_for()
    assert "country=IT" in page.url
    assert f"/projects/{project.pk}/results/privacy_test/?" in page.url
    screenshot(page, "results-2-filtered", DOCS_SCREENSHOTS)

    with page.expect_download() as csv_download:
        page.click("#chart-sex >> text=CSV")
    csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    assert "Male" in csv_text
    assert "suppressed" in csv_text

    with page.expect_download() as xlsx_download:
        page.click("#download-xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert "About suppression" in workbook.sheetnames
    sheet_rows = list(workbook["Table 1"].iter_rows(values_only=True))
    assert recoverable_cells([_published(sheet_rows)]) == []
