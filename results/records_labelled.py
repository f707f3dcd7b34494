"""The released records for people, not scripts: a zip of CSV files (UTF-8 with a BOM, so Excel
shows Arabic) with question and answer labels in a chosen form language.

- ``records.csv``: one row per record, one column per question outside repeats, in the order
  the questionnaire asks them;
- a repeat is one column with its number of rows: the rows themselves were never covered by
  the DPO's microdata risk report (see ``records_zip``);
- ``codebook.csv``: each column's file, name, label, type, and each answer's code and label.

Only what the release published and the DPO approved as row-level records (the same records
as ``records.csv`` of the API); streamed, so memory stays flat whatever the size."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from forms.models import Form
from lib.spreadsheets import neutralise
from privacy.models import Release
from privacy.record_content import label_for
from privacy.review.columns import answer_key
from results.microdata import NOTE, WITHHELD, microdata_records
from results.records import (
    BOM,
    record_label,
    records_columns,
    release_record_key,
)
from results.released import Filters

CHUNK = 500  # records per flush of the zip stream


@dataclass
class Column:
    key: str  # the answer's key in the record (inside a repeat: in the row)
    name: str
    label: str
    type: str
    choices: dict[str, str] = field(default_factory=dict)  # code -> label

    def text(self, value) -> str:
        """The answer as a reader reads it: labels instead of codes, several joined by "; "."""
        if value is None:
            return ""
        if self.type == "repeat":
            return str(len(value)) if isinstance(value, list) else ""
        if isinstance(value, list):
            return "; ".join(self.choices.get(str(v), str(v)) for v in value)
        if self.choices:
            return self.choices.get(str(value), str(value))
        return str(value)


def form_columns(form: Form, language: str | None) -> tuple[dict[str, Column], dict[str, list]]:
    """Every question as a column (the newest version's labels), by answer key; and each
    repeat's columns in questionnaire order, by the repeat's key."""
    columns: dict[str, Column] = {}
    repeats: dict[str, list[Column]] = {}
    for version in form.versions.order_by("-created_at"):
        for question in version.questions:
            key = question["path"].strip("/").split("/", 1)[-1]
            if key in columns:
                continue
            choices = {
                item["name"]: label_for(item.get("labels") or {}, language) or item["name"]
                for item in version.choices.get(question.get("list_name") or "", [])
            }
            column = Column(
                key=key,
                name=question["name"],
                label=label_for(question.get("labels") or {}, language) or question["name"],
                type=question["type"],
                choices=choices,
            )
            columns[key] = column
            if question.get("repeat"):
                repeats.setdefault(answer_key(question), []).append(column)
    # Repeat columns in the order of the oldest version that asks them, as the main file.
    order = {key: i for i, key in enumerate(columns)}
    for found in repeats.values():
        found.sort(key=lambda c: order[c.key])
    return columns, repeats


class _Sink(io.RawIOBase):
    """Where ``zipfile`` writes: bytes gathered until the stream takes them. Not seekable, so
    the zip is written with data descriptors, in one pass."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _csv_line(row: Iterable) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


class _Lines:
    """CSV lines gathered in one buffer and handed over in batches: one writer, one encode
    per batch, not per line."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def add(self, row: list) -> None:
        self.writer.writerow([neutralise(cell) for cell in row])

    def take(self) -> bytes:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text.encode("utf-8")


def records_zip(
    form: Form, filters: Filters, release: Release, *, language: str | None
) -> Iterator[bytes]:
    """The zip, in chunks. ``release`` is one whose row-level records a DPO approved
    (``results.microdata.microdata_release``)."""
    columns, repeats = form_columns(form, language)
    published = records_columns(form, release)
    # A repeat is a count of its rows, as in the API's records.csv: the DPO's microdata risk
    # report checks k and l-diversity over the record's own answers only, so the rows of a
    # repeat (a household's members, their ages and nationalities) were never checked and
    # are not written, whatever the repeat.
    main = [
        Column(k, k, f"{columns[k].label if k in columns else k} (rows)", "repeat")
        if k in repeats
        else columns.get(k) or Column(k, k, k, "")
        for k in published
    ]
    sink = _Sink()
    # Level 1: most of the size saved at a fraction of the time (CSV compresses well anyway).
    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    records = microdata_records(form, filters, release).order_by("month", "record_id")
    lines = _Lines()
    key = release_record_key(form, release)

    def header(extra: list[str], cols: list[Column]) -> bytes:
        return BOM.encode() + _csv_line([*extra, *(c.label for c in cols)])

    with archive.open("records.csv", "w", force_zip64=True) as out:
        out.write(header(["record", "month"], main))
        rows = records.values_list("record_id", "month", "data", "suppressed")
        for count, (pk, month, data, hidden) in enumerate(rows.iterator(chunk_size=2000), 1):
            cells = [WITHHELD if c.key in hidden else c.text(data.get(c.key)) for c in main]
            lines.add([record_label(key, pk), month, *cells])
            if count % CHUNK == 0:
                out.write(lines.take())
                yield sink.take()
        out.write(lines.take())
    yield sink.take()
    with archive.open("codebook.csv", "w") as out:
        out.write(BOM.encode() + _csv_line(["file", "column", "label", "type", "code", "answer"]))
        for file, cols in [("records.csv", main)]:
            for c in cols:
                lines.add([file, c.name, c.label, c.type, "", ""])
                for code, label in c.choices.items():
                    lines.add([file, c.name, "", "", code, label])
        lines.add([])
        lines.add([NOTE])
        out.write(lines.take())
    archive.close()
    yield sink.take()
