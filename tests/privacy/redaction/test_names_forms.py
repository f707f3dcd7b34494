"""The respondent's own name in the forms it takes on the route: other scripts, spellings,
clitics, case forms, compounds, Ge'ez letter variants (issue 14). Each test protects one way a
person's name would otherwise reach the anonymised record."""

from collections import Counter

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


def names_left(redactor, text, direct):
    return redactor.redact(text, direct)[0]


# ------------------------------------------------------------------------------ cross-script


@pytest.mark.parametrize(
    ("direct", "text", "expected"),
    [
        # answered in Arabic, written in Latin in the story (and the other way round)
        (["يوسف الزعبي"], "My passport says Yusuf.", "My passport says [NAME]."),
        (["يوسف الزعبي"], "At the camp they wrote Youssef.", "At the camp they wrote [NAME]."),
        (
            ["Yusuf Al-Zoubi"],
            "في المخيم كتبوا يوسف على البطاقة",
            "في المخيم كتبوا [NAME] على البطاقة",
        ),
        (["محمد"], "The list says Mohammed and Muhammad.", "The list says [NAME] and [NAME]."),
        # Cyrillic and Latin
        (["Олена"], "In Italy I am Olena.", "In Italy I am [NAME]."),
        (["Andrii Savchuk"], "Мене записали як Андрій.", "Мене записали як [NAME]."),
        # a Ukrainian name romanised the Ukrainian way (Hanna) and the Russian way (Ganna)
        (
            ["Ганна"],
            "Hanna, or Ganna in the old passport.",
            "[NAME], or [NAME] in the old passport.",
        ),
        # Ge'ez and Latin (the Ethiopian standard romanisation: ተኽለ "Tekhle")
        (["ተኽለ"], "The officer read Tekle twice.", "The officer read [NAME] twice."),
        (["Abraham Habte"], "ኣብ ዝርዝር ኣብርሃም ተጻሒፉ", "ኣብ ዝርዝር [NAME] ተጻሒፉ"),
        # Dari and Pashto letters
        (["Sohrab Noori"], "در پاسپورت سهراب نوشته شده", "در پاسپورت [NAME] نوشته شده"),
        (["Wardak"], "په لیست کې وردګ لیکل شوی", "په لیست کې [NAME] لیکل شوی"),
        # و read as the consonant w (Darwish), ج as j (Najib)
        (["Fatima Darwish"], "على الحدود قرأ درويش", "على الحدود قرأ [NAME]"),
        (["Najib"], "په کمپ کې نجیب پېژني", "په کمپ کې [NAME] پېژني"),
    ],
)
def test_a_name_is_found_in_another_script(redactor, direct, text, expected):
    assert names_left(redactor, text, direct) == expected


def test_cross_script_matches_are_counted_as_transliterations(redactor):
    _text, counts, how = redactor.redact_counted("Passport: Yusuf. Camp: يوسف", ["يوسف"])
    assert counts == Counter(name=2)
    assert how == Counter(direct=1, transliteration=1)


# ------------------------------------------------------------------------ spelling families


@pytest.mark.parametrize(
    ("direct", "mention"),
    [
        ("Yacoub", "Yagoub"),
        ("Soltani", "Sultani"),
        ("Youssef", "Yousef"),
        ("Doaa", "Duaa"),
        ("Mustafa", "Moustafa"),
        ("Mohammed", "Muhammad"),
        ("Darwish", "Darwiche"),
        ("Hagos", "Hagoss"),
    ],
)
def test_spelling_variants_of_a_latin_name(redactor, direct, mention):
    text, _counts, how = redactor.redact_counted(f"The volunteer wrote {mention} on it.", [direct])
    assert text == "The volunteer wrote [NAME] on it."
    assert how == Counter(variant=1)


def test_words_that_only_extend_a_name_are_kept(redactor):
    text = "Ahmadi, Alibaba and Karimov came; أحمدي جاء"
    assert names_left(redactor, text, ["Ahmad", "Ali", "Karim", "أحمد"]) == text


def test_joined_particles(redactor):
    direct = ["Omar Al-Zoubi", "Al-Idlibi"]
    assert names_left(redactor, "Alzoubi and Alidlibi", direct) == "[NAME] and [NAME]"
    assert names_left(redactor, "Al-Zoubi, Zoubi", ["Alzoubi"]) == "[NAME], [NAME]"
    assert names_left(redactor, "Elkhatib came", ["Al-Khatib"]) == "[NAME] came"


# -------------------------------------------------------------------- clitics and case forms


@pytest.mark.parametrize("prefix", ["و", "ف", "ب", "ك", "ل"])
def test_arabic_clitics_stay_and_the_name_goes(redactor, prefix):
    text = f"ذهبنا {prefix}أحمد إلى الطبيب"
    assert names_left(redactor, text, ["أحمد"]) == f"ذهبنا {prefix}[NAME] إلى الطبيب"


def test_arabic_article_is_part_of_the_name(redactor):
    assert names_left(redactor, "والزعبي وصل", ["الزعبي"]) == "و[NAME] وصل"


def test_a_clitic_before_a_three_letter_name_needs_context(redactor):
    # فعلي is "actually", not ف + علي; و + علي is "and Ali"
    assert names_left(redactor, "فعلي تعبت، وعلي أيضا", ["علي"]) == "فعلي تعبت، و[NAME] أيضا"


def test_tigrinya_prefix_and_suffix(redactor):
    assert names_left(redactor, "ደብዳቤ ንዮናስ ተላኢኹ", ["ዮናስ"]) == "ደብዳቤ ን[NAME] ተላኢኹ"
    assert names_left(redactor, "ዮናስን ኣደይን መጺእና", ["ዮናስ"]) == "[NAME]ን ኣደይን መጺእና"


@pytest.mark.parametrize("form", ["Марії", "Марію", "Марією", "марією"])
def test_ukrainian_case_forms(redactor, form):
    text, _counts, how = redactor.redact_counted(f"Ми приїхали з {form}.", ["Марія Коваленко"])
    assert text == "Ми приїхали з [NAME]."
    assert how == Counter(variant=1)


def test_ukrainian_surname_and_name_case_forms(redactor):
    text = "Лист для Петра Шевчука прийшов, я говорила з Петром."
    expected = "Лист для [NAME] [NAME] прийшов, я говорила з [NAME]."
    assert names_left(redactor, text, ["Петро Шевчук"]) == expected


# ------------------------------------------------------------- compounds and short names


def test_compound_name_written_apart_joined_and_in_latin(redactor):
    text = "عبد الله وعبدالله و Abdullah، إن شاء الله"
    expected = "[NAME] و[NAME] و [NAME]، إن شاء الله"
    assert names_left(redactor, text, ["عبد الله الخطيب"]) == expected


def test_compound_name_answered_in_latin_found_in_arabic(redactor):
    assert names_left(redactor, "جاء عبد الله أمس", ["Abdullah"]) == "جاء [NAME] أمس"


def test_two_syllable_geez_names(redactor):
    assert names_left(redactor, "ሳባ መጺኣ", ["ሳባ ወልደ"]) == "[NAME] መጺኣ"


def test_geez_letter_variants_are_one_name(redactor):
    text = "ኣብርሃም ከምኡ ድማ አብርሃም"
    assert names_left(redactor, text, ["ኣብርሃም"]) == "[NAME] ከምኡ ድማ [NAME]"
    assert names_left(redactor, "ፀጋይ", ["ጸጋይ"]) == "[NAME]"
