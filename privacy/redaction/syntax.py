"""Grammar that tells a name from the everyday word it equals where a script has no capitals.

Latin and Cyrillic text says "Hope" for the person and "hope" for the word; Arabic script does
not. One rule of Arabic grammar still tells them apart: a sentence does not begin with a bare
indefinite noun (لا يُبتدأ بالنكرة). The everyday word comes with the article (الأمل), as the
first part of a construct (نور الصباح, أمل العودة, نور أمي: before a word with the article or
a kin word, definite by its suffix) or after what allows it (هناك, لدينا, لا);
a bare word equal to a given name that opens a sentence or a clause joined by و or ف is the
person ("ونور كانت متعبة", "فأمل نامت"). Not in Dari or Pashto text (any Persian letter in the
text), whose grammar lets a bare noun open a sentence ("امید هست").

Misses: a bare noun described by an adjective may open an Arabic sentence ("أمل كبير يبقى"),
and is then read as the name.
"""

from __future__ import annotations

from privacy.redaction.lexicon import kin_words
from privacy.redaction.scripts import ARABIC, persian_or_pashto, script_of
from privacy.redaction.text import MARK, fold_text
from privacy.redaction.tokens import Token, light, sentence_initial

_CONJUNCTIONS = frozenset({"", "و", "ف"})


def opens_arabic_clause(text: str, toks: list[Token], i: int, start: int) -> bool:
    """Whether the bare word of `toks[i]` (the name part starting at `start`, after any
    conjunction) opens a sentence of Arabic text, not as the first part of a construct."""
    token = toks[i]
    if script_of(token[2]) != ARABIC or not sentence_initial(text, token):
        return False
    clitic = fold_text(text[token[0] : start]).replace(MARK, "")
    if clitic not in _CONJUNCTIONS or token[2][len(clitic) :].startswith("ال"):
        return False  # a preposition or the article: بأمل, الأمل (kept in the span)
    if i + 1 < len(toks) and (
        toks[i + 1][2].startswith("ال")
        or light(text[toks[i + 1][0] : toks[i + 1][1]]) in kin_words()
    ):
        return False  # نور الصباح "the morning light", نور أمي "my mother's light"
    return not persian_or_pashto(text)
