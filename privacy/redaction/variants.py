"""The respondent's own name in every form it takes on the route: other spellings, other
scripts, case forms, clitics, and the homonyms that must stay.

Candidate words are cut from the text (`tokens`), each with the forms left without a clitic,
and compared with the words of the submission's direct name answers:

- `direct`: the same word, folded (case, diacritics, harakat, Arabic letter variants);
- `variant`: an inflected form (*pymorphy3* with its Ukrainian dictionaries: "з Марією",
  "Петром"), the word after a clitic ("لأحمد", "ንሳባ"), a joined particle ("Alzoubi",
  "عبدالله"), a spelling of the same family (equal vowel keys, or *rapidfuzz* similarity
  ≥ 0.8 of the keys: Mohammed/Muhammad);
- `transliteration`: the same keys in another script ("Olena"/"Олена", "Yusuf"/"يوسف",
  "Abraham"/"ኣብርሃም").

Spelling and script matches are only looked for in capitalised Latin and Cyrillic words (and
every Arabic and Ge'ez word), and never where the text's word only extends the name
("Ahmadi" for "Ahmad"). A word that is also a common word ("Hope", أمل, надія, ሰላም), or a
two-consonant match across scripts, is redacted only in a naming context: capitalised inside a
sentence, after a title or kin word ("Mrs", "пані", السيدة, ኣቶ), next to another name word,
joined by "and" to a kin word ("ተስፋን ኣደይን", "نور وأمي"), or after a naming cue (`cues`).
A short stem after a clitic needs context too ("فعلي" is "actually"), unless it is the
person's own answer as written after a preposition or و (بعمر, لعلي, ንሳባ; `_short_stem`).
A capitalised word that matches nothing is tried joined to the next ("Ahmad Shah", "Du'a").
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from privacy.redaction.context import naming_context
from privacy.redaction.cues import adjacent, cue_names
from privacy.redaction.lexicon import common_word_names, particles
from privacy.redaction.morphology import case_forms
from privacy.redaction.scripts import (
    ABJADS,
    CYRILLIC,
    ETHIOPIC,
    LATIN,
    glottal_key,
    keys,
    other_keys,
    persian_or_pashto,
)
from privacy.redaction.text import PRIORITY, Span
from privacy.redaction.tokens import (
    Form,
    Token,
    Word,
    capitalised_or_among,
    cased,
    cased_word,
    describe,
    letter_span,
    light,
    tokens,
    word_of,
)

_SIMILAR = 0.8
_MIN_FUZZY = 4


@dataclass(frozen=True, slots=True)
class NameWord:
    folded: str
    vowel: str
    consonant: str
    script: str
    common: bool  # also an everyday word: redacted only in a naming context


@dataclass(frozen=True)
class Names:
    """The words of a submission's direct name answers, indexed for comparison."""

    exact: dict[str, tuple[NameWord, bool]]  # folded form -> (word, is the word itself)
    by_vowel: dict[str, NameWord]
    by_consonant: dict[str, NameWord]
    vowels: dict[str, tuple[str, ...]]  # by first letter, for similarity
    consonants: dict[str, tuple[str, ...]]
    words: tuple[NameWord, ...]
    by_glottal: dict[str, NameWord]  # one-consonant abjad names with ع or hamza (`glottal_key`)
    written: frozenset[str]  # the words of `exact` and the particles, as the text folds them


