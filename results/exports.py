"""Downloads: tables as CSV (UTF-8 with a BOM, so Excel shows Arabic), XLSX and JSON. Cells that
a spreadsheet would run as formulas are neutralised. The released records' exports are in
``results.records`` (re-exported here for the API and the benches)."""

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook

from lib.spreadsheets import neutralise
from results.lattice.report import summary
from results.records import BOM, records_columns, records_csv
from results.tables import METHOD, MISSING_LABEL, Table

__all__ = ["BOM", "records_columns", "records_csv", "tables_csv", "tables_xlsx"]


WITHHELD = "[withheld]"
LEGEND = (
    f"{WITHHELD} marks a count withheld for privacy: it is neither zero nor missing. "
    f'"{MISSING_LABEL}" is a row of its own: people who did not answer the question.'
)


def _shown(value: int | None) -> int | str:
    return WITHHELD if value is None else value


def _rows(table: Table) -> Iterator[list]:
    data = table.as_dict()
    yield [table.title]
    yield ["", *data["columns"], "Total"]
    for label, cells, total in zip(data["rows"], data["cells"], data["row_totals"], strict=True):
        yield [label, *(_shown(c) for c in cells), _shown(total)]
    yield ["Total", *(_shown(c) for c in data["column_totals"]), _shown(data["total"])]
    for note in data["notes"]:
        yield [note]


def tables_csv(tables: list[Table]) -> str:
    """Tables one under the other; the method and the withheld marker explained once, at the
    end."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    for table in tables:
        for row in _rows(table):
            writer.writerow([neutralise(cell) for cell in row])
        writer.writerow([])
    if tables:
        writer.writerow([METHOD.format(threshold=tables[0].threshold)])
        writer.writerow([LEGEND])
    return buffer.getvalue()


def tables_xlsx(tables: list[Table], report: dict | None = None) -> bytes:
    """One sheet per table, and "About suppression": the method, the withheld marker, and the
    release's utility report (cells withheld per table and level) when given."""
    workbook = Workbook(write_only=True)
    for index, table in enumerate(tables, start=1):
        sheet = workbook.create_sheet(f"Table {index}")
        for row in _rows(table):
            sheet.append([neutralise(cell) for cell in row])
    about = workbook.create_sheet("About suppression")
    threshold = tables[0].threshold if tables else 5
    about.append(["How these tables protect the people who answered"])
    about.append([METHOD.format(threshold=threshold)])
    about.append([LEGEND])
    if report:
        about.append([])
        about.append(["Cells withheld in this release, per table and level"])
        for row in summary(report):
            about.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
