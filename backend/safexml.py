"""The one way Waypoint parses XML that came from outside (XForms, submissions).

defusedxml refuses DTDs and entity declarations, so billion-laughs and external-entity bodies are
rejected before any expansion happens.
"""

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class UnsafeOrMalformedXML(ValueError):
    """The bytes are not well-formed XML, or they declare a DTD or entities."""


def parse_xml(data: bytes) -> Element:
    """Parse ``data``; raise ``UnsafeOrMalformedXML`` with a readable reason otherwise."""
    if not data.strip():
        raise UnsafeOrMalformedXML("The XML document is empty.")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeOrMalformedXML(
            "The XML declares a DTD or entities, which Waypoint refuses for safety."
        ) from exc
    except ParseError as exc:
        raise UnsafeOrMalformedXML(f"The XML is not well-formed: {exc}.") from exc
