"""E-mail addresses and links."""

from collections import Counter

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


# ------------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to ahmad.karimi@gmail.com please", "write to [EMAIL] please"),
        ("mail Ahmad_K+1@mail.example.co.uk.", "mail [EMAIL]."),
        ("(olena.k@ukr.net)", "([EMAIL])"),
        ("عنواني أحمد@مثال.كوم شكرا", "عنواني [EMAIL] شكرا"),
    ],
)
def test_emails(redactor, text, expected):
    assert redactor.redact(text) == (expected, Counter(email=1))


@pytest.mark.parametrize(
    "text", ["I stayed @home", "a@b", "user@localhost", "5 @ 10 euros", "@ahmad_k on Telegram"]
)
def test_not_emails(redactor, text):
    assert redactor.redact(text) == (text, Counter())


# ---------------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.org/a?b=1 now", "see [URL] now"),
        ("(see https://example.org/a?b=1).", "(see [URL])."),
        ("photos on www.facebook.com/ahmad, ok", "photos on [URL], ok"),
        ("photos on facebook.com/ahmad.k.", "photos on [URL]."),
        ("write on wa.me/393331234567", "write on [URL]"),
        ("channel https://t.me/olena_k", "channel [URL]"),
    ],
)
def test_urls(redactor, text, expected):
    assert redactor.redact(text) == (expected, Counter(url=1))


@pytest.mark.parametrize("text", ["I use gmail.com", "and/or", "80 km/h", "on 12/05/2023"])
def test_not_urls(redactor, text):
    assert redactor.redact(text) == (text, Counter())
