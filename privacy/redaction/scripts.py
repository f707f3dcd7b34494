"""Comparison keys for names across scripts: what makes "Youssef", "Yusuf" and "يوسف" one name.

A name reaches a story in another script or spelling than the form's answer: a passport's
romanisation, a nickname written at the camp, a transliteration family (Yacoub/Yagoub,
Soltani/Sultani, Doaa/Duaa). Each word is first romanised by ICU's transliterators
(*PyICU*, `Any-Latin; Latin-ASCII`: Arabic, Persian, Pashto, Cyrillic and Ethiopic to plain
Latin), then reduced to two keys:

- `vowel key`: the romanisation with spelling families folded (ou/oo/u/o → u, e/i/y → i,
  c/q/g/k → k, ph → f, doubled letters once, a final h dropped): equal for Youssef/Yousef,
  Mustafa/Moustafa, Doaa/Duaa, Олена/Olena, ዮሃንስ/Yohanes (close, compared with *rapidfuzz*);
- `consonant key`: the vowel key without its vowels (a final "i" kept: Ahmadi is not Ahmad),
  what an abjad writes: يوسف and Yusuf are both "ysf", محمد and Mohammed "mhmd".

Ge'ez letter variants (አ/ኣ/ዐ, ሀ/ሐ/ኀ, ሰ/ሠ, ጸ/ፀ, in every order) are unified before this, in
`text.fold_text` and `tokens.light`, so a word's keys do not depend on which one was written.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import icu

ARABIC, LATIN, CYRILLIC, ETHIOPIC, OTHER = "arabic", "latin", "cyrillic", "ethiopic", "other"
ABJADS = frozenset({ARABIC})

_TRANSLITERATOR = "Any-Latin; Latin-ASCII; Lower"  # also OTHER in `_transliterator`
# Ge'ez: the Ethiopian standard romanisation (ES 3842) writes names as Eritreans and Ethiopians
# do in Latin letters (ተኽለ "tekhle", ጸጋይ "tsegai"); ICU's default writes "taḵǝla", "ṣagāy".
# Cyrillic: the Ukrainian romanisation (г "h", и "y"), as Ukrainian passports write names.
_BY_SCRIPT = {
    ARABIC: "Any-Latin",
    ETHIOPIC: "Ethiopic-Latin/ES3842; Latin-ASCII; Lower",
    CYRILLIC: "Ukrainian-Latin/BGN; Latin-ASCII; Lower",
}
_NOT_LETTER = re.compile(r"[^a-z]+")
_FAMILIES = (  # spelling families of romanised names, applied in order
    (re.compile(r"x"), "ks"),
    (re.compile(r"(?<=[^aeiouy]{2})e$|(?<=[aiouy][^aeiouy])e$"), ""),  # a silent final e
    (re.compile(r"ph"), "f"),
    (re.compile(r"(?<=[a-z])[kg]h|^kh"), "k"),
    (re.compile(r"[sc]h"), "s"),
    (re.compile(r"[td]h"), lambda m: m.group()[0]),
    # the digraphs above apply to Latin spellings only (`_DIGRAPHS`)
    (re.compile(r"^wo(?!o)"), "we"),  # Ge'ez ወ written "wo" and "we": Wolde/Welde, Worku/Werku
    (re.compile(r"ou|oo|ow|o"), "u"),
    (re.compile(r"ee|ei|ey|ai|ay|e"), "i"),
    (re.compile(r"(?<=.)y"), "i"),
    (re.compile(r"^j"), "y"),  # Jonas/Yonas, Jamal/ج (y before a vowel, as i elsewhere)
    (re.compile(r"[cqg]|ck"), "k"),
    (re.compile(r"w"), "v"),
    (re.compile(r"(.)\1+"), r"\1"),
)
_DIGRAPHS = 6
_VOWELS = re.compile(r"[aiu]+")
# Letters Arabic does not write: a word or text with one is Dari or Pashto.
_PERSIAN_LETTERS = re.compile("[پچژگکیۀټډړږښګڼۍېځڅ]")
_PERSIAN_SOUNDS = str.maketrans({"ذ": "ز", "ض": "ز", "ظ": "ز", "ث": "س", "ص": "س", "ط": "ت"})
_ABJAD_LETTERS = str.maketrans(
    {
        "ى": "ا",
        "ة": "ه",
        "ۀ": "ه",
        # Pashto letters ICU's Arabic-Latin leaves out, as their Persian neighbours
        "ګ": "گ",
        "ږ": "ژ",
        "ڼ": "ن",
        "ۍ": "ی",
        "ې": "ی",
        "ټ": "ت",
        "ډ": "د",
        "ړ": "ر",
        "ښ": "ش",
        "ځ": "ز",
        "څ": "س",
    }
)


def script_of(word: str) -> str:
    """The script of a word, by its first letter."""
    for ch in word:
        if "a" <= ch <= "z" or "A" <= ch <= "Z" or "\u00c0" <= ch <= "\u024f":
            return LATIN
        if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\u08a0" <= ch <= "\u08ff":
            return ARABIC
        if "\u0400" <= ch <= "\u04ff":
            return CYRILLIC
        if "\u1200" <= ch <= "\u139f" or "\u2d80" <= ch <= "\u2ddf" or "\uab00" <= ch <= "\uab2f":
            return ETHIOPIC
        if ch.isalpha():
            return OTHER
    return OTHER


@functools.cache
def _transliterator(script: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(_BY_SCRIPT.get(script, _TRANSLITERATOR))


@functools.lru_cache(maxsize=65536)
def romanise(word: str) -> str:
    """`word` in plain lower-case Latin letters (ICU), nothing else kept."""
    if word.isascii():
        return _NOT_LETTER.sub("", word.lower())
    script = script_of(word)
    latin = _transliterator(script).transliterate(word)
    if script == ARABIC:
        # ICU writes one Arabic letter as "kẖ", "sẖ", "dẖ" and two letters as "sh": keep one
        # letter one letter (خ k, ش s, ذ d), so سهراب stays "shrab" beside Sohrab
        latin = unicodedata.normalize("NFD", latin).replace("h\u0331", "")
        latin = "".join(c for c in latin if not unicodedata.combining(c))
    return _NOT_LETTER.sub("", latin.lower())


_GLOTTAL_LETTERS = str.maketrans(dict.fromkeys("عءأإؤئ", "'"))
_LATIN_GLOTTAL = re.compile(r"[aeiou]{2,}|'")
_NOT_GLOTTAL_KEY = re.compile(r"[^a-z']+|[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")


@functools.lru_cache(maxsize=4096)
def glottal_key(word: str) -> str:
    """The consonants of a word with ع and hamza kept as "'": what is left of دعاء ("d'") and
    علاء ("l'") beside Doaa, Duaa, Du'a and Alaa, whose Latin spellings write the glottal sound
    as two vowels or an apostrophe. The other keys drop both, leaving one letter, too little to
    compare; "" for a word that has no glottal sound."""
    if script_of(word) in ABJADS:
        if word.translate(_GLOTTAL_LETTERS) == word:
            return ""
        latin = _transliterator(ARABIC).transliterate(word.translate(_GLOTTAL_LETTERS))
        latin = unicodedata.normalize("NFD", latin).lower()
    elif word.isascii():
        latin = _LATIN_GLOTTAL.sub("'", word.lower())
    else:
        return ""
    key = _REPEATS.sub(r"\1", _NOT_GLOTTAL_KEY.sub("", latin)).lstrip("'")
    return key if "'" in key else ""


@functools.lru_cache(maxsize=4096)
def other_keys(word: str) -> tuple[str, str] | None:
    """A second reading of a word's keys, or None: a Cyrillic word romanised the Russian way
    (г "g", и "i": "Ganna" for Ганна), as older documents write Ukrainian names; an Arabic-script
    word with و and ي read as the consonants w and y (درويش "Darwish") rather than as vowels."""
    script = script_of(word)
    if script == CYRILLIC:
        latin = _transliterator(OTHER).transliterate(word).lower()
        return _keys_of(CYRILLIC, _NOT_LETTER.sub("", latin))
    if script in ABJADS and ("و" in word[1:] or "ي" in word[1:] or "ی" in word[1:]):
        return _keys_of(LATIN, romanise(_abjad_letters(word)))
    return None


@functools.lru_cache(maxsize=65536)
def keys(word: str) -> tuple[str, str]:
    """(vowel key, consonant key) of a word of any script (case and marks do not matter).

    Arabic ى is read as the "a" it is (مصطفى, and على "on" stays apart from علي), ة as a final
    h, which the keys drop.
    """
    script = script_of(word)
    if script in ABJADS:
        word = _abjad_letters(word)
    return _keys_of(script, romanise(word))


def persian_or_pashto(text: str) -> bool:
    """Whether `text` has a letter Arabic does not write (Dari or Pashto text)."""
    return _PERSIAN_LETTERS.search(text) is not None


def _abjad_letters(word: str) -> str:
    word = word.translate(_ABJAD_LETTERS)
    if persian_or_pashto(word):  # Dari and Pashto say ذ ض ظ as z, ث ص as s
        word = word.translate(_PERSIAN_SOUNDS)
    return word


def _keys_of(script: str, latin: str) -> tuple[str, str]:
    if script in ABJADS and len(latin) > 1:
        # w and y inside an abjad word are mostly long vowels (matres lectionis)
        latin = latin[0] + latin[1:].replace("w", "u").replace("y", "i")
    vowel = latin
    # digraphs (kh, sh, th...) are one sound in Latin spellings; in an abjad's romanisation
    # (one letter, one letter: see `romanise`) they are two letters
    for pattern, replacement in _FAMILIES[_DIGRAPHS:] if script in ABJADS else _FAMILIES:
        vowel = pattern.sub(replacement, vowel)
    if len(vowel) > 3 and vowel.endswith("h"):
        vowel = vowel[:-1]
    if not vowel:
        return "", ""
    consonants = vowel[0] if vowel[0] in "yv" else ""
    consonants += _VOWELS.sub("", vowel[1:] if consonants else vowel)
    if latin.endswith(("i", "y")) and len(vowel) > 1:
        consonants += "i"  # a final i is kept: Karimi is not Karim, Ahmadi not Ahmad
    return vowel, consonants
