"""The words of a text, as name matching and naming cues read them.

A text is cut into words once (letters and the combining marks on them, over the folded view of
`text`, so offsets are offsets in the text) and every word is described once per process
(`Word`, cached): its folded form, a "light" form that keeps the letters folding merges (على
"on" stays apart from the name علي), its script, the forms left when a clitic is taken off
(Arabic و ف ب ك ل ال, Tigrinya ን ብ and the suffix ን "and", a Latin "al"/"el" written joined)
and the comparison keys of `scripts`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from privacy.redaction.scripts import ARABIC, CYRILLIC, ETHIOPIC, LATIN, keys, script_of
from privacy.redaction.text import GEEZ_VARIANTS, MARK, fold_text

# A word: letters and marks; in Cyrillic, an apostrophe between letters too (Ukrainian
# "Любов'ю", "ім'я": the apostrophe is part of the spelling), left out of the folded form.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|\x01|(?<=[а-яіїєґ])['’](?=[а-яіїєґ]))*")
_PLAIN_WORD = re.compile(r"[^\W\d_]+")  # `_WORD` in a text without marks or apostrophes
_ASCII_WORD = re.compile(r"[A-Za-z]+")  # the same in ASCII
_NOT_LETTERS = str.maketrans({MARK: None, "'": None, "’": None})
_INNER_APOSTROPHE = re.compile(r"(?<=[а-яіїєґ])['’](?=[а-яіїєґ])")
_ALEFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ـ": None, **GEEZ_VARIANTS})
_SENTENCE_END = frozenset(".!?\n:;…。؟።፧")
_QUOTES = frozenset("\"'«»“”‘’()[]-–— \t\r\u00a0")

# Clitics taken off a word before it is compared (the longest first); what is left keeps at
# least two letters. Arabic script: conjunctions و ف, prepositions ب ك ل, the article ال.
_PREFIXES = {
    ARABIC: (
        "وبال", "وال", "فال", "بال", "كال", "لل", "ال", "وب", "ول", "فب", "فل",
        "و", "ف", "ب", "ك", "ل",
    ),
    ETHIOPIC: ("ካብ", "ምስ", "ከም", "ን", "ብ", "ና", "ከ"),
    LATIN: ("al", "el"),
}  # fmt: skip
# Suffixes: Tigrinya ውን "also", ን "and", ስ "as for", ዶ (a question), ከ "and what about";
# Arabic-script ها and ه "her, his" (Dari ها, the plural), Dari را (the object marker, which
# informal writing joins: "امیدرا").
_SUFFIXES = {ETHIOPIC: ("ውን", "ን", "ስ", "ዶ", "ከ"), ARABIC: ("ها", "ه", "را")}
_MIN_STEM = {ARABIC: 3, ETHIOPIC: 2, LATIN: 3}


@dataclass(frozen=True, slots=True)
class Form:
    """One reading of a word: the word itself or what is left without a clitic."""

    skip: int  # letters taken off at the start
    cut: int  # letters taken off at the end
    folded: str
    light: str
    vowel: str
    consonant: str


@dataclass(frozen=True, slots=True)
class Word:
    script: str
    forms: tuple[Form, ...]  # the word first


Token = tuple[int, int, str]
"""A word of a text: start, end, folded (case, diacritics and marks dropped; `text.fold_text`)."""


def light(word: str) -> str:
    """Case and marks dropped, alef forms and Ge'ez letter variants unified (`text`); other
    letters kept as written."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(_ALEFS)


@functools.lru_cache(maxsize=200_000)
def describe(raw: str, folded: str) -> Word:
    """A word of a text (`raw` as written, `folded` without marks), with its clitic forms."""
    script = script_of(folded)
    plain = light(raw)
    forms = [Form(0, 0, folded, plain, *keys(plain))]
    minimum = _MIN_STEM.get(script, 3)
    for prefix in _PREFIXES.get(script, ()):
        if folded.startswith(prefix) and len(folded) - len(prefix) >= minimum:
            rest = plain[len(prefix) :]
            forms.append(Form(len(prefix), 0, folded[len(prefix) :], rest, *keys(rest)))
    for suffix in _SUFFIXES.get(script, ()):
        for form in tuple(forms):
            if form.folded.endswith(suffix) and len(form.folded) - len(suffix) >= minimum:
                stem, stem_light = form.folded[: -len(suffix)], form.light[: -len(suffix)]
                forms.append(Form(form.skip, len(suffix), stem, stem_light, *keys(stem_light)))
    return Word(script, tuple(forms))


def tokens(text: str, folded: str | None = None) -> list[Token]:
    """The words of `text` with their offsets; `folded` is `fold_text(text)` if known."""
    if folded is None:
        folded = fold_text(text)
    if ("'" in folded or "’" in folded) and _INNER_APOSTROPHE.search(folded):
        return [
            (m.start(), m.end(), m.group().translate(_NOT_LETTERS)) for m in _WORD.finditer(folded)
        ]
    if MARK in folded:
        return [(m.start(), m.end(), m.group().replace(MARK, "")) for m in _WORD.finditer(folded)]
    # Without marks or such apostrophes `_WORD` is a run of letters, found at a fraction of its
    # cost (every free-text answer passes here); in ASCII a letter is [A-Za-z].
    pattern = _ASCII_WORD if folded.isascii() else _PLAIN_WORD
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(folded)]


def word_of(text: str, token: Token) -> Word:
    """The description of a token's word (cached by its spelling)."""
    return describe(text[token[0] : token[1]], token[2])


def letter_span(text: str, token: Token, form: Form) -> tuple[int, int]:
    """The offsets of `form` in `text`: the token without the letters its clitics took."""
    start, end = token[0], token[1]
    for _ in range(form.skip):
        start += 1
        while start < end and unicodedata.combining(text[start]):
            start += 1
    for _ in range(form.cut):
        end -= 1
        while end > start and unicodedata.combining(text[end]):
            end -= 1
    return start, end


def is_capitalised(text: str, token: Token) -> bool:
    """Written with a capital (Latin, Cyrillic), or all in capitals (as on a document)."""
    return text[token[0]].isupper()


def sentence_initial(text: str, token: Token) -> bool:
    """The first word of a sentence (or of the text)."""
    at = token[0] - 1
    while at >= 0 and text[at] in _QUOTES:
        at -= 1
    return at < 0 or text[at] in _SENTENCE_END


def cased(script: str) -> bool:
    return script in (LATIN, CYRILLIC)


def cased_word(folded: str) -> bool:
    """A word of a script with capitals (Latin, Cyrillic), by its folded form."""
    return folded.isascii() or script_of(folded) in (LATIN, CYRILLIC)


def among(toks: list[Token], words: frozenset[str]) -> list[int]:
    """The indices of the tokens whose folded word is one of `words`: a story has hundreds of
    words and a detector looks for a few, so its loop runs over these only."""
    return [i for i, token in enumerate(toks) if token[2] in words]


def capitalised_or_among(text: str, toks: list[Token], words: frozenset[str]) -> list[int]:
    """The indices of the tokens that are one of `words`, written with a capital, or of a
    script without capitals (not `cased_word`)."""
    if text.isascii():  # only Latin words
        return [
            i for i, (start, _, word) in enumerate(toks) if word in words or text[start].isupper()
        ]
    return [
        i
        for i, (start, _, word) in enumerate(toks)
        if word in words or text[start].isupper() or (not word.isascii() and _uncased(word))
    ]


@functools.lru_cache(maxsize=65536)
def _uncased(folded: str) -> bool:
    return not cased_word(folded)