@functools.lru_cache(maxsize=4096)
def names_of(values: tuple[str, ...], stop: frozenset[str]) -> Names:
    """Index the name words of `values` (particles and `stop` parts only joined to the next)."""
    exact: dict[str, tuple[NameWord, bool]] = {}
    by_vowel: dict[str, NameWord] = {}
    by_consonant: dict[str, NameWord] = {}
    by_glottal: dict[str, NameWord] = {}
    words: list[NameWord] = []
    joiners = particles()
    for value in values:
        spans = tokens(value)
        toks = [word_of(value, token) for token in spans]
        for i, token in enumerate(toks):
            form = token.forms[0]
            pieces = [(form.folded, form.light)]
            if form.light in joiners and i + 1 < len(toks):  # Al-Zoubi -> Alzoubi
                after = toks[i + 1].forms[0]
                pieces = [(form.folded + after.folded, form.light + after.light)]
            elif form.folded in stop:
                continue
            elif (form.light.startswith("ال") and len(form.light) > 4) or (
                form.light.startswith(("al", "el")) and len(form.light) > 5
            ):  # الزعبي and Alzoubi are also written Zoubi
                pieces.append((form.folded[2:], form.light[2:]))
            for folded, plain in pieces:
                script = token.script
                if len(folded) < (3 if cased(script) else 2):
                    continue
                # two Arabic letters (گل "Gul") make too many words to be taken alone
                common = plain in common_word_names() or (len(folded) < 3 and script != ETHIOPIC)
                word = NameWord(folded, *keys(plain), script, common)
                words.append(word)
                exact.setdefault(folded, (word, True))
                spellings = [(word.vowel, word.consonant), other_keys(plain)]
                if script == CYRILLIC:
                    # as written: folding makes Андрій "андріи", which no dictionary knows
                    written = value[spans[i][0] : spans[i][1]].lower()
                    for inflected in case_forms(written if folded == form.folded else folded):
                        exact.setdefault(inflected, (word, False))
                if script in ABJADS and len(word.consonant) < 2 and glottal_key(plain):
                    by_glottal.setdefault(glottal_key(plain), word)
                for vowel, consonant in filter(None, spellings):
                    if len(vowel) >= 3:
                        by_vowel.setdefault(vowel, word)
                    if len(consonant) >= 2:
                        by_consonant.setdefault(consonant, word)
    return Names(
        exact,
        by_vowel,
        by_consonant,
        _by_first(by_vowel),
        _by_first(by_consonant),
        tuple(words),
        by_glottal,
        frozenset(exact) | _folded_particles(),
    )


def _by_first(index: dict[str, NameWord]) -> dict[str, tuple[str, ...]]:
    """The keys of `index` long enough to compare by similarity, by their first letter."""
    grouped: dict[str, list[str]] = {}
    for key in index:
        if len(key) >= _MIN_FUZZY:
            grouped.setdefault(key[0], []).append(key)
    return {first: tuple(keys) for first, keys in grouped.items()}


def _compare(names: Names, form: Form, script: str) -> tuple[NameWord, str, bool] | None:
    """(name word, how, needs a naming context) for one form of a text word, or None."""
    hit = names.exact.get(form.folded)
    if hit is not None:
        return hit[0], "direct" if hit[1] else "variant", False
    if not form.vowel:
        return None
    word: NameWord | None = names.by_vowel.get(form.vowel)
    short = False
    if word is None:
        word = names.by_consonant.get(form.consonant)
        if word is not None and not (word.script in ABJADS or script in ABJADS):
            word = None  # consonants alone decide only where an abjad leaves vowels out
        short = word is not None and len(word.consonant.rstrip("i")) < 3
    if word is None and len(form.vowel) >= _MIN_FUZZY:
        word = _closest(form.vowel, names.vowels.get(form.vowel[0], ()), names.by_vowel)
    if word is None and len(form.consonant) >= _MIN_FUZZY:  # "Mohmand" and "مومند"
        candidates = names.consonants.get(form.consonant[0], ())
        word = _closest(form.consonant, candidates, names.by_consonant)
        if word is not None and not (word.script in ABJADS or script in ABJADS):
            word = None
    if word is None and names.by_glottal and script == LATIN:  # Doaa, Du'a for دعاء
        word = names.by_glottal.get(glottal_key(form.light))
    if (
        word is None
        or (form.folded.startswith(word.folded) and form.vowel != word.vowel)
        or (form.vowel.startswith(word.vowel + "i") and word.script != ETHIOPIC)
    ):
        return None  # "Ahmadi" is not "Ahmad" (but "Hagoss" is "Hagos")
    how = "variant" if word.script == script else "transliteration"
    return word, how, short


def _closest(key: str, keys: tuple[str, ...], index: dict[str, NameWord]) -> NameWord | None:
    """The name word whose key among `keys` (those with the same first letter) is most like
    `key`, with a similarity of at least 0.8."""
    best, word = 0.0, None
    for candidate in keys:
        score = Levenshtein.normalized_similarity(candidate, key)
        if score >= _SIMILAR and score > best:
            best, word = score, index[candidate]
    return word


