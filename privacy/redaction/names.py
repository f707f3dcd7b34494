"""The submission's own direct values, `[NAME]` (or the type the value looks like): no pattern
knows a cousin's name, but the form asked for it, so the answer itself is what to look for.

The same submission's `direct` answers, given as `direct_values`, are found in a folded copy of
the text that keeps every offset: compatibility forms decomposed (presentation forms,
fullwidth), case folded, combining marks ignored (Latin diacritics, Arabic harakat/tashkeel,
tatweel), Arabic and Persian letter variants unified (أ إ آ ٱ → ا, ى ی ئ → ي, ة ۀ → ه, ؤ → و,
ک → ك), digits ASCII. A value of several words is matched as a phrase (with 1-3 non-word
characters between its words; a surname beside the name is context enough). Its single words,
in every spelling, script and form, are `variants`' work, which also keeps the homonyms
("Hope" the name, "hope" the word); particles and street words ("abu", "bin", "al", "الله",
"via") are never redacted alone. A value that looks like a phone, e-mail, IBAN, card, document
or link is typed so and matched as itself; a phone or id by its digits in any formatting
("+39 333 123 4567" also as "333-123-45-67").
"""

import bisect
import functools
import re

from privacy.redaction.financial import is_card_number, is_iban
from privacy.redaction.phones import PHONE_LIKE
from privacy.redaction.text import (
    ALNUM_RUN,
    MARK,
    PRIORITY,
    Span,
    detection_text,
    fold_text,
    fold_value,
    is_arabic,
    is_word,
)
from privacy.redaction.web import EMAIL, URL

_STOP_PARTS_TEXT = (
    "abu abou ibn bin bint ben abd abdel abdul del della der van von dos das los las les the "
    "and allah ullah uddin din via viale piazza corso rue avenue street road calle plaza "
    "avenida ابو ابن بن بنت عبد الله الدين شارع вул вулиця"
)
"""Name parts never redacted alone (particles, "God", street words); the whole value still is."""
_UNMARKED = re.compile(r"[^\x01]+")


@functools.cache
def stop_parts() -> frozenset[str]:
    return frozenset(fold_value(word) for word in _STOP_PARTS_TEXT.split())


def direct(
    text: str, runs: list[tuple[int, int, str]], values: tuple[str, ...], spans: list[Span]
) -> tuple[str, ...]:
    """Spans of `values` in `text`: as phrases in the folded text, and by their digits in the
    digit runs (start, end, digits) the detectors found. Returns the values that are names,
    whose single words `variants` looks for."""
    folded: _Folded | None = None
    priority = PRIORITY["direct"]
    name_values = []
    for value in values:
        kind, phrase, keys = _direct_pattern(value)
        if kind == "name":
            name_values.append(value)
        if phrase:
            if folded is None:
                folded = _Folded(text)
            for start, end in folded.find_phrase(phrase):
                spans.append((start, end, kind, priority))
        for start, end, run in runs if keys else ():
            if any(k in run or (len(run) >= 6 and run in k) for k in keys):
                spans.append((start, end, kind, priority))
    return tuple(name_values)


def classify(value: str) -> str:
    """The type a direct value looks like: phone, email, url, iban, card, document, name."""
    det = detection_text(value).strip()
    if "@" in det and EMAIL.fullmatch(det):
        return "email"
    if URL.fullmatch(det):
        return "url"
    digits = "".join(c for c in det if c.isdecimal())
    if len(digits) < 5:
        return "name"
    compact = "".join(c for c in det if c.isalnum()).upper()
    if len(compact) >= 15 and is_iban(compact):
        return "iban"
    if any(c.isalpha() for c in det):
        # an id ("P01234567", "RSSMRA85T10A562S"), unless it is mostly words (an address)
        return "document" if 2 * len(digits) >= len(compact) or " " not in det else "name"
    international = det.lstrip("(").startswith(("+", "00"))
    if not international and 13 <= len(digits) <= 19 and is_card_number(digits):
        return "card"
    if PHONE_LIKE.fullmatch(det) and 7 <= len(digits) <= 15:
        return "phone"
    return "document"


@functools.lru_cache(maxsize=8192)
def _direct_pattern(value: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(type, phrase words, digit keys) to look for, for one direct value."""
    kind = classify(value)
    folded = fold_value(value)
    words = tuple(ALNUM_RUN.findall(folded))
    if sum(len(w) for w in words) < 3:
        words = ()
    keys: tuple[str, ...] = ()
    if kind == "name":
        if len(words) == 1:
            words = ()  # a single word is matched in all its forms by `variants`
    else:
        digits = "".join(c for c in folded if c.isdecimal())
        if len(digits) >= 5:  # its digits in any formatting; a phone also without "0"/"00"
            keys = tuple(dict.fromkeys(k for k in (digits, digits.lstrip("0")) if len(k) >= 5))
            if not any(c.isalpha() for c in folded):
                words = ()  # the digit runs of the text are compared instead
    return kind, words, keys


class _Folded:
    """The text folded for comparison, marks removed, with positions mapped back to `text`."""

    def __init__(self, text: str) -> None:
        # one character for one, so offsets in `folded` are offsets in `text`
        folded = fold_text(text)
        if len(folded) != len(text):  # cannot happen (one-to-one tables); be safe anyway
            raise ValueError("folded text length changed")
        self.length = len(text)
        self.folded = folded
        self.starts: list[int] = []  # start of each unmarked run, in stripped coordinates
        self.origins: list[int] = []  # and in text coordinates
        if MARK in folded:
            pieces = []
            position = 0
            for m in _UNMARKED.finditer(folded):
                self.starts.append(position)
                self.origins.append(m.start())
                pieces.append(m.group())
                position += len(m.group())
            self.stripped = "".join(pieces)
        else:
            self.stripped = folded

    def _to_text(self, position: int) -> int:
        if not self.starts:
            return position
        i = bisect.bisect_right(self.starts, position) - 1
        return self.origins[i] + position - self.starts[i]

    def _span(self, start: int, end: int) -> tuple[int, int]:
        s = self._to_text(start)
        e = self._to_text(end - 1) + 1
        while e < self.length and self.folded[e] == MARK:  # marks on the last letter
            e += 1
        return s, e

    def find_phrase(self, words: tuple[str, ...]) -> list[tuple[int, int]]:
        """Whole-word occurrences of `words`, separated by 1-3 non-word characters."""
        found: list[tuple[int, int]] = []
        if not words:
            return found
        s = self.stripped
        n = len(s)
        first = words[0]
        arabic = is_arabic(first[0])
        at = s.find(first)
        while at != -1:
            before = s[at - 1] if at else " "
            ok = not is_word(before) or (
                arabic and before == "و" and (at < 2 or not is_word(s[at - 2]))
            )
            end = at + len(first)
            for word in words[1:]:
                if not ok:
                    break
                gap = end
                while gap < n and gap - end < 3 and not is_word(s[gap]):
                    gap += 1
                ok = end < gap and s.startswith(word, gap)
                end = gap + len(word)
            if ok and (end >= n or not is_word(s[end])):
                found.append(self._span(at, end))
            at = s.find(first, at + 1)
        return found
