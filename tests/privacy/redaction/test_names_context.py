"""Context decides: a word equal to the name is a name in a naming context and a word
otherwise (homonyms), and a name after a naming cue goes even when the form never asked for it
(issue 14). Each test protects either a person's name or a story's meaning."""

from collections import Counter

import pytest

from privacy.redaction import Redactor
from tests.privacy.redaction.common import REGIONS


@pytest.fixture(scope="module")
def redactor():
    return Redactor.for_regions(REGIONS)


def left(redactor, text, direct=()):
    return redactor.redact(text, direct)[0]


# ------------------------------------------------------------------------------- homonyms


@pytest.mark.parametrize(
    ("direct", "text"),
    [
        (["Hope Mensah"], "We still have hope. Hope is what keeps us going."),
        (["Grace"], "By the grace of God we arrived."),
        (["Esperanza Rodríguez"], "Todavía tenemos esperanza de volver."),
        (["Dolores Pérez"], "Tengo dolores de cabeza."),
        (["Надія Бондар"], "У нас ще є надія повернутися."),
        (["Любов"], "Тільки любов до дітей тримала мене."),
        (["أمل الحسيني"], "لدينا أمل كبير بالعودة."),
        (["نور"], "لم يكن هناك نور في الغرفة."),
        (["امید رحیمی"], "هنوز امید داریم که برگردیم."),
        (["ሰላም ተኽለ"], "ኣብ ሃገርና ሰላም የለን።"),
        (["ተስፋ"], "ገና ተስፋ ኣለና።"),
    ],
)
def test_a_homonym_used_as_the_common_word_is_kept(redactor, direct, text):
    assert left(redactor, text, direct) == text


@pytest.mark.parametrize(
    ("direct", "text", "expected"),
    [
        (["Hope"], "My name is Hope.", "My name is [NAME]."),
        (["Hope"], "We met Hope at the camp.", "We met [NAME] at the camp."),  # capitalised
        (["Hope Mensah"], "Hope Mensah came.", "[NAME] came."),  # beside the surname
        (["Hope", "Mensah"], "Hope Mensah came.", "[NAME] [NAME] came."),
        (["Esperanza"], "Me llamo Esperanza.", "Me llamo [NAME]."),
        (["Надія"], "Пані Надія прийшла.", "Пані [NAME] прийшла."),  # a title
        (["Надія"], "Мене звати Надія.", "Мене звати [NAME]."),
        (["أمل"], "اسمي أمل.", "اسمي [NAME]."),
        (["أمل", "الحسيني"], "جاءت أمل الحسيني أمس", "جاءت [NAME] [NAME] أمس"),
        (["امید"], "نام من امید است.", "نام من [NAME] است."),
        (["ሰላም"], "ስመይ ሰላም እዩ።", "ስመይ [NAME] እዩ።"),
        (["ሰላም"], "ኣቶ ሰላም መጺኡ።", "ኣቶ [NAME] መጺኡ።"),
    ],
)
def test_a_homonym_in_a_naming_context_is_redacted(redactor, direct, text, expected):
    assert left(redactor, text, direct) == expected


def test_folding_does_not_make_ali_out_of_ala(redactor):
    # على ("on") folds like the name علي; it is redacted only where it names someone
    assert left(redactor, "وضعته على الطاولة وجاء علي", ["علي"]) == "وضعته على الطاولة وجاء [NAME]"


def test_a_name_that_is_no_word_is_redacted_in_lower_case_too(redactor):
    assert left(redactor, "yesterday ahmad came", ["Ahmad"]) == "yesterday [NAME] came"


# ----------------------------------------------------------------------------------- cues


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My name is Omar Haddad.", "My name is [NAME]."),
        ("Call me Sami; my brother Karim stayed.", "Call me [NAME]; my brother [NAME] stayed."),
        ("Je m'appelle Pierre, ma sœur Leila aussi.", "Je m'appelle [NAME], ma sœur [NAME] aussi."),
        ("Me llamo Wilmer; mi tía se llama Luz.", "Me llamo [NAME]; mi tía se llama [NAME]."),
        ("اسمي أحمد وأخي يدعى محمود.", "اسمي [NAME] وأخي يدعى [NAME]."),
        ("اسم أخي محمود.", "اسم أخي [NAME]."),
        ("Мене звати Олена, брата звати Степан.", "Мене звати [NAME], брата звати [NAME]."),
        ("نام من جاوید است.", "نام من [NAME] است."),
        ("مرا احمد می‌گویند.", "مرا [NAME] می‌گویند."),
        ("زما نوم نجیب دی.", "زما نوم [NAME] دی."),
        ("ስመይ ዮናስ እዩ። ሓፍተይ ሳባ ትበሃል።", "ስመይ [NAME] እዩ። ሓፍተይ [NAME] ትበሃል።"),
        ("Mrs. Haddad and Mr Smith helped.", "Mrs. [NAME] and Mr [NAME] helped."),
    ],
)  # fmt: skip
def test_a_name_after_a_naming_cue_is_redacted_without_direct_values(redactor, text, expected):
    redacted, counts, how = redactor.redact_counted(text)
    assert redacted == expected
    assert how == Counter(cue=counts["name"])


def test_cues_do_not_redact_what_is_no_name(redactor):
    text = "My name is not important. Call me tomorrow. اسمي"
    assert left(redactor, text) == text


def test_report_counts_how_each_name_was_found(redactor):
    text = "Ahmad, Ahmed, أحمد, and my cousin Karim."
    redacted, counts, how = redactor.redact_counted(text, ["Ahmad"])
    assert redacted == "[NAME], [NAME], [NAME], and my cousin [NAME]."
    assert counts == Counter(name=4)
    assert how == Counter(direct=1, variant=1, transliteration=1, cue=1)


def test_find_gives_the_spans_and_how_they_were_found(redactor):
    assert redactor.find("Call +39 333 123 4567, Yusuf", ["يوسف"]) == [
        (5, 21, "phone"),
        (23, 28, "name/transliteration"),
    ]