def find(
    text: str,
    folded: str,
    values: tuple[str, ...],
    stop: frozenset[str],
    spans: list[Span],
    everyday_always: bool = False,
) -> None:
    """Add the spans of direct name words (any form) and of cue-announced names.

    A name that is also an everyday word (أمل "hope", ሰላም "peace", Hope) needs a naming context
    by default, so the story stays readable; with `everyday_always` (the project's DPO chose
    recall over readability) it goes wherever it stands."""
    toks = tokens(text, folded)
    if not toks:
        return
    found: dict[int, tuple[int, int, str, bool | str]] = {}  # token -> span, how, needs context
    names = names_of(values, stop) if values else None
    if names is not None and names.words:
        _match(text, toks, names, found)
    cued: set[int] = set()
    for first, last in cue_names(text, toks):
        cued.update(range(first, last + 1))
        spans.append((toks[first][0], toks[last][1], "name/cue", PRIORITY["cue"]))
    joiners = _folded_particles()
    for i, (start, end, how, common) in found.items():
        needs_context = common and not (everyday_always and common == _EVERYDAY)
        if needs_context and i not in cued and not naming_context(text, toks, i, found):
            continue
        if i and toks[i - 1][2] in joiners and toks[i - 1][1] >= start - 1:
            start = toks[i - 1][0]  # "Al-[NAME]" would keep half the name
        kind = "name" if how == "direct" else f"name/{how}"
        spans.append((start, end, kind, PRIORITY["direct" if how == "direct" else "variant"]))


_EVERYDAY = "everyday"
"""Why a matched name word needs context: it is also an everyday word (the other reasons, a
short or a stem match, are weaker evidence that stays context-bound in every mode)."""


def _match(
    text: str, toks: list[Token], names: Names, found: dict[int, tuple[int, int, str, bool | str]]
) -> None:
    exact = names.exact
    joiners = _folded_particles()
    persian = persian_or_pashto(text)
    # a lower-case Latin or Cyrillic word that is not a name word as written or a particle is
    # passed over below: the loop sees only the others (most of a story's words are not)
    for i in capitalised_or_among(text, toks, names.written):
        token = toks[i]
        if token[2] in joiners and i + 1 < len(toks) and adjacent(text, token, toks[i + 1]):
            joined = _compound(text, token, toks[i + 1], names)  # "عبد الله", "Abu Ali"
            if joined is not None:
                found[i] = (
                    token[0],
                    toks[i + 1][1],
                    joined[1],
                    _EVERYDAY if joined[0].common else False,
                )
                continue
        if i - 1 in found and found[i - 1][1] >= token[1]:
            continue  # the second word of a compound just matched
        hit = exact.get(token[2])
        lower = not text[token[0]].isupper()
        if lower and (hit is not None or cased_word(token[2])):
            # lower case in Latin and Cyrillic: the word as written only ("ahmad", "марією")
            if hit is not None:
                everyday = hit[0].common or light(text[token[0] : token[1]]) in common_word_names()
                how = "direct" if hit[1] else "variant"
                found[i] = (token[0], token[1], how, _EVERYDAY if everyday else False)
            continue
        word = word_of(text, token)
        for form in _readings(word, exact, persian or not token[2].endswith(_OBJECT_MARKER)):
            match = _compare(names, form, word.script)
            if match is None:
                continue
            name, how, short = match
            stem = _short_stem(word.script, form, token[2], names)
            weak: bool | str = short or ("stem" if stem else False)
            everyday = name.common or form.light in common_word_names()
            # an everyday word that is also a weak match stays context-bound in every mode
            common: bool | str = (True if weak else _EVERYDAY) if everyday else weak
            start, end = letter_span(text, token, _name_part(word.script, token[2], form))
            found[i] = (start, end, how, common)
            break
        else:
            if cased(word.script) and i + 1 < len(toks):
                _split(text, token, toks[i + 1], names, found, i)


_APOSTROPHES = frozenset("'’ʼ")


