"""Phone numbers in any script and formatting, and the numbers that are not phones."""

from collections import Counter

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS, redact


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


# ------------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("number", "regions"),
    [
        ("+39 333 123 4567", ("IT",)),
        ("0333 1234567", ("IT",)),  # a trunk zero Italian mobiles do not have: POSSIBLE
        ("333 1234567", ("IT",)),
        ("333-123-4567", ("IT",)),
        ("+39 (0)333 1234567", ("IT",)),
        ("+93 70 123 4567", ("IT",)),
        ("0093 70 123 4567", ("IT",)),
        ("0093 70 123 4567", ("US",)),  # "00" is read as international for any region
        ("070 123 4567", ("AF",)),
        ("+963 944 567 890", ("IT",)),
        ("0944 567 890", ("SY",)),
        ("+380 67 123 4567", ("IT",)),
        ("067 123 4567", ("UA",)),
        ("067 123 45 67", ("UA",)),
        ("+33 6 12 34 56 78", ()),  # international numbers need no region
    ],
)
def test_phone_numbers(number, regions):
    text, counts = redact(f"Call me on {number} please.", regions=regions)
    assert text == "Call me on [PHONE] please."
    assert counts == Counter(phone=1)


def test_arabic_indic_digits_are_detected_and_the_original_span_redacted(redactor):
    assert redactor.redact("رقمي ٠٩٤٤ ٥٦٧ ٨٩٠ وشكرا") == ("رقمي [PHONE] وشكرا", Counter(phone=1))
    assert redactor.redact("+٩٦٣ ٩٤٤ ٥٦٧ ٨٩٠")[0] == "[PHONE]"


def test_persian_digits(redactor):
    assert redactor.redact("شماره من ۰۷۹۹۱۲۳۴۵۶ است") == ("شماره من [PHONE] است", Counter(phone=1))


def test_bidi_marks_inside_a_number(redactor):
    text, _ = redactor.redact("\u202b+39\u200f 333 123 4567\u202c")
    assert text == "\u202b[PHONE]\u202c"


@pytest.mark.parametrize("text", ["0944 567 890 / 0933 111 222", "+39 333 123 4567 / 0944 567 890"])
def test_several_numbers_in_one_run(redactor, text):
    redacted, counts = redactor.redact(text)
    assert redacted == "[PHONE] / [PHONE]"
    assert counts == Counter(phone=2)


def test_a_document_word_types_the_number_as_a_document(redactor):
    assert redactor.redact("passport no. 0944567890")[0] == "passport no. [DOCUMENT]"
    assert redactor.redact("numero 0944567890")[0] == "numero [PHONE]"


@pytest.mark.parametrize(
    "text",
    [
        "In 2023 I was 34 and my son was 7.",
        "We paid 150000 afghani and then 2500 dollars.",
        "They asked 12 500 000 SYP, and 1.500.000 later, or 3,000,000.",
        "We moved in 2019 2020 2021 between three camps.",
        "We arrived on 12/05/2023 at 10:30, then on 2023-06-01.",
        "Room 12, bus 123, 45 people, 1999.",
    ],
)
def test_numbers_that_are_not_phones_are_kept(redactor, text):
    assert redactor.redact(text) == (text, Counter())
