"""A form author fixes a workbook in one go: every problem of an upload comes at once, each with
its sheet, row and column; ODK Validate's Java is turned into words; formula cells are read
through the values the spreadsheet saved, and a workbook saved without them says so."""

import io
import re
import zipfile

import pytest

from forms.models import Form
from tests.forms.helpers import upload
from tests.xlsform import simple_form, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api, form_manager):
    return api.as_user(form_manager)


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook as Excel or LibreOffice saves it: each formula cell ("C2") carries the value
    last computed. openpyxl writes formulas without values, as a script would."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = content.decode()
                for cell, value in values.items():
                    text = re.sub(
                        rf'<c r="{cell}"><f>(.*?)</f><v></v></c>',
                        rf'<c r="{cell}" t="str"><f>\1</f><v>{value}</v></c>',
                        text,
                    )
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_every_problem_of_a_workbook_comes_at_once_with_its_cell(client, project):
    form = simple_form(
        extra_rows=[
            ["select_one colours", "colour", "Colour", "keep"],  # row 5
            ["calculate", "total", None, "keep"],  # row 6
            ["text", "school", None, "free_text"],  # row 7: no label
            ["integer", "age", "Age again", "keep"],  # row 8: name taken on row 3
        ]
    )
    form["survey"][0].append("relevant")
    form["survey"].append(["text", "why", "Why?", "free_text", "${agee} > 3"])  # row 9

    response = upload(client, project, "f.xlsx", xlsx(form))

    assert response.status_code == 400
    cells = {(p["code"], p["sheet"], p["row"], p["column"]) for p in response.json()["problems"]}
    assert cells >= {
        ("xlsform.unknown_choice_list", "survey", 5, "type"),
        ("xlsform.no_calculation", "survey", 6, "calculation"),
        ("xlsform.no_label", "survey", 7, "label"),
        ("xlsform.duplicate_name", "survey", 8, "name"),
        ("xlsform.unknown_reference", "survey", 9, "relevant"),
    }
    assert not Form.objects.exists()


def test_odk_validate_speaks_to_the_form_author_not_in_java(client, project, java):
    form = {
        "survey": [
            ["type", "name", "label", "relevant"],
            ["integer", "age", "Age", None],
            ["text", "school", "School", "${age} < = 18"],
            ["text", "work", "Work", "foo(${age})"],
        ]
    }

    problems = upload(client, project, "f.xlsx", xlsx(form)).json()["problems"]

    text = " ".join(p["message"] for p in problems)
    assert "org.javarosa" not in text
    assert "@" not in text
    assert "broke the parser" not in text
    school = next(p for p in problems if p["row"] == 3)
    assert school["column"] == "relevant"
    assert "“<=”" in school["message"]


def test_formula_cells_are_read_through_their_saved_values(client, project):
    form = simple_form(extra_rows=[["note", "welcome", '="Wel"&"come"', "keep"]])
    data = with_cached_values(xlsx(form), {"C5": "Welcome"})

    response = upload(client, project, "f.xlsx", data)

    assert response.status_code == 201, response.json()


def test_a_formula_saved_without_its_value_is_named_with_its_cell(client, project):
    form = simple_form(extra_rows=[["calculate", "total", None, "keep"]])
    form["survey"][0].append("calculation")
    form["survey"][-1].append("=1+1")  # an Excel formula where an XPath expression belongs

    problems = upload(client, project, "f.xlsx", xlsx(form)).json()["problems"]

    first = problems[0]
    assert first["code"] == "xlsform.formula_without_value"
    assert (first["sheet"], first["row"], first["column"]) == ("survey", 5, "calculation")
    assert "save it again" in first["message"]
