"""The one way Waypoint parses XML that came from outside (XForms, submissions).

defusedxml refuses DTDs and entity declarations, so billion-laughs and external-entity bodies are
rejected before any expansion happens. Elements nested deeper than any real form nests are
refused too: the code that walks a parsed tree recurses, and a few kilobytes of ``<a><a><a>…``
would otherwise exhaust Python's stack.
"""

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_DEPTH = 100  # XForms nest groups and repeats a dozen levels at most


class UnsafeOrMalformedXML(ValueError):
    """The bytes are not well-formed XML, declare a DTD or entities, or nest too deeply."""


def parse_xml(data: bytes) -> Element:
    """Parse ``data``; raise ``UnsafeOrMalformedXML`` with a readable reason otherwise."""
    if not data.strip():
        raise UnsafeOrMalformedXML("The XML document is empty.")
    try:
        root: Element = fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise UnsafeOrMalformedXML(
            "The XML declares a DTD or entities, which Waypoint refuses for safety."
        ) from exc
    except ParseError as exc:
        raise UnsafeOrMalformedXML(f"The XML is not well-formed: {exc}.") from exc
    _check_depth(root)
    return root


def _check_depth(root: Element) -> None:
    """Iteratively, so that the check itself cannot overflow the stack."""
    level = [root]
    for _ in range(MAX_DEPTH):
        level = [child for element in level for child in element]
        if not level:
            return
    raise UnsafeOrMalformedXML(
        f"The XML nests elements more than {MAX_DEPTH} levels deep, which no form does."
    )
