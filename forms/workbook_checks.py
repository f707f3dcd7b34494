"""Checks run over a whole workbook before pyxform, so that a form author sees every problem of
an upload at once, each with its sheet, row and column. pyxform stops at the first error it
meets; these checks cover the mistakes authors make most (a question without a label, a
calculate without a calculation, a choice list or a ``${name}`` that does not exist, a name used
twice, a formula saved without its value), and pyxform still has the last word on the rest.
"""

import re
from io import BytesIO
from typing import Any

import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from forms.problems import Finding
from lib.problems import interpolate

REFERENCE = re.compile(r"\$\{([^}]*)\}")
SELECT = re.compile(r"^(select_one|select_multiple|rank)\s+(\S+)(\s+or_other)?$")
# Columns holding expressions or text that may name other questions.
REFERENCING = ("relevant", "constraint", "calculation", "required", "read_only", "choice_filter",
               "default", "trigger", "repeat_count", "label", "hint", "constraint_message",
               "required_message")  # fmt: skip
# Types shown to the volunteer: each needs a label (or a hint, or a media label).
SHOWN = {"text", "integer", "decimal", "date", "time", "datetime", "geopoint", "geotrace",
         "geoshape", "image", "audio", "video", "file", "barcode", "acknowledge", "note",
         "range", "trigger", "select_one", "select_multiple", "rank",
         "select_one_from_file", "select_multiple_from_file"}  # fmt: skip
LABEL_COLUMNS = ("label", "hint", "image", "big-image", "audio", "video", "media")


def _base(column: str) -> str:
    """``label::Français (fr)`` → ``label``."""
    return column.split("::", 1)[0].strip().lower()


def _type_of(cells: dict) -> str:
    return re.sub(r"[\s_]+", "_", str(cells.get("type", "")).strip().lower())


def formula_findings(data: bytes) -> list[Finding]:
    """Formula cells are read through the value the spreadsheet program saved with them; a
    workbook written by a script (or never opened in Excel or LibreOffice) has formulas and no
    values, which pyxform would read as empty cells."""
    try:
        formulas = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=False)
        values = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return []
    findings = []
    for sheet in formulas.worksheets:
        header: list[str] = []
        cached_rows = values[sheet.title].iter_rows(values_only=True)
        for number, (row, cached) in enumerate(
            zip(sheet.iter_rows(values_only=True), cached_rows, strict=False), start=1
        ):
            if number == 1:
                header = [str(cell or "") for cell in row]
            for index, cell in enumerate(row):
                if isinstance(cell, str) and cell.startswith("=") and cached[index] is None:
                    column = header[index] if index < len(header) and header[index] else None
                    findings.append(
                        Finding(
                            "xlsform.formula_without_value",
                            interpolate(
                                _(
                                    "Cell %(cell)s holds the formula “%(formula)s” but the "
                                    "workbook was saved without its value, so it reads as "
                                    "empty. Open the workbook in Excel or LibreOffice and save "
                                    "it again (that stores the values), or type the value "
                                    "instead."
                                ),
                                cell=f"{get_column_letter(index + 1)}{number}",
                                formula=cell,
                            ),
                            sheet=sheet.title,
                            row=number,
                            column=column or get_column_letter(index + 1),
                        )
                    )
    formulas.close()
    values.close()
    return findings


def survey_findings(survey: list[dict], choices: list[dict]) -> list[Finding]:
    """Every common survey-sheet mistake, row by row (rows numbered as the spreadsheet shows
    them, the header being row 1)."""
    rows = [(number, {str(k).strip(): v for k, v in raw.items()})
            for number, raw in enumerate(survey, start=2)]  # fmt: skip
    if not any("type" in cells for _, cells in rows):
        return []  # no type column: pyxform names the missing header, row 1
    names = {str(cells.get("name", "")).strip() for _, cells in rows} - {""}
    lists = {str(row.get("list_name", "")).strip() for row in choices} - {""}
    findings: list[Finding] = []
    seen: dict[tuple[str, ...], int] = {}
    stack: list[str] = []

    def add(code: str, message: Any, number: int, column: str) -> None:
        findings.append(Finding(code, message, sheet="survey", row=number, column=column))

    for number, cells in rows:
        qtype = _type_of(cells)
        name = str(cells.get("name", "")).strip()
        if qtype in {"end_group", "end_repeat"}:
            if stack:
                stack.pop()
            continue
        if not qtype:
            if name or any(_base(c) == "label" for c in cells):
                add(
                    "xlsform.no_type",
                    interpolate(_("“%(name)s” has no type."), name=name)
                    if name
                    else _("This row has no type."),
                    number,
                    "type",
                )
            continue
        if name:
            key = (*stack, name.lower())
            if key in seen:
                add(
                    "xlsform.duplicate_name",
                    interpolate(
                        _(
                            "The name '%(name)s' is already used on row %(row)s; each question "
                            "needs its own name."
                        ),
                        name=name,
                        row=seen[key],
                    ),
                    number,
                    "name",
                )
            seen.setdefault(key, number)
        if qtype in {"begin_group", "begin_repeat"}:
            stack.append(name)
        select = SELECT.match(str(cells.get("type", "")).strip())
        if select and lists and select.group(2) not in lists:
            add(
                "xlsform.unknown_choice_list",
                interpolate(
                    _(
                        "“%(name)s” uses the choice list “%(list)s”, which the choices sheet "
                        "does not have (check its list_name column)."
                    ),
                    name=name,
                    list=select.group(2),
                ),
                number,
                "type",
            )
        base_type = qtype
        if select:
            base_type = select.group(1)
        elif qtype.startswith(("select_one_", "select_multiple_")):
            base_type = "select_one"  # select_one_from_file and the like
        if base_type in SHOWN and name and not _has_label(cells):
            add(
                "xlsform.no_label",
                interpolate(
                    _(
                        "“%(name)s” has no label: volunteers would see an empty question. Give "
                        "it a label (in every language column you use)."
                    ),
                    name=name,
                ),
                number,
                "label",
            )
        if qtype == "calculate" and not str(cells.get("calculation", "")).strip():
            add(
                "xlsform.no_calculation",
                interpolate(
                    _(
                        "The calculate “%(name)s” has no calculation: write its expression in "
                        "the calculation column."
                    ),
                    name=name,
                ),
                number,
                "calculation",
            )
        for column, value in cells.items():
            if _base(column) not in REFERENCING:
                continue
            for ref in REFERENCE.findall(str(value)):
                if ref.strip().removeprefix("last-saved#") not in names:
                    add(
                        "xlsform.unknown_reference",
                        interpolate(
                            _(
                                "The %(column)s of “%(name)s” refers to ${%(reference)s}, but no "
                                "question is named “%(reference)s”."
                            ),
                            column=_base(column),
                            name=name or qtype,
                            reference=ref,
                        ),
                        number,
                        column,
                    )
    return findings


def _has_label(cells: dict) -> bool:
    return any(
        _base(column) in LABEL_COLUMNS and str(value).strip() for column, value in cells.items()
    )
