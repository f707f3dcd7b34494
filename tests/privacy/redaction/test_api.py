"""Free-text redaction (`privacy.redaction`) as callers see it: the API, overlaps and counts,
robustness. Pure Python: runs without Django
(`pytest -p no:django --noconftest tests/privacy/redaction`) as well as in the suite."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from privacy import redaction
from privacy.redaction import MAX_TEXT_CHARS, PLACEHOLDERS, Redactor
from tests.privacy.redaction.common import REGIONS


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


# ------------------------------------------------------------------------------- the API


def test_placeholders_are_the_published_ones():
    assert PLACEHOLDERS == {
        "phone": "[PHONE]",
        "email": "[EMAIL]",
        "iban": "[IBAN]",
        "card": "[CARD]",
        "document": "[DOCUMENT]",
        "url": "[URL]",
        "name": "[NAME]",
    }


def test_for_regions_normalises_and_caches():
    redactor = Redactor.for_regions(["it", " af ", "SY", "IT", "XX", "UK", "", 5, "ua"])
    assert redactor.regions == ("IT", "AF", "SY", "UA")
    assert Redactor.for_regions(("IT", "AF", "SY", "UA")) is redactor
    assert Redactor.for_regions("it").regions == ("IT",)  # one code, not its letters
    assert Redactor(("it", "zz")).regions == ("IT",)


def test_redactor_is_frozen():
    with pytest.raises(AttributeError):
        Redactor.for_regions(["IT"]).regions = ("AF",)


def test_returns_text_and_counter(redactor):
    text, counts = redactor.redact("nothing personal here")
    assert text == "nothing personal here"
    assert counts == Counter()
    assert isinstance(counts, Counter)


def test_module_imports_no_django():
    """Loaded on its own (not through `backend/__init__.py`), it pulls in no Django module."""
    path = Path(redaction.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('standalone_redaction', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules[spec.name] = module\n"
        "spec.loader.exec_module(module)\n"
        "module.Redactor.for_regions(['IT']).redact('call +39 333 123 4567', ['Ahmad'])\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# ----------------------------------------------------------------------- overlaps, counts


def test_overlaps_resolve_to_the_longest_span(redactor):
    text, counts = redactor.redact(
        "mail ahmad.karimi3331234567@gmail.com or wa.me/393331234567",
        ["Ahmad Karimi", "+39 333 123 4567"],
    )
    assert text == "mail [EMAIL] or [URL]"
    assert counts == Counter(email=1, url=1)


def test_counts_by_type(redactor):
    text = (
        "I am Ahmad Karimi, call +39 333 123 4567 or 0944 567 890, write ahmad@example.org, "
        "IBAN IT60 X054 2811 1010 0000 0123 456, card 4111 1111 1111 1111, passport P01234567, "
        "see https://facebook.com/ahmad. In 2023 I was 34."
    )
    redacted, counts = redactor.redact(text, ["Ahmad Karimi"])
    assert counts == Counter(phone=2, name=1, email=1, iban=1, card=1, document=1, url=1)
    assert redacted.endswith("see [URL]. In 2023 I was 34.")
    assert sum(redacted.count(p) for p in PLACEHOLDERS.values()) == sum(counts.values())


# ------------------------------------------------------------------------------ robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02",
        "\ud800 lone surrogate \udfff",
        "\u0301\u0301\u064e",
        "\u202e\u200f\u200b\ufeff",
        "ﷺ ﷽ ﻻ",
        "💥 +39 💥 333 123 4567",
        "@" * 1000,
        "/" * 1000,
        "1 " * 5000,
        "a." * 5000 + "/x",
        "9" * 10000,
    ],
)
def test_weird_inputs_never_raise(redactor, text):
    redacted, counts = redactor.redact(text, ["Ahmad", "\u0301", "", "0"])
    assert isinstance(redacted, str)
    assert set(counts) <= set(PLACEHOLDERS)


def test_non_string_inputs(redactor):
    assert redactor.redact(None) == ("", Counter())
    assert redactor.redact(b"call +39 333 123 4567")[0] == "call [PHONE]"
    assert redactor.redact(12345)[0] == "12345"


def test_huge_text_is_capped(redactor):
    text = ("Ahmad called +39 333 123 4567. " * 40_000)[: MAX_TEXT_CHARS + 100]
    redacted, counts = redactor.redact(text, ["Ahmad"])
    assert redacted.endswith(redaction.TRUNCATION_MARK)
    assert "333" not in redacted
    assert counts["phone"] > 30_000


def test_a_failing_detector_falls_back_to_coarse_masking(redactor, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(Redactor, "_detect", boom)
    text, counts = redactor.redact("Ahmad: +39 333 123 4567, ahmad@example.org", ["Ahmad"])
    assert "333" not in text
    assert "example.org" not in text
    assert "Ahmad" not in text
    assert counts["name"] == 1
