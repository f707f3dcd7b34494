"""Whether the sentence reads a matched word as a name: what a name that is also an everyday
word, a two-consonant match or a short stem needs before it is redacted (`variants`)."""

from __future__ import annotations

from privacy.redaction.cues import adjacent
from privacy.redaction.lexicon import kin_words, person_markers
from privacy.redaction.syntax import opens_arabic_clause
from privacy.redaction.tokens import (
    Token,
    cased_word,
    is_capitalised,
    light,
    sentence_initial,
    word_of,
)

Found = dict[int, tuple[int, int, str, bool | str]]
"""Matched words: token index -> (start, end, how, why it needs context: False, True, "stem",
"everyday")."""


def naming_context(text: str, toks: list[Token], i: int, found: Found) -> bool:
    """Capitalised inside a sentence, after a title or kin word, opening an Arabic clause,
    beside another name word, or joined by "and" to a kin word."""
    token = toks[i]
    if cased_word(token[2]) and is_capitalised(text, token) and not sentence_initial(text, token):
        return True  # "we met Hope at the camp"
    if i and light(text[toks[i - 1][0] : toks[i - 1][1]]) in person_markers():
        return True
    if found[i][3] != "stem" and opens_arabic_clause(text, toks, i, found[i][0]):
        return True  # "ونور كانت متعبة" (not "فعلي أن", "so I must": a short stem)
    for j in (i - 1, i + 1):  # beside another name word: "Amal Haddad", "ሕድሪ ሓጎስ"
        if j in found and adjacent(text, toks[min(i, j)], toks[max(i, j)]):
            return True
    return _and_kin(text, toks, i)


def _and_kin(text: str, toks: list[Token], i: int) -> bool:
    """The word is joined by "and" to a kin word: "ተስፋን ኣደይን" ("Tesfa and my mother"),
    "نور وأمي", "امید و مادرم". A person is coordinated with a relative; "hope of my mother"
    (أمل أمي, ተስፋ ኣደይ, no conjunction) is not read so."""
    j = i + 1
    if j >= len(toks) or not adjacent(text, toks[i], toks[j]):
        return False
    if toks[j][2] == "و" and j + 1 < len(toks):  # "و" written apart (Dari, Pashto)
        j += 1
        conjunction = True
    else:
        conjunction = False
    kin = kin_words()
    both_suffixed = toks[i][2].endswith("ን")
    for form in word_of(text, toks[j]).forms:
        if form.light not in kin:
            continue
        if conjunction and not form.skip and not form.cut:
            return True
        if form.skip == 1 and toks[j][2][0] == "و":
            return True
        if both_suffixed and form.cut and toks[j][2].endswith("ን"):
            return True
    return False
