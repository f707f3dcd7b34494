"""IBANs (valid, mistyped) and Luhn-checked card numbers."""

from collections import Counter

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


# --------------------------------------------------------------------------------- IBAN


@pytest.mark.parametrize(
    "iban",
    [
        "IT60 X054 2811 1010 0000 0123 456",
        "IT60X0542811101000000123456",
        "it60x0542811101000000123456",
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "FR14 2004 1010 0505 0001 3M02 606",
    ],
)
def test_valid_ibans(redactor, iban):
    assert redactor.redact(f"IBAN {iban} and more words") == (
        "IBAN [IBAN] and more words",
        Counter(iban=1),
    )


def test_invalid_iban_is_not_an_iban_but_still_an_account_number(redactor):
    """A wrong check digit (a typo) does not make an account number anonymous: the IBAN
    structure is still there, so it is redacted as [DOCUMENT], not typed [IBAN]."""
    text, counts = redactor.redact("account GB82 WEST 1234 5698 7654 33 thanks")
    assert text == "account [DOCUMENT] thanks"
    assert counts == Counter(document=1)


def test_iban_like_words_without_account_are_kept(redactor):
    text = "IT60 is our bus line and DE12 ABCD a code"
    assert redactor.redact(text) == (text, Counter())


# --------------------------------------------------------------------------------- cards


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111"])
def test_luhn_valid_cards(redactor, card):
    assert redactor.redact(f"card {card}.") == ("card [CARD].", Counter(card=1))


@pytest.mark.parametrize("run", ["4111 1111 1111 1112", "4111111111111112"])
def test_luhn_invalid_runs_are_documents_not_cards(redactor, run):
    """Specified: 16 digits failing Luhn are not typed [CARD], but 8+ digits are still
    redacted by the generic document rule."""
    assert redactor.redact(f"number {run}.") == ("number [DOCUMENT].", Counter(document=1))
