"""The submission's own direct values: names in Latin and Arabic script, typed values."""

import re
from collections import Counter

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


# --------------------------------------------------------------------------------- names


def test_python_word_boundaries_and_arabic():
    """`\\b` treats Arabic letters as word characters, but not harakat (combining marks):
    a name with tashkeel is cut in the middle, which is why names are matched on a folded text."""
    assert re.findall(r"\b\w+\b", "قال أحمد كريمي: وأحمد") == ["قال", "أحمد", "كريمي", "وأحمد"]
    assert re.search(r"\bأحمد\b", "أحمدي") is None
    assert re.search(r"\bأحمد\b", "أَحْمَد") is None
    assert re.match(r"\w", "\u064e") is None  # fatha


@pytest.mark.parametrize(
    "mention",
    ["Ahmad", "ahmad", "AHMAD", "Áhmad", "Ahmad's", "KARÍMI", "Karimi", "Ahmad Karimi"],
)
def test_latin_name_parts_any_case_and_diacritics(redactor, mention):
    text, counts = redactor.redact(f"Yesterday {mention} came.", ["Ahmad Karimi"])
    assert text in ("Yesterday [NAME] came.", "Yesterday [NAME]'s came.")
    assert counts == Counter(name=1)


def test_full_name_is_one_span_parts_alone_are_each_redacted(redactor):
    assert redactor.redact("Ahmad Karimi; Karimi, Ahmad", ["Ahmad Karimi"]) == (
        "[NAME]; [NAME], [NAME]",
        Counter(name=3),
    )


def test_diacritics_on_either_side(redactor):
    assert redactor.redact("José Ramón and JOSE", ["Jose Ramon"])[0] == "[NAME] and [NAME]"
    assert redactor.redact("Jose Ramon", ["José Ramón"])[0] == "[NAME]"
    # another script is the same name (`variants`): see test_names_scripts.py
    assert redactor.redact("Olena and ОЛЕНА", ["Олена"])[0] == "[NAME] and [NAME]"


@pytest.mark.parametrize(
    "mention",
    [
        "أحمد",
        "احمد",  # alef without hamza
        "إحمد",
        "آحمد",
        "أَحْمَد",  # with harakat
        "أحمدُ",
        "أحـــمد",  # tatweel
        "ﺃﺣﻤﺪ",  # presentation forms
    ],
)
def test_arabic_name_variants(redactor, mention):
    text, counts = redactor.redact(f"جاء {mention} أمس", ["أحمد كريمي"])
    assert text == "جاء [NAME] أمس"
    assert counts == Counter(name=1)


def test_arabic_letter_variants_in_the_direct_value_too(redactor):
    assert redactor.redact("جاء احمد كريمى", ["أَحْمَد كَرِيمِي"])[0] == "جاء [NAME]"
    assert redactor.redact("فاطمه و فاطمة", ["فاطمة"])[0] == "[NAME] و [NAME]"
    assert redactor.redact("کریمی", ["كريمي"])[0] == "[NAME]"  # Persian keheh and yeh


def test_arabic_conjunction_prefix_keeps_the_prefix(redactor):
    assert redactor.redact("أنا وأحمد وصلنا", ["أحمد"]) == ("أنا و[NAME] وصلنا", Counter(name=1))


def test_words_containing_a_name_are_kept(redactor):
    text = "Alibaba, Balic, Kalimera, Ahmadi, فعلي, أحمدي"
    assert redactor.redact(text, ["Ali", "أحمد", "علي"]) == (text, Counter())


def test_name_part_rules(redactor):
    # parts under 3 letters and particles are not redacted alone; the whole value is
    text, counts = redactor.redact("Abu said; Ali said; Abu Ali said; Li said", ["Abu Ali", "Li"])
    assert text == "Abu said; [NAME] said; [NAME] said; Li said"
    assert counts == Counter(name=2)
    assert redactor.redact("Li Na came", ["Li Na"])[0] == "[NAME] came"
    assert redactor.redact("إن شاء الله يا عبد الله", ["عبد الله"])[0] == "إن شاء الله يا [NAME]"


def test_direct_values_typed_by_what_they_look_like(redactor):
    direct = ["Ahmad Karimi", "+39 333 123 4567", "ahmad.k@gmail.com", "P01234567"]
    text, counts = redactor.redact(
        "Ahmad: call 3331234567 or 333-123-45-67, mail ahmad.k @ gmail.com, passport P01234567",
        direct,
    )
    assert text == "[NAME]: call [PHONE] or [PHONE], mail [EMAIL], passport [DOCUMENT]"
    assert counts == Counter(phone=2, name=1, email=1, document=1)


def test_direct_phone_value_found_in_other_formats(redactor):
    text, counts = redactor.redact("my number 0039 333 1234567, or 333.123.4567", ["3331234567"])
    assert text == "my number [PHONE], or [PHONE]"
    assert counts == Counter(phone=2)


def test_direct_values_odd_inputs(redactor):
    assert redactor.redact("Ahmad came", "Ahmad")[0] == "[NAME] came"  # a single string
    assert redactor.redact("Ahmad came", [None, "", "  ", 42, "Ahmad"])[0] == "[NAME] came"
    assert redactor.redact("Ahmad came", None) == ("Ahmad came", Counter())


def test_text_outside_spans_is_kept_byte_for_byte(redactor):
    text = "  Ahmad\u00a0came\tto   Milano!\n\nتلفون: +39 333 123 4567 ✓ "
    expected = "  [NAME]\u00a0came\tto   Milano!\n\nتلفون: [PHONE] ✓ "
    assert redactor.redact(text, ["Ahmad Karimi"])[0] == expected
