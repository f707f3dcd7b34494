"""Build real XLSForm workbooks in tests: sheets as lists of rows, first row the header."""

from io import BytesIO

import openpyxl
import xlwt


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls(sheets: dict[str, list[list]]) -> bytes:
    """The legacy Excel 97 format some National Societies still send."""
    workbook = xlwt.Workbook(encoding="utf-8")
    for title, rows in sheets.items():
        sheet = workbook.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def simple_form(form_id: str = "simple", version: str = "1", extra_rows=(), privacy=True) -> dict:
    header = ["type", "name", "label", "privacy"] if privacy else ["type", "name", "label"]
    rows = [
        ["text", "full_name", "Name", "direct"],
        ["integer", "age", "Age", "quasi band:10"],
        ["select_one yes_no", "consent", "Consent?", "keep"],
        *extra_rows,
    ]
    if not privacy:
        rows = [row[:3] for row in rows]
    return {
        "survey": [header, *rows],
        "choices": [
            ["list_name", "name", "label"],
            ["yes_no", "yes", "Yes"],
            ["yes_no", "no", "No"],
        ],
        "settings": [["form_id", "version", "form_title"], [form_id, version, f"Form {form_id}"]],
    }
