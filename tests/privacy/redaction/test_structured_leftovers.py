"""The rare structured identifiers that used to pass (issue 14): a narrow no-break space as a
digit separator, national numbers without their trunk 0, a passport number with a space after
its letter, phones of transit countries, and a date a foreign id checksum accepts."""

import pytest

from privacy.redaction import Redactor
from privacy.redaction.regions import TRANSIT_BY_NETWORK, TRANSIT_REGIONS, default_phone_regions
from tests.privacy.redaction.common import REGIONS

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


@pytest.mark.parametrize(
    "phone",
    [
        f"+39{NNBSP}333{NNBSP}123{NNBSP}4567",
        f"067{NNBSP}123{NNBSP}45{NNBSP}67",
        f"0933{NNBSP}111 222",
    ],
)
def test_narrow_no_break_space_between_digits(redactor, phone):
    assert redactor.redact(f"call {phone} please")[0] == "call [PHONE] please"


@pytest.mark.parametrize(
    "text",
    [
        "call me on 933 111 222",
        "my number is 933 111 222",
        "رقمي 933 111 222",
        "мій номер 67 123 45 67",
    ],
)
def test_a_national_number_without_trunk_zero_after_a_phone_word(redactor, text):
    assert "[PHONE]" in redactor.redact(text)[0]


def test_the_same_digits_as_an_amount_are_kept(redactor):
    text = "we paid 933 111 222 lira for the house"
    assert redactor.redact(text)[0] == text


@pytest.mark.parametrize("number", ["P 1234567", "P 01234567", "N 12345678"])
def test_passport_number_with_a_space_after_its_letter(redactor, number):
    assert (
        redactor.redact(f"my passport {number} was taken")[0] == "my passport [DOCUMENT] was taken"
    )


def test_a_capital_and_a_short_number_is_kept(redactor):
    text = "block A 123456 and room B 12"
    assert redactor.redact(text)[0] == text


def test_transit_countries_of_the_regional_networks_are_default_phone_regions():
    regions = default_phone_regions(["IT"], ["AF", "SY"])
    assert regions[:3] == ("IT", "AF", "SY")  # service points first, then origins
    for network in ("APMN", "Sahel+", "MENA", "PERCO"):
        assert set(TRANSIT_BY_NETWORK[network]) <= set(regions)
    assert len(regions) == len(set(regions))
    assert {"LY", "NE", "GR", "RS", "MX"} <= set(TRANSIT_REGIONS)


@pytest.mark.parametrize(
    "phone",
    ["091 234 5678", "0532 123 45 67", "694 123 4567", "064 123 4567"],  # LY, TR, GR, RS
)
def test_transit_country_numbers_in_their_national_format(phone):
    redactor = Redactor.for_regions(default_phone_regions(["IT"], ["AF"]), id_regions=["IT", "AF"])
    assert redactor.redact(f"call {phone} please")[0] == "call [PHONE] please"


def test_a_date_is_kept_though_a_foreign_id_checksum_accepts_it():
    # nl.bsn accepts 24022019; a date is never an id
    redactor = Redactor.for_regions(["NL", "IT"])
    text = "On 24.02.2019 we arrived."
    assert redactor.redact(text)[0] == text
