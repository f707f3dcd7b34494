"""Naming cues: "my name is …", "اسمي …", "мене звати …", "… ይበሃል": a name follows (or comes
before) whoever it belongs to, so it is redacted as `[NAME]` even when it is not among the
submission's direct answers (a family member, another spelling, a nickname).

Cues are word sequences in eight languages (English, French, Spanish, Arabic, Ukrainian, Dari,
Pashto, Tigrinya), compared on the words' light forms (`tokens.light`). After a cue, in Latin
and Cyrillic script the capitalised words that follow are the name (up to three: "Omar
Haddad"); in Arabic and Ge'ez script, which have no capitals, the next word, and the one after
it when the first is a particle of a compound name (عبد الله, أبو علي); before an after-cue
("ዳዊት ዝበሃል", "د احمد په نوم"), the word before it. One title or kin word
between the cue and the name is passed over ("اسم أخي محمود"). Misses: a name written in lower
case after a cue in Latin script, a surname after a cue in Arabic or Ge'ez script.
"""

from __future__ import annotations

import functools
import re

from privacy.redaction.lexicon import particles, person_markers, titles
from privacy.redaction.tokens import Token, among, cased_word, tokens

_BEFORE = """
my name is|my name's|my first name is|my surname is|his name is|her name is|their names are
name is|i am called|i'm called|call me|they call me|everyone calls me|known as|named|called
nicknamed|je m'appelle|m'appelle|je me nomme|mon nom est|mon prénom est|appelez-moi|on m'appelle
s'appelle|s'appelait|nommé|nommée|prénommé|prénommée|surnommé|surnommée|me llamo|mi nombre es
se llama|se llamaba|llamado|llamada|llámame|llamame|me dicen|me llaman|apodado|apodada
اسمي|اسمه|اسمها|اسم|يدعى|تدعى|أدعى|ينادونني|يناديني|ينادونه|ينادونها|يلقبونني|لقبي|كنيتي
باسم|المدعو|المدعوة|يسمى|تسمى|سموني
мене звати|звати|звуть|мене кличуть|кличуть|на ім'я|моє ім'я|ім'я|прізвище|на прізвище
نام من|نامم|اسم من|اسمم|نامش|اسمش|نام|نام او|نام وی
زما نوم|نوم یې|د هغه نوم|د هغې نوم|نوم
ስመይ|ስሙ|ስማ|ስም|ስሞም|ብስም|ዝስሙ|ዝስማ
"""
_AFTER = """
ይበሃል|ትበሃል|እበሃል|ይብሉኒ|ይጽውዑኒ|ይበሃሉ|ዝበሃል|እትበሃል|ዝበሃሉ
نومیږي|نومېږي|نومیږم|نومېږم|بلل کیږي|په نوم
می گویند|میگویند|صدا می کنند|صدایم می کنند|میگن
"""
_KNOWN_BY = "ይፈልጡኒ|ይፈልጠኒ|ትፈልጠኒ|ይፈልጥዎ|ይፈልጥዋ|ይፈልጡዎ|ይፈልጡዋ"
"""Tigrinya "they know me (him, her)": a naming cue only after a word that carries ብ ("by"):
"ብተስፋ ይፈልጡኒ" is "they know me as Tesfa" ("known as"), "ኩሎም ይፈልጡኒ" "everyone knows me"."""
_FILLER_WORDS = "is was est es era هو هي است دی دے እዩ እያ ኢዩ ኢያ ኢለ"
_GOD = "الله خدا خداوند ኣምላኽ እግዚኣብሄር"
""""In the name of God" (باسم الله, ብስም ኣምላኽ) names no one."""
_MAX_CASED_WORDS = 3
_GAP = re.compile(r"[\s\u200c\u200d:,\"'«»“”‘’\-–—]*")
_TITLE_GAP = re.compile(r"\.?[\s\u200c\u200d]*")
_ZWNJ_APOSTROPHES = str.maketrans({"\u200c": " ", "’": "'", "ʼ": "'"})


def _folded_words(block: str) -> list[tuple[str, ...]]:
    phrases = []
    for phrase in block.replace("\n", "|").split("|"):
        words = tuple(t[2] for t in tokens(phrase.translate(_ZWNJ_APOSTROPHES)))
        if words:
            phrases.append(words)
    return phrases


