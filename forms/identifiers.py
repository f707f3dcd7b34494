"""Questions that look like identifiers, for the DPO's attention.

A form manager may classify a name `keep`, or a phone number `sensitive`: the rules are theirs
to propose, and a DPO signs them off. So the risk report, the rules page and the sign-off page
flag every question whose type, name or label (in any of the form's languages) looks like a
name, phone, document, address, e-mail, photo or location while its class keeps the value in
the anonymised record (`keep`, `sensitive`, `quasi`), and every free-text question kept as is.
Hints, not verdicts: a false alarm costs a DPO a glance, a miss can cost a person their safety.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

# Words by kind, in English, French, Spanish, Arabic and Ukrainian (with Russian where
# Ukrainian speakers write it). Matched as whole words, case-insensitively, in the question's
# name (underscores and dashes read as spaces) and labels.
WORDS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "names",
        "full name",
        "first name",
        "last name",
        "surname",
        "given name",
        "family name",
        "nom",
        "prénom",
        "prenom",
        "nom de famille",
        "nombre",
        "nombres",
        "apellido",
        "apellidos",
        "اسم",
        "الاسم",
        "اسمك",
        "لقب",
        "الكنية",
        "ім'я",
        "ім\u2019я",  # the apostrophe Ukrainian keyboards type
        "імʼя",
        "імя",
        "прізвище",
        "по батькові",
        "имя",
        "фамилия",
    ),
    "phone": (
        "phone",
        "telephone",
        "mobile",
        "whatsapp",
        "tel",
        "téléphone",
        "portable",
        "teléfono",
        "telefono",
        "celular",
        "móvil",
        "movil",
        "هاتف",
        "الهاتف",
        "جوال",
        "موبايل",
        "телефон",
        "мобільний",
        "номер телефону",
    ),
    "document": (
        "passport",
        "document",
        "id number",
        "id card",
        "national id",
        "identity",
        "identification",
        "passeport",
        "pièce d'identité",
        "carte d'identité",
        "pasaporte",
        "documento",
        "cédula",
        "cedula",
        "dni",
        "جواز",
        "جواز السفر",
        "هوية",
        "الهوية",
        "وثيقة",
        "паспорт",
        "документ",
        "посвідчення",
    ),
    "address": (
        "address",
        "street",
        "adresse",
        "rue",
        "domicile",
        "dirección",
        "direccion",
        "calle",
        "domicilio",
        "عنوان",
        "العنوان",
        "شارع",
        "адреса",
        "вулиця",
        "адрес",
    ),
    "email": ("email", "e mail", "courriel", "correo", "بريد", "البريد الإلكتروني", "пошта"),
    "photo": ("photo", "picture", "selfie", "foto", "fotografía", "صورة", "الصورة", "фото"),
}
TYPE_KINDS = {
    "image": "photo",
    "video": "photo",
    "audio": "voice",
    "background-audio": "voice",
    "file": "file",
    "geopoint": "location",
    "geotrace": "location",
    "geoshape": "location",
    "phonenumber": "phone",
    "email": "email",
    "username": "name",
}
PATTERNS = {
    kind: re.compile(
        r"(?<!\w)("
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        + r")(?!\w)",
        re.IGNORECASE,
    )
    for kind, words in WORDS.items()
}
KEPT = {"keep", "sensitive", "quasi"}
# Questions whose answer is typed freely, so can hold a name or a number: a note holds nothing,
# and a select's answer is one of the form's own choices, whatever its label says.
TYPED = {"text", "integer", "decimal", "calculate", "hidden", "barcode", "string"}


class RuleLike(Protocol):
    path: str
    name: str
    question_type: str
    classification: str
    generalisers: list[str]


def identifier_kind(question_type: str, name: str, labels: Iterable[str] = ()) -> str | None:
    """What the question looks like (``name``, ``phone``, ``location``...), or None."""
    if question_type in TYPE_KINDS:
        return TYPE_KINDS[question_type]
    if question_type not in TYPED:
        return None
    texts = [re.sub(r"[_\-.]+", " ", name), *labels]
    for kind, pattern in PATTERNS.items():
        if any(pattern.search(text) for text in texts if text):
            return kind
    return None


def _precise_location(rule: RuleLike) -> bool:
    """A location kept to 2 or more decimal places (about a kilometre or less)."""
    digits = [int(g.split(":", 1)[1]) for g in rule.generalisers if g.startswith("geo:")]
    return not digits or min(digits) >= 2


def rule_flag(rule: RuleLike, labels: Iterable[str] = ()) -> dict[str, Any] | None:
    """Why ``rule`` needs a DPO's look, or None."""
    if rule.classification not in KEPT:
        return None
    kind = identifier_kind(rule.question_type, rule.name, labels)
    if kind == "location" and rule.classification == "quasi" and not _precise_location(rule):
        kind = None  # generalised to about 11 km or more: the design's default
    if kind is not None:
        message = (
            f"“{rule.name}” looks like a {kind} but is classified {rule.classification}: its "
            "value reaches the anonymised record. Classify it direct (or drop) unless it cannot "
            "identify anyone."
        )
    elif rule.question_type == "text" and rule.classification == "keep":
        kind = "free_text"
        message = (
            f"“{rule.name}” is an open answer classified keep: it is released unredacted. "
            "Classify it free_text so names, phones and documents in it are redacted."
        )
    else:
        return None
    return {
        "path": rule.path,
        "name": rule.name,
        "question_type": rule.question_type,
        "classification": rule.classification,
        "looks_like": kind,
        "message": message,
    }


def rule_flags(rules: Iterable[RuleLike], questions: list[Mapping[str, Any]]) -> list[dict]:
    """The flags of a rule set; ``questions`` as a FormVersion stores them (labels by
    language)."""
    labels = {q["path"]: list((q.get("labels") or {}).values()) for q in questions}
    flags = []
    for rule in rules:
        flag = rule_flag(rule, labels.get(rule.path, []))
        if flag is not None:
            flags.append(flag)
    return flags
