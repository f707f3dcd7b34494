"""Identity documents and case numbers: python-stdnum ids, the generic rule, document words."""

import re
from collections import Counter

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS, redact


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


# ----------------------------------------------------------------------------- documents


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("codice fiscale RSSMRA85T10A562S.", ("IT",)),
        ("codice fiscale rssmra85t10a562s.", ("IT",)),
        ("DNI 12345678Z", ("ES",)),
        ("NIE X1234567L", ("ES",)),
        ("NIR 2 84 05 75 108 053 52", ("FR",)),
        ("passport P01234567", ("AF",)),
        ("паспорт МЕ 123456", ("UA",)),
        ("tazkira 1400-0101-12345", ("AF",)),
        ("my passport number is 123456", ("SY",)),
        ("case no. 45678", ("IT",)),
        ("n° 98765", ("IT",)),
        ("رقم الهوية 1234567", ("SY",)),
        ("ID 0102030405", ("SY",)),
        ("permesso AB12345", ("IT",)),
    ],
)
def test_document_numbers(text, regions):
    redacted, counts = redact(text, regions=regions)
    assert redacted.rstrip(".").endswith("[DOCUMENT]")
    assert counts == Counter(document=1)
    assert not re.search(r"\d", redacted)


def test_stdnum_catches_an_id_the_generic_rule_misses():
    """An omocodic codice fiscale has only 3 digits: only it.codicefiscale knows it."""
    text = "CF RSSMRAURTMLA562P"
    assert redact(text, regions=("IT",)) == ("CF [DOCUMENT]", Counter(document=1))
    assert redact(text, regions=("AF",)) == (text, Counter())


@pytest.mark.parametrize(
    "text",
    [
        "Route 66, COVID-19, mp3, A4 paper, G7, 3 000 euros, 2023-2024, 10:30, 1999",
        "I was 34 in 2023; my kids are 5 and 12.",
        "The 12345 people in the camp",  # a small number, no document word
        "EUR 1500000 were promised",
    ],
)
def test_not_documents(redactor, text):
    assert redactor.redact(text) == (text, Counter())
