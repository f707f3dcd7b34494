"""Hostile payloads: XML bombs and entities, deep nesting, zip bombs, cut-off bodies."""

import io
import zipfile

from tests.xlsform import simple_form, xlsx

LAUGHS = "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
)  # nine levels of ten: 10⁹ "lol"s, 3 GB once expanded
BILLION_LAUGHS = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY lol0 "lol">{LAUGHS}]>'
QUADRATIC = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "' + "a" * 50_000 + '">]>'
EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DTD = '<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">'
PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
)
DEPTH = 50_000


def instance(prolog: str = "", body: str = "<age>34</age>") -> bytes:
    return f'{prolog}<data id="privacy_test" version="1">{body}</data>'.encode()


def xform(prolog: str = "", body: str = "<h:head/>") -> bytes:
    return f'{prolog}<h:html xmlns:h="http://www.w3.org/1999/xhtml">{body}</h:html>'.encode()


def deep(tag: str = "g") -> str:
    return f"<{tag}>" * DEPTH + "x" + f"</{tag}>" * DEPTH


def xlsx_with(replace: dict[str, bytes]) -> bytes:
    """A real XLSForm workbook with some of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(simple_form())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHEET_BOMB = (
    BILLION_LAUGHS + '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr">'
    "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
).encode()
ZIP_BOMB = xlsx_with({SHEET: b" " * 2_000_000})  # 2 MB of spaces packs into a few kB
# SQL-looking values, URL-encoded for query strings and paths.
SQL = "%27%20OR%20%271%27%3D%271"  # ' OR '1'='1
DROP = "%3B%20DROP%20TABLE%20privacy_anonymisedrecord%3B%20--"  # ; DROP TABLE …; --
TRUNCATED_MULTIPART = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="f.xlsx"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\nPK\x03\x04 cut he"
)
