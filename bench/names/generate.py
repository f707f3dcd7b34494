"""Generate the labelled evaluation stories: text, direct answers, labelled spans.

Each story is told in one of eight languages by one person of `people`, whose name is given
in the direct answers in their own script or in Latin letters (as a form may ask either). The
story mentions that name in several ways, each labelled with its kind: `exact` (as answered),
`case` (other case or diacritics), `variant` (another Latin spelling), `cross_script`,
`clitic` (a prefix or suffix joined to it), `inflected` (a Ukrainian case form), `letter`
(a Ge'ez letter variant), `joined` (Alzoubi for Al-Zoubi), `named` (a homonym given name
said as a name); the held-out phrasings (`held_out`) add `abjad_letter` (an Arabic-script
name typed with the other keyboard's letters, a tatweel or harakat). It may mention a relative
(`family`, not in the direct answers), use the everyday word the given name also is
(`keep_homonym`), ordinary numbers (`keep_number`) and structured identifiers (`structured`).
"""

# ruff: noqa: RUF001 - identifiers in Cyrillic letters on purpose
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bench.names import templates as t
from bench.names.people import FAMILY, PEOPLE, Person

Templates = Any  # the `templates` module or a namespace with the same tables (`held_out`)

GROUPS = {
    "en": ("ar", "prs", "ps", "ti", "en"),
    "fr": ("ar", "ti", "prs"),
    "es": ("es", "ar"),
    "ar": ("ar",),
    "uk": ("uk",),
    "prs": ("prs",),
    "ps": ("ps",),
    "ti": ("ti",),
}
LATIN_LANGUAGES = ("en", "fr", "es")
STRUCTURED_KINDS = ("phone", "email", "document", "url")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
NNBSP = "\u202f"


@dataclass
class Story:
    language: str
    text: str
    direct: list[str]
    spans: list[tuple[int, int, str, str]]  # start, end, category, kind
    homonym: bool = False  # the teller's given name or surname is also an everyday word


def _native_script(person: Person) -> bool:
    return person.group not in ("es", "en")


def _own_mentions(
    rng: random.Random, person: Person, lang: str, native_direct: bool, tpl: Templates = t
) -> list[tuple[str, str, str]]:
    """(sentence template, mention, kind) for the respondent's own name."""
    own, cross = tpl.OWN[lang], tpl.CROSS[lang]
    latin_text = lang in LATIN_LANGUAGES
    options: list[tuple[str, str, str]] = []
    if native_direct:  # answered in Arabic, Cyrillic or Ge'ez script
        if latin_text:
            options.append((rng.choice(cross), rng.choice(person.latin_given), "cross_script"))
            options.append((rng.choice(own), rng.choice(person.latin_surname), "cross_script"))
            return options
        options += [
            (rng.choice(own), person.given, "exact"),
            (rng.choice(own), person.surname, "exact"),
        ]
        options.append((rng.choice(own), f"{person.given} {person.surname}", "exact"))
        options.append((rng.choice(cross), rng.choice(person.latin_given), "cross_script"))
        if lang in tpl.CLITIC and " " not in person.given:
            options.append((rng.choice(tpl.CLITIC[lang]), person.given, "clitic"))
        if lang in tpl.INFLECTED and person.given_forms:
            form = rng.choice(person.given_forms + person.surname_forms)
            options.append((rng.choice(tpl.INFLECTED[lang]), form, "inflected"))
        if lang in getattr(tpl, "ABJAD_LETTER", {}):  # held-out only: keyboard letter forms
            written = tpl.abjad_letters(rng, rng.choice((person.given, person.surname)))
            options.append((rng.choice(tpl.ABJAD_LETTER[lang]), written, "abjad_letter"))
        if lang == "ti" and (person.given_forms or person.surname_forms):
            form = rng.choice(person.given_forms + person.surname_forms)
            options.append((rng.choice(own), form, "letter"))
        return options
    given, surname = person.latin_given[0], person.latin_surname[0]
    if not latin_text:  # answered in Latin letters, told in the native script
        options.append((rng.choice(own), person.given, "cross_script"))
        options.append((rng.choice(own), person.surname, "cross_script"))
        options.append((rng.choice(cross), given, "exact"))
        return options
    options += [(rng.choice(own), given, "exact"), (rng.choice(own), surname, "exact")]
    options.append((rng.choice(own), f"{given} {surname}", "exact"))
    options.append((rng.choice(own), given.upper(), "case"))
    if len(person.latin_given) > 1:
        options.append((rng.choice(own), rng.choice(person.latin_given[1:]), "variant"))
    if len(person.latin_surname) > 1:
        spelling = rng.choice(person.latin_surname[1:])
        kind = "joined" if "-" in surname and "-" not in spelling else "variant"
        options.append((rng.choice(own), spelling, kind))
    return options