def _split(
    text: str,
    token: Token,
    after: Token,
    names: Names,
    found: dict[int, tuple[int, int, str, bool | str]],
    i: int,
) -> None:
    """A name written in two pieces that the answer writes as one: "Ahmad Shah" (احمدشاه,
    Ahmadshah), "Du'a" (Doaa): a capitalised word and, after one space or hyphen, another
    capitalised word, or, after an apostrophe, any letters."""
    gap = text[token[1] : after[0]]
    if len(gap) != 1 or not text[token[0]].isupper():
        return
    if gap not in _APOSTROPHES and (gap not in " -" or not text[after[0]].isupper()):
        return
    raw = text[token[0] : token[1]] + text[after[0] : after[1]]
    word = describe(raw, token[2] + after[2])
    match = _compare(names, word.forms[0], word.script)
    if match is not None:
        name, how, short = match
        everyday = name.common or word.forms[0].light in common_word_names()
        found[i] = (token[0], after[1], how, (True if short else _EVERYDAY) if everyday else short)


def _compound(
    text: str, first: Token, second: Token, names: Names
) -> tuple[NameWord, str, bool] | None:
    """A particle and the next word read as one name ("عبد الله" for Abdullah or عبدالله)."""
    raw = text[first[0] : first[1]] + text[second[0] : second[1]]
    word = describe(raw, first[2] + second[2])
    return _compare(names, word.forms[0], word.script)


_OBJECT_MARKER = "را"


def _readings(
    word: Word, exact: dict[str, tuple[NameWord, bool]], marker: bool = True
) -> Iterator[Form]:
    """The word's forms, those equal to a name word first (لعلي is ل + علي before it is a
    spelling of علي), then, in an abjad, its first form with و and ي read as consonants.
    Without `marker` (Arabic text), a final را is not Dari's object marker: سامرا is the town,
    not سام + را, and أخيرا "at last" is one word."""
    forms = word.forms
    if not marker:
        forms = tuple(f for f in forms if f.cut != len(_OBJECT_MARKER))
    if len(forms) > 1 and forms[0].folded not in exact:
        first = [form for form in forms if form.folded in exact]
        if first:
            forms = (*first, *(form for form in forms if form.folded not in exact))
    yield from forms
    if word.script in ABJADS:
        other = _consonant_reading(word.forms[0])
        if other is not None:
            yield other


@functools.lru_cache(maxsize=65536)
def _consonant_reading(form: Form) -> Form | None:
    other = other_keys(form.light)
    return None if other is None else dataclasses.replace(form, vowel=other[0], consonant=other[1])


def _name_part(script: str, folded: str, form: Form) -> Form:
    """What of the word is redacted: a joined particle is part of the name ("Elkhatib",
    "الزعبي"), a conjunction or preposition is not ("و[NAME]", "ን[NAME]")."""
    if not form.skip:
        return form
    if script == LATIN:
        return dataclasses.replace(form, skip=0)
    if folded[: form.skip].endswith("ال"):
        return dataclasses.replace(form, skip=form.skip - 2)
    return form


@functools.cache
def _folded_particles() -> frozenset[str]:
    return frozenset(token[2] for word in particles() for token in tokens(word))


def _short_stem(script: str, form: Form, folded_word: str, names: Names) -> bool:
    """A clitic taken off a stem of three letters or fewer: "فعلي" ("actually") is not "ف" and
    "علي". Read so without context: after the conjunction و, and when the stem is the
    respondent's own answer as written after a preposition or conjunction (بعمر "with Omar",
    لعلي "to Ali", ንሳባ "to Saba"): that the person's own name stands there is strong evidence,
    although بعمر and لعلي are also words ("at the age of", "perhaps I"). Not after ف ("so",
    before any clause) or the article (العمر "the age")."""
    if form.skip == 0 or len(form.folded) > (2 if script == ETHIOPIC else 3):
        return False  # a Ge'ez letter is a syllable
    clitic = folded_word[: form.skip]
    if script in ABJADS and clitic == "و":
        return False
    own = names.exact.get(form.folded)
    if own is None or not own[1]:
        return True
    return script in ABJADS and (clitic.startswith("ف") or clitic.endswith(("ال", "لل")))
