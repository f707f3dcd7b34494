"""The XML door reads what defusedxml read, and refuses what it refused, whichever parser a
document takes: the C parser for plain UTF-8 without a DTD, defusedxml for everything else."""

import xml.etree.ElementTree as ET

import pytest
from defusedxml.ElementTree import fromstring

from lib.safexml import UnsafeOrMalformedXML, _without_dtd, parse_xml
from tests.hostile.corpus.bodies import (
    BILLION_LAUGHS,
    EXTERNAL_DTD,
    EXTERNAL_ENTITY,
    PARAMETER_ENTITY,
    QUADRATIC,
)


def _defused(data: bytes) -> bytes:
    root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    return ET.tostring(root)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0" encoding="UTF-8"?><data id="f"><a>caf\xc3\xa9 &lt;&#233;</a></data>',
        b'<data xmlns="urn:x" xmlns:j="urn:j"><j:b c="1">t</j:b>tail<!-- c --><?pi x?></data>',
        b"<data><![CDATA[<b>kept as text</b>]]></data>",
        b"<data>\xd8\xb9\xd9\x84\xd9\x8a \xe1\x89\xb0\xe1\x88\xb5\xe1\x8d\x8b</data>",
    ],
)
def test_plain_utf8_takes_the_c_parser_and_reads_the_same_tree(data):
    assert _without_dtd(data)
    assert ET.tostring(parse_xml(data)) == _defused(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0" encoding="ISO-8859-1"?><data>caf\xe9</data>',
        '<?xml version="1.0" encoding="UTF-16"?><data>é</data>'.encode("utf-16"),
        "<data>é</data>".encode("utf-16-le"),  # no byte order mark: expat guesses UTF-16
        b"\xef\xbb\xbf<data>x</data>",
    ],
)
def test_other_encodings_take_defusedxml_and_read_as_declared(data):
    assert not _without_dtd(data)
    assert ET.tostring(parse_xml(data)) == _defused(data)


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, QUADRATIC, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
)
def test_every_dtd_is_still_refused(body):
    data = f"{body}<d>&lol9;&a;&x;</d>".encode()
    assert not _without_dtd(data)
    with pytest.raises(UnsafeOrMalformedXML, match="DTD or entities"):
        parse_xml(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<data>&x;</data>", "undefined entity"),  # no DTD declares it
        (b"<data><a></data>", "mismatched tag"),
        (b"<a>" * 101 + b"</a>" * 101, "levels deep"),
    ],
)
def test_malformed_or_deep_documents_are_refused_as_before(data, reason):
    with pytest.raises(UnsafeOrMalformedXML, match=reason):
        parse_xml(data)


@pytest.mark.parametrize("encoding", ["ucs-2", "UTF-7", "no-such-encoding"])
def test_an_encoding_python_cannot_read_is_refused_clearly(encoding):
    """A tablet's (or an attacker's) odd declaration gets the ``xml.invalid`` refusal, not a
    server error."""
    data = f'<?xml version="1.0" encoding="{encoding}"?><data/>'.encode()
    with pytest.raises(UnsafeOrMalformedXML, match="encoding Waypoint cannot read"):
        parse_xml(data)
