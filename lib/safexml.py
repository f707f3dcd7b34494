"""The one way Waypoint parses XML that came from outside (XForms, submissions).

defusedxml refuses DTDs and entity declarations, so billion-laughs and external-entity bodies are
rejected before any expansion happens. Elements nested deeper than any real form nests are
refused too: the code that walks a parsed tree recurses, and a few kilobytes of ``<a><a><a>…``
would otherwise exhaust Python's stack. A document that cannot hold a DTD at all is read by
the C parser instead (`_without_dtd`), as safely and three times faster.
"""

import re
from xml.etree.ElementTree import Element, ParseError, XMLParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_DEPTH = 100  # XForms nest groups and repeats a dozen levels at most
_PROLOG = re.compile(rb"<\?xml[^>]*>")
_UTF8 = re.compile(rb"""encoding\s*=\s*["']utf-8["']""", re.IGNORECASE)


class UnsafeOrMalformedXML(ValueError):
    """The bytes are not well-formed XML, declare a DTD or entities, or nest too deeply."""


def parse_xml(data: bytes) -> Element:
    """Parse ``data``; raise ``UnsafeOrMalformedXML`` with a readable reason otherwise."""
    if not data.strip():
        raise UnsafeOrMalformedXML("The XML document is empty.")
    root: Element
    if _without_dtd(data):
        # The C parser, reading UTF-8 whatever the bytes declare: safe here (`_without_dtd`).
        parser = XMLParser(encoding="utf-8")  # noqa: S314
        try:
            parser.feed(data)
            root = parser.close()
        except ParseError:
            pass  # refused below, with defusedxml's reason
        else:
            _check_depth(root)
            return root
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeOrMalformedXML(
            "The XML declares a DTD or entities, which Waypoint refuses for safety."
        ) from exc
    except ParseError as exc:
        raise UnsafeOrMalformedXML(f"The XML is not well-formed: {exc}.") from exc
    except (LookupError, ValueError) as exc:  # "ucs-2", "UTF-7", a made-up name
        raise UnsafeOrMalformedXML(
            f"The XML declares an encoding Waypoint cannot read ({exc}); send it as UTF-8."
        ) from exc
    _check_depth(root)
    return root


def _without_dtd(data: bytes) -> bool:
    """Whether ``data``, read as UTF-8, cannot hold a DTD, so the C parser (three times
    faster than defusedxml's pure-Python one, on every submission) reads it as safely: no
    ``<!DOCTYPE`` means no entity or external declaration, and expat refuses any entity but
    XML's own. Only for what it would read alike: UTF-8 as declared (or by default), no byte
    order mark, no NUL (UTF-16 or UTF-32 without a mark). Anything else takes defusedxml."""
    if b"<!DOCTYPE" in data or b"\x00" in data or data.startswith(b"\xef\xbb\xbf"):
        return False
    prolog = _PROLOG.match(data)
    return prolog is None or b"encoding" not in prolog.group() or bool(_UTF8.search(prolog.group()))


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
