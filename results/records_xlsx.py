"""``records.xlsx``: the released records of ``records.csv`` (same columns, codes, ``[withheld]``
markers, records left out) as a workbook, streamed in constant memory whatever the size.

openpyxl's write-only mode keeps memory flat but buffers each sheet in a temporary file and
zips it at ``save()``: the first byte would only leave once the last record was written. So the
workbook is written here as SpreadsheetML, part by part, into a zip written in one pass
(``results.records_labelled._Sink``, data descriptors, deflate level 1): strings inline (no
shared-string table to gather first), and on PostgreSQL each ``<row>`` is built by the
database, as ``records.csv``'s lines are. The parts that list the sheets (workbook and its
relationships) are written last, once the number of sheets is known; ``[Content_Types].xml``
maps every other ``.xml`` part to a worksheet, so it can be written first.

Excel reads at most 1,048,576 rows a sheet and reads zip64 only in a narrow form, so records go
on as many "Records" sheets as they need, each under both limits; an "About" sheet explains the
markers and names the release."""

import zipfile
from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.db import connection, transaction

from forms.models import Form
from lib.spreadsheets import neutralise
from privacy.models import Release
from results.microdata import NOTE, WITHHELD, microdata_records
from results.records import (
    NO_JIT,
    _flat,
    record_label,
    records_columns,
    records_values_sql,
    release_record_key,
)
from results.records_labelled import _Sink
from results.released import Filters

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_ROWS = 1_048_575  # Excel's limit, less the header row
# zipfile refuses to close a member past ``zipfile.ZIP64_LIMIT`` (2 GiB - 1) unless it was
# opened as zip64, a form Excel reads badly: by then the sheet is streamed and the download
# would end truncated. A sheet moves on well before (a batch adds a few MB at most).
SHEET_BYTES = 1_900_000_000
CHUNK = 1000  # rows per fetch and per flush of the stream: a few MB at a time
# Characters XML 1.0 forbids (tab, newline and carriage return are allowed).
CONTROL = "".join(map(chr, [*range(1, 9), 11, 12, *range(14, 32)]))
_UNPRINTABLE = dict.fromkeys(map(ord, "\x00" + CONTROL))

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
    f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# Two cell formats: plain, and bold for the header row.
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/>'
    '</font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill>'
    '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
FROZEN_HEADER = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
SHEET_START = (
    f'{HEAD}<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">'
    "{pane}</sheetView></sheetViews><sheetData>"
)
SHEET_END = "</sheetData></worksheet>"


# Cells carry their reference (r="C7"): the row number is written as ROW, a character XML
# forbids (so never in a value, which is cleaned of those), and replaced as the row is placed.
ROW = "\x01"


def _ref(i: int) -> str:
    """The reference of column i (0: A, 26: AA) in the row to come."""
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters + ROW


