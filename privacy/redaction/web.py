"""E-mail addresses and links: how people in transit are reached once the phone number changes.

- email, `[EMAIL]`: a bounded regular expression (Unicode letters, local part up to 64
  characters, 1-8 domain labels, alphabetic top-level domain). Misses "ahmad at gmail dot com".
- url, `[URL]`: regular expressions for `http(s)://`, `ftp://` and `www.` links and for a bare
  domain followed by a path ("facebook.com/ahmad.k", "wa.me/39333..."). Keeps a bare domain
  ("gmail.com"). Misses social-media handles ("@ahmad_k").

Both scans start from an anchor character ("@", "/") found with `str.find`, so a text without
one costs nothing.
"""

import re

from privacy.redaction.text import PRIORITY, Span

EMAIL = re.compile(
    r"(?<![\w.+%\-])[\w.+%\-]{1,64}@(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w\-])"
)
_EMAIL_DOMAIN = re.compile(r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w\-])")
_EMAIL_LOCAL = frozenset("._%+-")
_URL_STOP = r"\s<>\"'«»“”‘’"
_URL_SCHEME = re.compile(rf"(?<![\w@/.\-])(?:(?:https?|ftp)://|www\.)[^{_URL_STOP}]+", re.I)
_URL_DOMAIN_BEFORE = re.compile(
    r"(?<![\w@/.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}\Z", re.I
)
_URL_REST = re.compile(rf"[^{_URL_STOP}]*")
URL = re.compile(  # a whole value that is a link (direct values)
    rf"(?:(?:https?|ftp)://|www\.)[^{_URL_STOP}]+"
    rf"|(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.){{1,8}}[a-z]{{2,24}}/[^{_URL_STOP}]*",
    re.IGNORECASE,
)
_URL_TRAIL = ".,;:!?)]}"


def emails(det: str, spans: list[Span]) -> None:
    at = det.find("@")
    while at != -1:
        m = _EMAIL_DOMAIN.match(det, at + 1)
        next_from = at + 1
        if m:
            start = at
            while start > 0 and at - start < 64:
                before = det[start - 1]
                if before.isalnum() or before in _EMAIL_LOCAL or before == "_":
                    start -= 1
                else:
                    break
            if start < at:
                spans.append((start, m.end(), "email", PRIORITY["email"]))
                next_from = m.end()
        at = det.find("@", next_from)


def urls(det: str, spans: list[Span]) -> None:
    found_until = -1
    if "://" in det or "www." in det.lower():
        for m in _URL_SCHEME.finditer(det):
            _add_url(det, m.start(), m.end(), spans)
            found_until = m.end()
    slash = det.find("/")
    while slash != -1:
        if slash > found_until and slash and det[slash - 1].isalpha():
            domain = _URL_DOMAIN_BEFORE.search(det, max(0, slash - 100), slash)
            if domain:
                rest = _URL_REST.match(det, slash)
                end = rest.end() if rest else slash  # the pattern matches the empty string
                _add_url(det, domain.start(), end, spans)
                found_until = end
        slash = det.find("/", slash + 1)


def _add_url(det: str, start: int, end: int, spans: list[Span]) -> None:
    url = det[start:end]
    while end > start and url[end - start - 1] in _URL_TRAIL:
        if url[end - start - 1] == ")" and url.count("(") >= url.count(")"):
            break
        end -= 1
    if end - start > 4:
        spans.append((start, end, "url", PRIORITY["url"]))
