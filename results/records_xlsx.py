"""``records.xlsx``: the released records of ``records.csv`` (same columns, codes, ``[withheld]``
markers, records left out) as a workbook, streamed in constant memory whatever the size.

openpyxl's write-only mode keeps memory flat but buffers each sheet in a temporary file and
zips it at ``save()``: the first byte would only leave once the last record was written. So the
workbook is written here as SpreadsheetML, part by part, into a zip written in one pass
(``results.records_labelled._Sink``, data descriptors, ISA-L's deflate): strings inline (no
shared-string table to gather first), and on PostgreSQL each ``<row>`` is built by the
database, as ``records.csv``'s lines are, and handed over as UTF-8 bytes by two PostgreSQL
processes writing the next batches while this one is compressed
(``results.records.rows_streamed``). Python numbers the rows, drops the characters XML forbids
(per batch) and deflates, all in C. The parts that list the sheets (workbook and its
relationships) are written last, once the number of sheets is known; ``[Content_Types].xml``
maps every other ``.xml`` part to a worksheet, so it can be written first.

Excel reads at most 1,048,576 rows a sheet and reads zip64 only in a narrow form, so records go
on as many "Records" sheets as they need, each under both limits; an "About" sheet explains the
markers and names the release."""

import zipfile
from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.db import connection
from isal import isal_zlib

from forms.models import Form
from lib.spreadsheets import neutralise
from privacy.models import Release
from results.microdata import NOTE, WITHHELD, microdata_records
from results.records import (
    _flat,
    record_label,
    records_columns,
    records_values_sql,
    release_record_key,
    rows_streamed,
)
from results.records_labelled import _Sink
from results.released import Filters

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_ROWS = 1_048_575  # Excel's limit, less the header row
# zipfile refuses to close a member past ``zipfile.ZIP64_LIMIT`` (2 GiB - 1) unless it was
# opened as zip64, a form Excel reads badly: by then the sheet is streamed and the download
# would end truncated. A sheet moves on well before (a batch adds a few MB at most).
SHEET_BYTES = 1_900_000_000
CHUNK = 500  # rows per fetch and per flush of the stream: a few MB, three batches at a time
# Characters XML 1.0 forbids (tab, newline and carriage return are allowed), as UTF-8 bytes.
_UNPRINTABLE = bytes([0, *range(1, 9), 11, 12, *range(14, 32)])

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


# A record's cells carry no reference (r="C7"): a cell without one is the next column of its
# row (ECMA-376 18.3.1.4; Excel, LibreOffice and openpyxl read it so), and an unanswered
# question is an empty ``<c/>``. A reference would need the row's number, known only as the
# row is placed (a sheet may move on before it): writing it into every cell was most of this
# process's work. Rows keep their number. The header and the "About" sheet are written whole,
# with references: ``<"`` ends a reference there until the row's number is put in its place.
EMPTY = "<c/>"


def _ref(i: int) -> str:
    """The reference of column i (0: A, 26: AA) in the row to come."""
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters + "<"


def _text(value: object, ref: str = "", style: str = "") -> str:
    """An inline-string cell (at ``ref``, else the next column). Characters XML forbids are
    left to ``_valid``."""
    text = escape(str(value))
    at = f' r="{ref}"' if ref else ""
    return f'<c{at}{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _cell(value: object, ref: str = "") -> str:
    """A value as ``records.csv`` writes it, numbers as numbers, text neutralised. No value is
    an empty cell, or nothing at all where cells carry references."""
    if value is None or value == "":
        return "" if ref else EMPTY
    if isinstance(value, int | float) and not isinstance(value, bool):
        at = f' r="{ref}"' if ref else ""
        return f"<c{at}><v>{value}</v></c>"
    return _text(neutralise(value), ref)


def _deflate():
    """Raw deflate for a sheet, as ``zipfile`` would make it (the same stream format) but
    from ISA-L, about 5x faster than zlib's fastest level on free text: on a real export
    compressing was most of this process's work. ``zipfile`` has no hook for it, so the
    compressor of the member just opened is swapped (tests open every workbook written)."""
    return isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)


def _valid(xml: bytes) -> bytes:
    """``xml`` without the characters XML 1.0 forbids (a tablet may send a bell or an escape
    in free text). Deleting them from whole batches of UTF-8 is one pass in C: no byte of a
    multi-byte character is below 0x20, and the markup around the values holds none."""
    return xml.translate(None, _UNPRINTABLE)


