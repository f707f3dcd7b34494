"""The redactor: runs every detector family over a text and replaces what they found.

Each detector proposes spans; overlapping spans are resolved longest first (on equal length the
more specific type wins: email, url, iban, card, document after a document word, phone, stdnum
id, direct value, generic document) and replaced right to left, so the text outside the chosen
spans comes back unchanged.

`redact` never raises. Texts longer than `MAX_TEXT_CHARS` are cut there (with a marker); every
regular expression is linear; if a detector fails anyway, a coarse fallback masks every digit
run, every "@" token and every direct value rather than letting the text through.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from privacy.redaction import documents, financial, names, phones, variants, web
from privacy.redaction.text import PLACEHOLDERS, Span, detection_text, fold_text

if TYPE_CHECKING:  # typing only: older python-stdnum releases do not define it
    from stdnum.util import NumberValidationModule

MAX_TEXT_CHARS = 1_000_000
"""Longer texts are cut here before redaction; no questionnaire answer is this long."""
TRUNCATION_MARK = " […]"
MAX_DIRECT_VALUES = 200
MAX_DIRECT_VALUE_CHARS = 500

_CONTAINERS = frozenset({"email", "url", "iban", "card"})  # phone candidates inside are skipped
_WINDOW_MARGIN = 48  # characters around a digit run where an IBAN, a series or a keyword may be


@dataclass(frozen=True)
class Redactor:
    """Redacts personal data from free text for service points in `regions`.

    `regions` are ISO 3166 alpha-2 codes: the phone numbering plans whose national formats
    are recognised (international "+..."/"00..." numbers are recognised for every country)
    and, unless `id_regions` says otherwise, the countries whose python-stdnum personal-id
    formats are checked.
    """

    regions: tuple[str, ...]
    id_regions: tuple[str, ...] | None = None
    everyday_names: str = "context"
    """"context": a name that is also an everyday word is redacted where the sentence reads it
    as a name; "always": wherever it stands (the project's setting of the same name)."""
    _id_modules: tuple[NumberValidationModule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", phones.normalise_regions(self.regions))
        if self.id_regions is not None:
            object.__setattr__(self, "id_regions", phones.normalise_regions(self.id_regions))
        ids = self.regions if self.id_regions is None else self.id_regions
        object.__setattr__(self, "_id_modules", documents.id_modules(ids))

    @classmethod
    def for_regions(
        cls,
        regions: Iterable[str],
        id_regions: Iterable[str] | None = None,
        everyday_names: str = "context",
    ) -> Redactor:
        """A shared redactor for these regions (uppercased, deduplicated, unknown ones dropped).

        `id_regions`, if given, are the countries whose personal ids are checked (where people
        live and come from), when `regions` also holds transit countries for phone numbers.
        """
        ids = None if id_regions is None else phones.normalise_regions(id_regions)
        regions = phones.normalise_regions(regions)
        # A class is hashable; mypy reads the dataclass's __hash__ as unbound and says it is not.
        return _cached_redactor(cls, regions, ids, everyday_names)  # type: ignore[arg-type]

    # ------------------------------------------------------------------------------ public

    def redact(self, text: str, direct_values: Iterable[str] = ()) -> tuple[str, Counter[str]]:
        """Return `text` with personal data replaced by placeholders, and counts by type.

        `direct_values` are the answers to the same submission's `direct` questions (names,
        phone numbers, e-mail addresses...); they are redacted wherever they occur.
        """
        redacted, counts, _how = self.redact_counted(text, direct_values)
        return redacted, counts

    def redact_counted(
        self, text: str, direct_values: Iterable[str] = ()
    ) -> tuple[str, Counter[str], Counter[str]]:
        """`redact`, with the `[NAME]`s also counted by how each was found (`NAME_MATCHES`:
        direct, variant, transliteration, cue), for the DPO's report."""
        try:
            text = _as_text(text)
            values = _as_values(direct_values)
        except Exception:
            return "", Counter(), Counter()
        try:
            return self._redact(text, values)
        except Exception:
            redacted, counts = _fallback(text, values)
            return redacted, counts, Counter(direct=counts["name"]) if counts["name"] else Counter()

    def find(self, text: str, direct_values: Iterable[str] = ()) -> list[tuple[int, int, str]]:
        """The spans `redact` replaces: (start, end, kind), kind "phone", "email"... or
        "name/direct", "name/variant", "name/transliteration", "name/cue". For evaluation
        and highlighting; unlike `redact` it raises if a detector fails."""
        text = _as_text(text)[:MAX_TEXT_CHARS]
        spans = self._spans(text, _as_values(direct_values))
        return [
            (start, end, kind if "/" in kind or kind != "name" else "name/direct")
            for start, end, kind in _choose(spans)
        ]

    # ----------------------------------------------------------------------------- private

    def _redact(self, text: str, values: tuple[str, ...]) -> tuple[str, Counter[str], Counter[str]]:
        if not text:
            return text, Counter(), Counter()
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS] + TRUNCATION_MARK
        spans = self._spans(text, values)
        if not spans:
            return text, Counter(), Counter()
        return _apply(text, _choose(spans))

    def _spans(self, text: str, values: tuple[str, ...]) -> list[Span]:
        det = detection_text(text)
        spans: list[Span] = []
        runs = self._detect(det, spans)
        name_values = names.direct(text, runs, values, spans) if values else ()
        always = self.everyday_names == "always"
        variants.find(text, fold_text(text), name_values, names.stop_parts(), spans, always)
        return spans

    def _detect(self, det: str, spans: list[Span]) -> list[tuple[int, int, str]]:
        """Add the spans of every detector; return the digit runs (start, end, digits)."""
        if "@" in det:
            web.emails(det, spans)
        if "/" in det or "www" in det or "WWW" in det:
            web.urls(det, spans)
        runs = [
            (m.start(), m.end(), "".join(c for c in m.group() if c.isdecimal()))
            for m in phones.LONG_RUN.finditer(det)
        ]
        documents.documents(det, self._id_modules, spans)
        if runs:
            budget = [phones.MAX_MATCHER_RUNS]  # matcher runs left for this text
            for lo, hi in _windows(det, [(s, e) for s, e, _ in runs]):
                financial.ibans(det, lo, hi, spans)
                financial.cards(det, lo, hi, spans)
                taken = [
                    (s, e) for s, e, kind, _ in spans if kind in _CONTAINERS and e > lo and s < hi
                ]
                phones.phones(det, lo, hi, self.regions, taken, budget, spans)
                documents.digit_groups(det, lo, hi, self._id_modules, spans)
                documents.series(det, lo, hi, spans)
            documents.after_keywords(det, runs, spans)
        return runs


@functools.lru_cache(maxsize=128)
def _cached_redactor(
    cls: type[Redactor],
    regions: tuple[str, ...],
    id_regions: tuple[str, ...] | None,
    everyday_names: str,
) -> Redactor:
    return cls(regions, id_regions, everyday_names)


def _windows(det: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merged windows around digit runs, widened to whitespace so no token is cut."""
    length = len(det)
    windows: list[tuple[int, int]] = []
    for start, end in runs:
        lo, hi = max(0, start - _WINDOW_MARGIN), min(length, end + _WINDOW_MARGIN)
        limit = max(0, lo - 64)
        while lo > limit and not det[lo - 1].isspace():
            lo -= 1
        limit = min(length, hi + 64)
        while hi < limit and not det[hi].isspace():
            hi += 1
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def _choose(spans: list[Span]) -> list[tuple[int, int, str]]:
    """Keep non-overlapping spans, longest first (ties: priority, then leftmost); in order."""
    spans.sort(key=lambda span: (span[0] - span[1], span[3], span[0]))
    starts: list[int] = []
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind, _priority in spans:
        if start >= end:
            continue
        i = bisect.bisect_right(starts, start)
        if i and chosen[i - 1][1] > start:
            continue
        if i < len(chosen) and chosen[i][0] < end:
            continue
        starts.insert(i, start)
        chosen.insert(i, (start, end, kind))
    return chosen


def _apply(text: str, chosen: list[tuple[int, int, str]]) -> tuple[str, Counter[str], Counter[str]]:
    """Replace the chosen spans right to left; count them by type and names by how found."""
    counts: Counter[str] = Counter()
    how: Counter[str] = Counter()
    pieces: list[str] = []
    cursor = len(text)
    for start, end, kind in reversed(chosen):  # right to left: earlier offsets stay valid
        pieces.append(text[end:cursor])
        kind, _, found_as = kind.partition("/")  # "name/cue": a [NAME] found after a cue
        pieces.append(PLACEHOLDERS[kind])
        counts[kind] += 1
        if kind == "name":
            how[found_as or "direct"] += 1
        cursor = start
    pieces.append(text[:cursor])
    return "".join(reversed(pieces)), counts, how


def _as_text(text: object) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    return text if isinstance(text, str) else str(text)


def _as_values(values: object) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        values = (values,)
    found: list[str] = []
    for value in values:
        if value is None:
            continue
        value = _as_text(value).strip()[:MAX_DIRECT_VALUE_CHARS]
        if value and value not in found:
            found.append(value)
        if len(found) >= MAX_DIRECT_VALUES:
            break
    return tuple(found)


_FALLBACK = re.compile(r"[^\s@]{0,64}@\S{1,255}|\d(?:[\W_]{0,3}\d){3,}")


def _fallback(text: str, values: tuple[str, ...]) -> tuple[str, Counter[str]]:
    """Coarse but safe: used only if a detector fails. Masks digit runs, @-tokens, values."""
    try:
        counts: Counter[str] = Counter()

        def mask(m: re.Match[str]) -> str:
            kind = "email" if "@" in m.group() else "document"
            counts[kind] += 1
            return PLACEHOLDERS[kind]

        text = _FALLBACK.sub(mask, text[:MAX_TEXT_CHARS])
        for value in values:
            for word in {value, *value.split()}:
                if len(word) >= 3:
                    text, n = re.subn(re.escape(word), PLACEHOLDERS["name"], text, flags=re.I)
                    counts["name"] += n
        return text, +counts
    except Exception:
        return "", Counter()