def _text(value: object, ref: str, style: str = "") -> str:
    text = escape(str(value).translate(_UNPRINTABLE))
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _cell(value: object, ref: str) -> str:
    """A value as ``records.csv`` writes it, numbers as numbers, text neutralised; nothing for
    no value (the next cell's reference says where it goes)."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return _text(neutralise(value), ref)


# Characters XML must not see raw: escaped, or dropped (those it forbids). Most answers have
# none, and a regular-expression test is far cheaper than the replacements over a long story.
_XML_SPECIAL = "E'[&<>" + "".join(f"\\x{ord(c):02x}" for c in CONTROL) + "]'"
_UNPRINTABLE_SQL = "E'[" + "".join(f"\\x{ord(c):02x}" for c in CONTROL) + "]'"


def _cell_sql(i: int) -> str:
    """Cell i of a ``<row>`` from ``records_values_sql`` (column i + 2): a number as a number;
    text inline, escaped; nothing for no answer."""
    text = f"v.c{i}"
    ref = _ref(i + 2).replace(ROW, "\\x01")
    escaped = (
        f"replace(replace(replace(regexp_replace({text}, {_UNPRINTABLE_SQL}, '', 'g'), "
        "'&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    )
    return (
        f"CASE WHEN v.n{i} THEN E'<c r=\"{ref}\"><v>' || {text} || '</v></c>' "
        f"WHEN {text} IS NULL THEN '' "
        f'ELSE E\'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">\' || '
        f"CASE WHEN {text} ~ {_XML_SPECIAL} THEN {escaped} ELSE {text} END "
        "|| '</t></is></c>' END"
    )


def _rows_postgresql(form: Form, filters: Filters, release: Release | None, columns: list[str]):
    """Batches of ``<row>`` bodies (the cells), built by PostgreSQL."""
    values, params = records_values_sql(form, filters, release, columns)
    first = (
        'E\'<c r="A\\x01" t="inlineStr"><is><t>\' || v.id || '
        "E'</t></is></c><c r=\"B\\x01\" t=\"inlineStr\"><is><t>' || v.month || '</t></is></c>'"
    )
    cells = "".join(f" || {_cell_sql(i)}" for i in range(len(columns)))
    sql = f"SELECT {first}{cells} FROM {values}"  # noqa: S608 - no user text
    with transaction.atomic(), connection.connection.cursor(name="records_xlsx") as cursor:
        with connection.cursor() as settings:
            settings.execute(NO_JIT)
        cursor.itersize = CHUNK
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield [row[0] for row in rows]


def _rows_python(form: Form, filters: Filters, release: Release | None, columns: list[str]):
    records = (
        microdata_records(form, filters, release)
        .order_by()
        .values_list("record_id", "month", "data", "suppressed")
    )
    key = release_record_key(form, release)
    refs = [_ref(i + 2) for i in range(len(columns))]
    batch: list[str] = []
    for pk, month, data, hidden in records.iterator(chunk_size=CHUNK):
        cells = (
            _cell(WITHHELD if k in hidden else _flat(data.get(k)), ref)
            for k, ref in zip(columns, refs, strict=True)
        )
        batch.append(_text(record_label(key, pk), _ref(0)) + _text(month, _ref(1)) + "".join(cells))
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def records_xlsx(form: Form, filters: Filters, release: Release) -> Iterator[bytes]:
    """The workbook, in chunks. ``release`` is one whose row-level records a DPO approved
    (``results.microdata.microdata_release``); records and columns are ``records.csv``'s."""

    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    archive.writestr("[Content_Types].xml", CONTENT_TYPES)
    archive.writestr("_rels/.rels", ROOT_RELS)
    archive.writestr("xl/styles.xml", STYLES)
    yield sink.take()  # the download starts while the columns are looked up
    columns = records_columns(form, release)
    header = "".join(
        _text(name, _ref(i), ' s="1"') for i, name in enumerate(["record", "month", *columns])
    ).replace(ROW, "1")
    sheets: list[str] = []
    written = rows_in_sheet = total = 0

    def start_sheet():
        sheets.append("Records" if not sheets else f"Records {len(sheets) + 1}")
        sheet = archive.open(f"xl/worksheets/sheet{len(sheets)}.xml", "w")
        start = SHEET_START.format(pane=FROZEN_HEADER)
        sheet.write(f'{start}<row r="1">{header}</row>'.encode())
        return sheet

    rows = _rows_postgresql if connection.vendor == "postgresql" else _rows_python
    out = start_sheet()
    for batch in rows(form, filters, release, columns):
        parts: list[str] = []
        for body in batch:
            # Bytes are counted per batch: a batch overshoots the limit by far less than the
            # margin SHEET_BYTES leaves under ZIP64_LIMIT.
            if rows_in_sheet == SHEET_ROWS or written > SHEET_BYTES:
                out.write(("".join(parts) + SHEET_END).encode())
                out.close()
                parts, rows_in_sheet, written = [], 0, 0
                out = start_sheet()
            rows_in_sheet += 1
            n = str(rows_in_sheet + 1)
            parts.append(f'<row r="{n}">{body.replace(ROW, n)}</row>')
        total += len(batch)
        data = "".join(parts).encode()
        written += len(data)
        out.write(data)
        yield sink.take()
    out.write(SHEET_END.encode())
    out.close()
    sheets.append("About")
    about = [
        ["About these records"],
        [NOTE],
        ["Form", form.form_id],
        ["Release", release.pk if release else ""],
        ["Records", total],
        ["Values are answer codes, as in records.csv; records.zip has them labelled."],
    ]
    archive.writestr(
        f"xl/worksheets/sheet{len(sheets)}.xml",
        SHEET_START.format(pane="")
        + "".join(_about_row(n, row) for n, row in enumerate(about, 1))
        + SHEET_END,
    )
    archive.writestr("xl/workbook.xml", _workbook(sheets))
    archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
    archive.close()
    yield sink.take()


def _about_row(n: int, row: list) -> str:
    cells = "".join(_cell(value, _ref(i)) for i, value in enumerate(row))
    return f'<row r="{n}">{cells.replace(ROW, str(n))}</row>'


def _workbook(sheets: list[str]) -> str:
    listed = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(sheets, 1)
    )
    return f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{listed}</sheets></workbook>'


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
    return f'{HEAD}<Relationships xmlns="{PACKAGE}">{sheets}{styles}</Relationships>'