def _escaped_sql(text: str) -> str:
    return f"replace(replace(replace({text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def _cell_sql(i: int, escaped: bool) -> str:
    """Cell i of a ``<row>`` from ``records_values_sql`` (column i + 2): a number as a number;
    text inline, escaped if ``escaped``; an empty cell for no answer."""
    text = _escaped_sql(f"v.c{i}") if escaped else f"v.c{i}"
    return (
        f"CASE WHEN v.n{i} THEN '<c><v>' || v.c{i} || '</v></c>' "
        f"WHEN v.c{i} IS NULL THEN '{EMPTY}' "
        'ELSE \'<c t="inlineStr"><is><t xml:space="preserve">\' || '
        f"{text} || '</t></is></c>' END"
    )


def _rows_postgresql(form: Form, filters: Filters, release: Release | None, columns: list[str]):
    """Batches of ``<row>`` bodies (the cells, UTF-8), built by PostgreSQL.

    Escaping XML's ``&``, ``<`` and ``>`` is most of the work of building a row: three
    searches of every value, a story's 3 KB each time. Almost no row needs it, so a row is
    searched once, its values joined, and only a row that holds one of them is escaped."""
    record = "'<c t=\"inlineStr\"><is><t>' || v.id || '</t></is></c>'"  # hex digits

    def month(escaped: bool) -> str:
        text = _escaped_sql("v.month") if escaped else "v.month"
        return f"'<c t=\"inlineStr\"><is><t>' || {text} || '</t></is></c>'"

    plain = " || ".join([record, month(False), *(_cell_sql(i, False) for i in range(len(columns)))])
    escaped = " || ".join([record, month(True), *(_cell_sql(i, True) for i in range(len(columns)))])
    joined = "concat(v.month" + "".join(f", v.c{i}" for i in range(len(columns))) + ")"

    def sql(part: int, parts: int) -> tuple[str, list]:
        values, params = records_values_sql(form, filters, release, columns, (part, parts))
        return (
            "SELECT CASE WHEN strpos(v.joined, '&') + strpos(v.joined, '<') "  # noqa: S608 - no user text
            f"+ strpos(v.joined, '>') = 0 THEN {plain} ELSE {escaped} END "
            f"FROM (SELECT v.*, {joined} AS joined FROM {values} OFFSET 0) v",
            params,
        )

    for rows in rows_streamed(sql, CHUNK, raw=True):
        yield [row[0] for row in rows]


def _rows_python(form: Form, filters: Filters, release: Release | None, columns: list[str]):
    records = (
        microdata_records(form, filters, release)
        .order_by()
        .values_list("record_id", "month", "data", "suppressed")
    )
    key = release_record_key(form, release)
    batch: list[bytes] = []
    for pk, month, data, hidden in records.iterator(chunk_size=CHUNK):
        cells = (_cell(WITHHELD if k in hidden else _flat(data.get(k))) for k in columns)
        row = _text(record_label(key, pk)) + _text(month) + "".join(cells)
        batch.append(row.encode())
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
    ).replace('<"', '1"')
    sheets: list[str] = []
    written = rows_in_sheet = total = 0

    def start_sheet():
        sheets.append("Records" if not sheets else f"Records {len(sheets) + 1}")
        sheet = archive.open(f"xl/worksheets/sheet{len(sheets)}.xml", "w")
        sheet._compressor = _deflate()
        start = SHEET_START.format(pane=FROZEN_HEADER)
        sheet.write(_valid(f'{start}<row r="1">{header}</row>'.encode()))
        return sheet

    rows = _rows_postgresql if connection.vendor == "postgresql" else _rows_python
    out = start_sheet()
    for batch in rows(form, filters, release, columns):
        parts: list[bytes] = []
        for body in batch:
            # Bytes are counted per batch: a batch overshoots the limit by far less than the
            # margin SHEET_BYTES leaves under ZIP64_LIMIT.
            if rows_in_sheet == SHEET_ROWS or written > SHEET_BYTES:
                out.write(_valid(b"".join(parts)) + SHEET_END.encode())
                out.close()
                parts, rows_in_sheet, written = [], 0, 0
                out = start_sheet()
            rows_in_sheet += 1
            n = b"%d" % (rows_in_sheet + 1)
            parts += (b'<row r="', n, b'">', body, b"</row>")
        total += len(batch)
        data = _valid(b"".join(parts))
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
    about_rows = "".join(_about_row(n, row) for n, row in enumerate(about, 1))
    archive.writestr(
        f"xl/worksheets/sheet{len(sheets)}.xml",
        _valid((SHEET_START.format(pane="") + about_rows + SHEET_END).encode()),
    )
    archive.writestr("xl/workbook.xml", _workbook(sheets))
    archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
    archive.close()
    yield sink.take()


def _about_row(n: int, row: list) -> str:
    cells = "".join(_cell(value, _ref(i)) for i, value in enumerate(row))
    return f'<row r="{n}">' + cells.replace('<"', f'{n}"') + "</row>"


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
