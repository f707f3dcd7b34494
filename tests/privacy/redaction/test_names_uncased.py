"""The respondent's own name in Arabic, Dari and Tigrinya text where the earlier matching let it
through (issue 14, leftovers): a name that opens an Arabic sentence, Dari's object marker را and
Tigrinya's question and contrast suffixes joined to the name, and a name typed with the other
keyboard's letters. Each test protects a way the person's own name would reach the anonymised
record, or an everyday word that must stay readable."""

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


def redacted(redactor, text, direct):
    return redactor.redact(text, direct)[0]


# ------------------------------------------------------------- a name that opens an Arabic clause


def test_an_everyday_word_name_opening_an_arabic_sentence_is_the_person(redactor):
    """ "And Nour was very tired": Arabic does not open a sentence with a bare indefinite noun,
    so نور ("light") there is the respondent, and her name must not reach the record."""
    text = "وصلنا في الليل. ونور كانت متعبة جدا بعد الرحلة."
    assert redacted(redactor, text, ["نور العلي"]) == (
        "وصلنا في الليل. و[NAME] كانت متعبة جدا بعد الرحلة."
    )


@pytest.mark.parametrize(
    "text",
    [
        "نور الشمس قوي هنا في الصيف.",  # "the sunlight": the first part of a construct
        "لم يكن هناك نور في الغرفة.",  # not opening the sentence
        "النور انقطع طوال الليل.",  # with the article
    ],
)
def test_the_everyday_word_in_arabic_stays_a_word(redactor, text):
    """A story by someone called Nour keeps the word "light" where grammar makes it the word:
    a reader of the anonymised record must still understand the story."""
    assert redacted(redactor, text, ["نور العلي"]) == text


def test_a_short_stem_after_fa_opening_a_sentence_stays_a_word(redactor):
    """فعلي أن ("so I must") opens a sentence with ف + علي; for a respondent called علي it is
    still read as the phrase, not the name (a two-letter stem is too weak a sign)."""
    text = "فعلي أن أنتظر حتى الصباح."
    assert redacted(redactor, text, ["علي حسون"]) == text


def test_a_dari_sentence_opening_with_the_word_keeps_it(redactor):
    """Dari, unlike Arabic, opens sentences with a bare noun ("hope is still there"): امید
    stays a word for a respondent called Omid."""
    text = "امید هنوز در دل ما هست."
    assert redacted(redactor, text, ["امید رحیمی"]) == text


# ---------------------------------------------------------------- suffixes joined to the name


@pytest.mark.parametrize(
    ("direct", "text", "expected"),
    [
        (["ذکیه سلطانی"], "ذکیهرا در بندر گم کردیم.", "[NAME]را در بندر گم کردیم."),  # Dari را
        (["ሳባ ወልደ"], "ሳባዶ ትፈልጣ?", "[NAME]ዶ ትፈልጣ?"),  # Tigrinya ዶ, a question
        (["ዮናስ ጸጋይ"], "ዮናስከ ኣበይ ኣሎ?", "[NAME]ከ ኣበይ ኣሎ?"),  # Tigrinya ከ "and what about"
    ],
)
def test_a_suffix_joined_to_the_name(redactor, direct, text, expected):
    """Informal Dari joins the object marker را to the name, Tigrinya joins its question and
    contrast suffixes: the name goes, the suffix stays so the sentence still reads."""
    assert redacted(redactor, text, direct) == expected


@pytest.mark.parametrize(
    ("direct", "text"),
    [
        (["سام الحلبي"], "ذهبنا إلى سامرا في الصيف."),  # the town Samarra, not سام + را
        (["سام الحلبي"], "وصلنا سامرا أخيرا."),
    ],
)
def test_arabic_words_ending_in_ra_are_not_the_dari_marker(redactor, direct, text):
    """Arabic has no object marker را: in Arabic text سامرا is a town and keeps its letters for a
    respondent called Sam, instead of losing half the word to a false name."""
    assert redacted(redactor, text, direct) == text


def test_the_dari_marker_still_goes_with_the_name_without_persian_letters_in_the_word(redactor):
    """A Dari sentence is recognised by its own letters (ی ک گ), so a name with only letters
    Arabic shares (احمد) still loses its joined marker's stem: "I saw Ahmad"."""
    assert redacted(redactor, "احمدرا دیدم.", ["احمد رحیمی"]) == "[NAME]را دیدم."


# ------------------------------------------------------- the other keyboard's letters, marks


@pytest.mark.parametrize(
    ("direct", "text"),
    [
        (["ذکیه سلطانی"], "ذكية جاءت معي إلى المكتب."),  # Persian ک ی ه typed as Arabic ك ي ة
        (["يوسف الزعبي"], "رأيت یوسف في السوق."),  # Arabic ي typed as Persian ی
        (["فاطمة درويش"], "جاءت فَاطِمَـة مع أولادها."),  # harakat and a tatweel
    ],
)
def test_a_name_typed_with_the_other_keyboards_letters(redactor, direct, text):
    """A Dari speaker on an Arabic keyboard (or the reverse), or a name written with vowel
    marks or a stretched letter, is still the same person's name."""
    assert "[NAME]" in redacted(redactor, text, direct)
    assert not any(word in redacted(redactor, text, direct) for word in ("ذكية", "یوسف", "فَاطِمَـة"))
