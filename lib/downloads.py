"""Headers for files Waypoint serves but did not write itself: form media a form manager
uploaded, and raw submissions and attachments a tablet sent.

Such a file is served from Waypoint's own origin, so a browser that rendered it (an ``.html``
or ``.svg`` "image", a submission XML with an XHTML ``<script>``) would run its script with the
viewer's session: the DPO's, when a DPO opens it. So it is always a download
(``Content-Disposition: attachment``), never sniffed into something renderable (``nosniff``),
and even if opened it runs in a sandbox with no origin and no way to load anything (CSP
``sandbox; default-src 'none'``). ODK Collect and Web Forms read the bytes and ignore these.
"""

from urllib.parse import quote

from django.http import HttpResponseBase

SANDBOX_CSP = "sandbox; default-src 'none'"


def as_download(
    response: HttpResponseBase, filename: str = "", *, no_store: bool = False
) -> HttpResponseBase:
    """Mark ``response`` as an inert download; ``no_store`` for raw data, which no browser or
    proxy may keep a copy of."""
    disposition = "attachment"
    if filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    if no_store:
        no_store_headers(response)
    return response


def no_store_headers(response: HttpResponseBase) -> HttpResponseBase:
    """Raw data: no copy in a browser's cache, a shared computer's history or a proxy."""
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response
