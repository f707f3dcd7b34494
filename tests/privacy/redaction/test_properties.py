"""Properties over generated text: redaction never raises, planted data never survives."""

import re

import phonenumbers
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from privacy.redaction import PLACEHOLDERS, Redactor
from privacy.redaction.names import stop_parts
from privacy.redaction.text import fold_value
from tests.privacy.redaction.common import REGIONS

# ------------------------------------------------------------------------------ properties

_WORDS = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ éàü أحمدكريمي اللهب Олена .,;:!?'\n"
    ),
    max_size=200,
)


@st.composite
def phone_numbers(draw):
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    tail = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    number = phonenumbers.parse(f"+{example.country_code}{national[:-4]}{tail}")
    assume(phonenumbers.is_valid_number(number))
    style = draw(st.sampled_from(["international", "national", "e164", "00"]))
    if style == "international":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if style == "national":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164 if style == "e164" else "00" + e164[1:]


emails = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z][a-z0-9._\-]{0,14}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9\-]{0,10}[a-z0-9]", fullmatch=True),
    st.sampled_from(["com", "org", "it", "af", "net", "co.uk"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), direct=st.lists(st.text(max_size=40), max_size=4))
def test_never_raises(text, direct):
    redacted, counts = Redactor.for_regions(REGIONS).redact(text, direct)
    assert isinstance(redacted, str)
    assert all(kind in PLACEHOLDERS and n > 0 for kind, n in counts.items())


@settings(max_examples=300, deadline=None)
@given(before=st.text(), after=st.text(), phone=phone_numbers(), email=emails)
def test_planted_phone_and_email_never_survive_on_their_own_line(before, after, phone, email):
    text = f"{before}\n{phone}\n{after}\n{email}\n{before}"
    redacted, _counts = Redactor.for_regions(REGIONS).redact(text)
    assert phone not in redacted
    assert email not in redacted


@settings(max_examples=300, deadline=None)
@given(before=_WORDS, after=_WORDS, phone=phone_numbers(), email=emails)
def test_planted_phone_and_email_never_survive_in_prose(before, after, phone, email):
    text = f"{before} {phone} {after} {email} {before}"
    redacted, counts = Redactor.for_regions(REGIONS).redact(text)
    assert phone not in redacted
    assert email not in redacted
    assert counts["phone"] + counts["document"] >= 1  # "ID 0944..." is typed as a document
    assert counts["email"] >= 1


@settings(max_examples=200, deadline=None)
@given(
    before=_WORDS,
    after=_WORDS,
    name=st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True),
)
def test_planted_direct_name_never_survives_as_a_word(before, after, name):
    assume(fold_value(name) not in stop_parts())
    redacted, _ = Redactor.for_regions(REGIONS).redact(
        f"{before} {name} {after} {name.upper()}.", [f"{name} Karimi"]
    )
    assert re.search(rf"(?<!\w){name}(?!\w)", redacted, re.IGNORECASE) is None
