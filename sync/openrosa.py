"""OpenRosa's documents and headers: form list, manifest, OpenRosaResponse.

ODK Collect rejects a form list without ``X-OpenRosa-Version`` or with a Content-Type other than
text/xml, and reads a 200 to a submission as a captive portal: these helpers make every answer
the shape Collect, KoboCollect and Enketo expect.
"""

from xml.etree.ElementTree import Element, SubElement, tostring

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date

from lib.problems import Problem, request_language

XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
REALM = 'Basic realm="Waypoint", charset="UTF-8"'


def with_openrosa_headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(settings.WAYPOINT_SUBMISSION_MAX_BYTES)
    response["Date"] = http_date()
    return response


def xml_response(root: Element, status: int = 200) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")
    return with_openrosa_headers(HttpResponse(body, status=status, content_type=XML_CONTENT_TYPE))


def openrosa_response(status: int, message: str, *, nature: str = "") -> HttpResponse:
    """An ``<OpenRosaResponse>`` whose message Collect shows to the volunteer."""
    root = Element("OpenRosaResponse", xmlns=RESPONSE_NS)
    node = SubElement(root, "message")
    if nature:
        node.set("nature", nature)
    node.text = message
    return xml_response(root, status)


def problem_response(problem: Problem, request: HttpRequest | None = None) -> HttpResponse:
    """A catalogue problem as devices read it: the status, the message, the OpenRosa headers;
    a 401 challenges for HTTP Basic, which Collect and Enketo wait for before sending it. The
    message is in the language the device asks for (Accept-Language; ``request_language``):
    the volunteer reads it on the tablet."""
    language = request_language(request)
    response = openrosa_response(problem.status, problem.text(language))
    if language:
        response["Content-Language"] = language
    for name, value in problem.headers.items():
        response[name] = value
    if problem.status == 401:
        response["WWW-Authenticate"] = REALM
    return response


def form_list_document(entries: list[dict]) -> Element:
    """``entries``: formID, name, version, hash, downloadUrl and optionally manifestUrl."""
    root = Element("xforms", xmlns=XFORMS_LIST_NS)
    for entry in entries:
        xform = SubElement(root, "xform")
        for key in ("formID", "name", "version", "hash", "downloadUrl", "manifestUrl"):
            if key in entry:
                SubElement(xform, key).text = entry[key] or None
    return root


def manifest_document(files: list[dict]) -> Element:
    root = Element("manifest", xmlns=MANIFEST_NS)
    for media in files:
        node = SubElement(root, "mediaFile")
        for key in ("filename", "hash", "downloadUrl"):
            SubElement(node, key).text = media[key]
    return root