def story(rng: random.Random, lang: str, tpl: Templates = t) -> Story:
    """One story told in `lang`, its sentences from `tpl` (`templates`, or the held-out
    phrasings of `held_out`, which share only the numbers, identifiers and filler)."""
    person = rng.choice([p for p in PEOPLE if p.group in GROUPS[lang]])
    native = _native_script(person)
    native_direct = native and (lang not in LATIN_LANGUAGES or rng.random() < 0.4)
    if native and lang not in LATIN_LANGUAGES and rng.random() < 0.25:
        native_direct = False  # the form asked for the name in Latin letters
    given = person.given if native_direct or not native else person.latin_given[0]
    surname = person.surname if native_direct or not native else person.latin_surname[0]
    direct = [given, surname] if rng.random() < 0.5 else [f"{given} {surname}"]
    parts: list[tuple[str, dict[str, tuple[str, str, str]]]] = []  # template, slot -> labelled
    options = _own_mentions(rng, person, lang, native_direct, tpl)
    for template, mention, kind in rng.sample(options, k=min(len(options), rng.randint(2, 4))):
        parts.append((template, {"n": (mention, "own", kind)}))
    home = (lang in LATIN_LANGUAGES) == (person.group in ("es", "en"))
    if person.common and home and (native_direct or not native):
        parts.append((rng.choice(tpl.NAMING[lang]), {"n": (given, "own", "named")}))
        for template in rng.sample(tpl.COMMON[person.common], k=rng.randint(1, 2)):
            parts.append((template, {"w": (person.common, "keep_homonym", "common_word")}))
    if rng.random() < 0.4:
        pool = FAMILY["latin" if lang in LATIN_LANGUAGES else lang]
        parts.append((rng.choice(tpl.FAMILY[lang]), {"f": (rng.choice(pool), "family", "cue")}))
    for template in rng.sample(t.NUMBERS[lang], k=rng.randint(1, 2)):
        parts.append((template, _numbers(rng, lang)))
    for _ in range(rng.choice((0, 1, 1, 2))):
        index = rng.randrange(len(t.STRUCTURED[lang]))
        kind = STRUCTURED_KINDS[index]
        parts.append(
            (t.STRUCTURED[lang][index], {"id": (_identifier(rng, kind, lang), "structured", kind)})
        )
    for template in rng.sample(t.FILLER[lang], k=rng.randint(1, 3)):
        parts.append((template, {}))
    rng.shuffle(parts)
    told = _assemble(lang, parts, direct)
    told.homonym = bool(person.common) or person.surname in t.SURNAME_WORDS
    return told


def _assemble(
    lang: str, parts: list[tuple[str, dict[str, tuple[str, str, str]]]], direct: list[str]
) -> Story:
    text, spans = "", []
    for template, slots in parts:
        used = sorted(
            (template.index("{" + k + "}"), k) for k in slots if "{" + k + "}" in template
        )
        sentence, rest = "", template
        for _, slot in used:
            value, category, kind = slots[slot]
            head, _, rest = rest.partition("{" + slot + "}")
            sentence += head
            start = len(text) + (1 if text else 0) + len(sentence)
            spans.append((start, start + len(value), category, kind))
            sentence += value
        text = (text + " " if text else "") + sentence + rest
    return Story(lang, text, direct, spans)