@functools.cache
def _index() -> dict[str, list[tuple[tuple[str, ...], bool]]]:
    """First word → [(whole cue, whether the name comes after it)], longest cues first."""
    index: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
    for block, before in ((_BEFORE, True), (_AFTER, False), (_KNOWN_BY, False)):
        for words in _folded_words(block):
            index.setdefault(words[0], []).append((words, before))
    for cues in index.values():
        cues.sort(key=lambda cue: -len(cue[0]))
    return index


@functools.cache
def _god() -> frozenset[str]:
    return frozenset(t[2] for t in tokens(_GOD))


@functools.cache
def _known_by() -> frozenset[str]:
    return frozenset(words[0] for words in _folded_words(_KNOWN_BY))


@functools.cache
def _sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(titles, titles and kin words, particles, fillers), folded."""

    def fold(words: frozenset[str]) -> frozenset[str]:
        return frozenset(t[2] for word in words for t in tokens(word)[:1])

    fillers = frozenset(t[2] for t in tokens(_FILLER_WORDS))
    return fold(titles()), fold(person_markers()), fold(particles()), fillers


@functools.cache
def _starts() -> frozenset[str]:
    return _sets()[1] | frozenset(_index())


def cue_names(text: str, toks: list[Token]) -> list[tuple[int, int]]:
    """Token index ranges [first, last] of names announced by a naming cue or a title."""
    index = _index()
    title_words, markers, _, _ = _sets()
    found: list[tuple[int, int]] = []
    n = len(toks)
    consumed = -1  # the last word of the cue just matched: "د X په نوم" is not also "نوم Y"
    starts = _starts()  # only a title, kin word or a cue's first word starts anything below
    for i in among(toks, starts):
        if i <= consumed:
            continue
        word = toks[i][2]
        if word in markers and i + 1 < n:
            name = _after_title(text, toks, i, word in title_words)
            if name is not None:
                found.append(name)
                continue
        cues = index.get(word)
        if not cues:
            continue
        for words, before in cues:
            last = i + len(words) - 1
            if last > i and (last >= n or toks[i + 1][2] != words[1]):
                continue  # the usual miss, decided without the loops below
            if last > i + 1 and any(toks[i + k][2] != words[k] for k in range(2, len(words))):
                continue
            if last > i and not all(adjacent(text, toks[k], toks[k + 1]) for k in range(i, last)):
                continue
            if before:
                name = _after(text, toks, last)
            elif words[0] in _known_by():
                name = _before(text, toks, i) if i and toks[i - 1][2].startswith("ብ") else None
            else:
                name = _before(text, toks, i)
            if name is not None:
                found.append(name)
            consumed = last
            break
    return found


def _after_title(text: str, toks: list[Token], i: int, title: bool) -> tuple[int, int] | None:
    """A title's next word, or a kin word's next capitalised word ("my brother Karim")."""
    after = toks[i + 1]
    m = _TITLE_GAP.match(text, toks[i][1], after[0])
    if m is None or m.end() != after[0]:
        return None
    if cased_word(after[2]):
        if not text[after[0]].isupper() or (not title and "." in text[toks[i][1] : after[0]]):
            return None
        return i + 1, i + 1
    return (i + 1, i + 1) if title else None


def adjacent(text: str, left: Token, right: Token) -> bool:
    """Only spaces, a colon, a comma, quotes or dashes between the two words."""
    m = _GAP.match(text, left[1], right[0])
    return m is not None and m.end() == right[0]


def _after(text: str, toks: list[Token], last: int) -> tuple[int, int] | None:
    _, markers, joiners, fillers = _sets()
    first = last + 1
    if (
        first < len(toks)
        and (toks[first][2] in fillers or toks[first][2] in markers)
        and adjacent(text, toks[last], toks[first])
    ):
        last, first = first, first + 1
    if first >= len(toks) or not adjacent(text, toks[last], toks[first]):
        return None
    token = toks[first]
    if token[2] in _god():
        return None
    end = first
    if cased_word(token[2]):
        if not text[token[0]].isupper():
            return None
        while (
            end + 1 < len(toks)
            and end + 1 - first < _MAX_CASED_WORDS
            and text[toks[end + 1][0]].isupper()
            and adjacent(text, toks[end], toks[end + 1])
        ):
            end += 1
        return first, end
    if token[2] in joiners and first + 1 < len(toks):
        end = first + 1
    return first, end


def _before(text: str, toks: list[Token], cue: int) -> tuple[int, int] | None:
    if cue == 0 or not adjacent(text, toks[cue - 1], toks[cue]):
        return None
    start = cue - 1
    if start and toks[start - 1][2] in _sets()[2]:
        start -= 1
    return start, cue - 1
