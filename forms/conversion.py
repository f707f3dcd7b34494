"""The one door to pyxform: XLSForm bytes in, XForm bytes and located problems out.

pyxform reports most problems as text ("[row : 3] On the 'survey' sheet, the 'name' value ...");
some carry a structured context, some name nothing. Every problem leaves here with the sheet, row
and column where they can be known, so a form manager can go straight to the cell.
"""

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.validators.odk_validate import ODKValidateError, check_xform
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import external_choices_to_csv, has_external_choices

from forms.problems import Finding, FormRejected
from forms.validate_messages import validate_findings
from forms.workbook_checks import formula_findings, survey_findings
from lib.problems import interpolate

ROOT_NAME = "data"
ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
SHEET_COLUMN = re.compile(r"On the '([\w-]+)' sheet, the '([^']+)' value")
SHEET_NAMED = re.compile(r"sheet:?\s*'([\w-]+)'")
UNKNOWN_TYPE = re.compile(r"Unknown question type '([^']+)'")


@dataclass(frozen=True)
class SurveyRow:
    """A question row of the survey sheet, for locating problems and reading `privacy`."""

    row: int
    type: str
    name: str
    privacy: str


@dataclass
class ConvertedXLSForm:
    xform: bytes
    warnings: list[Finding]
    rows: dict[str, SurveyRow]
    itemsets_csv: bytes | None


def convert_xlsform(data: bytes, *, file_type: str) -> ConvertedXLSForm:
    """Convert an .xlsx/.xls XLSForm. Raises ``FormRejected`` with every problem found."""
    try:
        definition = get_xlsform(xlsform=BytesIO(data), file_type=file_type)
    except Exception as exc:
        raise FormRejected(
            [
                Finding(
                    "xlsform.unreadable",
                    interpolate(_("The workbook could not be read: %(why)s"), why=exc),
                )
            ]
        ) from exc
    rows = survey_rows(definition.survey or [])
    # Every problem at once: the workbook checks see the whole sheet, pyxform stops at its first.
    found = formula_findings(data) if file_type == ".xlsx" else []
    found += survey_findings(list(definition.survey or []), list(definition.choices or []))
    warnings: list[str] = []
    try:
        survey_json = workbook_to_json(
            workbook_dict=definition,
            form_name=ROOT_NAME,
            fallback_form_name=definition.fallback_form_name,
            warnings=warnings,
        )
        itemsets = (
            external_choices_to_csv(workbook_dict=definition)
            if has_external_choices(json_struct=survey_json)
            else None
        )
        survey = create_survey_element_from_dict(survey_json)
        if found:
            raise FormRejected(found)
        xform = survey.to_xml(validate=_run_odk_validate(), warnings=warnings)
    except ODKValidateError as exc:
        raise FormRejected(validate_findings(str(exc), rows)) from exc
    except PyXFormError as exc:
        raise FormRejected(_merged(found, _problem(exc, rows))) from exc
    return ConvertedXLSForm(
        xform=xform.encode("utf-8"),
        warnings=[_warning(text) for text in warnings],
        rows={path: row for path, row in rows.items()},
        itemsets_csv=itemsets.encode("utf-8") if itemsets else None,
    )


def _merged(found: list[Finding], pyxform: Finding) -> list[Finding]:
    """The workbook checks' findings, and pyxform's unless it is about a cell already named."""
    cells = {(f.sheet, f.row) for f in found}
    if (pyxform.sheet, pyxform.row) in cells or (found and pyxform.row is None):
        return found
    return [*found, pyxform]


def _run_odk_validate() -> bool:
    mode = str(settings.WAYPOINT_ODK_VALIDATE).lower()
    if mode == "auto":
        return shutil.which("java") is not None
    return mode in {"1", "true", "yes", "on"}


def survey_rows(survey: list[dict]) -> dict[str, SurveyRow]:
    """Question rows by instance path; rows are numbered as the spreadsheet shows them."""
    rows: dict[str, SurveyRow] = {}
    stack: list[str] = []
    for number, raw in enumerate(survey, start=2):
        cells = {str(key).strip().lower(): str(value).strip() for key, value in raw.items()}
        qtype = re.sub(r"[\s_]+", " ", cells.get("type", "")).strip().lower()
        name = cells.get("name", "")
        if qtype in {"begin group", "begin repeat"}:
            stack.append(name)
            continue
        if qtype in {"end group", "end repeat"}:
            if stack:
                stack.pop()
            continue
        if not qtype or not name:
            continue
        path = "/".join(["", ROOT_NAME, *stack, name])
        rows[path] = SurveyRow(number, qtype, name, cells.get("privacy", ""))
    return rows


def _row_of_name(rows: dict[str, SurveyRow], name: str) -> int | None:
    return next((row.row for row in rows.values() if row.name == name), None)


def _problem(exc: PyXFormError, rows: dict[str, SurveyRow]) -> Finding:
    message = str(exc)
    context = exc.context or {}
    code = f"pyxform.{exc.code.name}" if exc.code else "xlsform.invalid"
    row = context.get("row")
    sheet = context.get("sheet")
    column = context.get("column")
    if row is None and (match := ROW.search(message)):
        row = int(match.group(1))
    if match := SHEET_COLUMN.search(message):
        sheet, column = sheet or match.group(1), column or match.group(2)
    elif match := SHEET_NAMED.search(message):
        sheet = sheet or match.group(1)
    if match := UNKNOWN_TYPE.search(message):
        wanted = match.group(1).strip().lower()
        row = next((r.row for r in rows.values() if r.type == wanted), row)
        sheet, column, code = "survey", "type", "xlsform.unknown_type"
    if "There should be a choices sheet" in message:
        sheet = "choices"
        select = next((r for r in rows.values() if r.type.startswith("select")), None)
        if select is not None:
            message += f" (The survey sheet uses a choice list on row {select.row}.)"
    elif "required column headers" in message:
        row = row or 1
    if row is not None and sheet is None:
        sheet = "survey"
    return Finding(code, message, sheet=sheet, row=row, column=column)


def _warning(text: str) -> Finding:
    match = ROW.search(text)
    row = int(match.group(1)) if match else None
    sheet_column = SHEET_COLUMN.search(text)
    return Finding(
        "pyxform.warning",
        text,
        level="warning",
        sheet=sheet_column.group(1) if sheet_column else ("survey" if row else None),
        row=row,
        column=sheet_column.group(2) if sheet_column else None,
    )


def validate_xform(data: bytes) -> None:
    """Run an uploaded XForm through ODK Validate, as pyxform does for converted forms."""
    if not _run_odk_validate():
        return
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as handle:
        handle.write(data)
    try:
        check_xform(handle.name)
    except ODKValidateError as exc:
        raise FormRejected(validate_findings(str(exc), {})) from exc
    finally:
        os.unlink(handle.name)