def _numbers(rng: random.Random, lang: str) -> dict[str, tuple[str, str, str]]:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2015, 2025)
    date = rng.choice([f"{day}/{month}/{year}", f"{day}.{month:02d}.{year}"])
    price = rng.choice(["800", "1500", "2 000", "3,500", "12 000", f"4{NNBSP}500", "650"])
    values = {
        "age": (str(rng.randint(16, 75)), "age"),
        "year": (str(rng.randint(2012, 2025)), "year"),
        "date": (date, "date"),
        "price": (price, "price"),
        "count": (str(rng.randint(3, 60)), "count"),
    }
    if lang in ("ar", "prs", "ps") and rng.random() < 0.3:
        table = ARABIC_INDIC if lang == "ar" else PERSIAN
        values = {k: (v.translate(table), kind) for k, (v, kind) in values.items()}
    return {k: (v, "keep_number", kind) for k, (v, kind) in values.items()}


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _phone(rng: random.Random) -> str:
    d = _digits
    shapes = [
        f"+39 3{rng.choice('1234679')}{d(rng, 1)} {d(rng, 3)} {d(rng, 4)}",
        f"3{rng.choice('1234679')}{d(rng, 1)} {d(rng, 7)}",
        f"+963 9{rng.choice('3456789')}{d(rng, 1)} {d(rng, 3)} {d(rng, 3)}",
        f"09{rng.choice('3456789')}{d(rng, 1)} {d(rng, 3)} {d(rng, 3)}",
        f"0093 7{d(rng, 1)} {d(rng, 3)} {d(rng, 4)}",
        f"07{d(rng, 1)} {d(rng, 3)} {d(rng, 4)}",
        f"+380 67 {d(rng, 3)} {d(rng, 2)} {d(rng, 2)}",
        f"067{NNBSP}{d(rng, 3)}{NNBSP}{d(rng, 2)}{NNBSP}{d(rng, 2)}",
        f"+39{NNBSP}333{NNBSP}{d(rng, 3)}{NNBSP}{d(rng, 4)}",
        f"+218 91 {d(rng, 3)} {d(rng, 4)}",  # Libya, transit
        f"091 {d(rng, 3)} {d(rng, 4)}",
        f"0532 {d(rng, 3)} {d(rng, 2)} {d(rng, 2)}",  # Turkey
        f"69{rng.choice('3456789')} {d(rng, 3)} {d(rng, 4)}",  # Greece, no trunk prefix
        f"064 {d(rng, 3)} {d(rng, 4)}",  # Serbia
        f"+227 9{d(rng, 1)} {d(rng, 2)} {d(rng, 2)} {d(rng, 2)}",  # Niger
        f"+291 7 {d(rng, 3)} {d(rng, 3)}",  # Eritrea
        f"+251 91 {d(rng, 3)} {d(rng, 4)}",  # Ethiopia
    ]
    return rng.choice(shapes)


def _identifier(rng: random.Random, kind: str, lang: str) -> str:
    if kind == "phone":
        phone = _phone(rng)
        if lang in ("ar", "prs", "ps") and rng.random() < 0.3:
            phone = phone.translate(ARABIC_INDIC if lang == "ar" else PERSIAN)
        return phone
    if kind == "email":
        user = rng.choice(["ahmad.k", "selam_t", "olena.p", "y.zoubi", "wilmer.c", "nargis77"])
        return f"{user}{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'yahoo.fr', 'ukr.net'])}"
    if kind == "document":
        return rng.choice([
            f"P{_digits(rng, 7)}", f"P {_digits(rng, 7)}", f"YA{_digits(rng, 7)}",
            f"N{NNBSP}{_digits(rng, 8)}", f"ЕК {_digits(rng, 6)}", f"1400-0101-{_digits(rng, 5)}",
        ])  # fmt: skip
    handle = rng.choice(["ahmad.k", "selam.t", "y.zoubi"])
    return f"https://facebook.com/{handle}.{rng.randint(1, 999)}"


def stories(count: int, seed: int = 20261206, tpl: Templates = t) -> list[Story]:
    rng = random.Random(seed)
    return [story(rng, t.LANGUAGES[i % len(t.LANGUAGES)], tpl) for i in range(count)]
