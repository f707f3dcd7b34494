"""The shortcuts name matching takes on long stories find what the full passes found: words cut
by a plain letter pattern where no mark or inner apostrophe can occur, and the loops of
`variants` and `cues` run only over the words they can act on."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy.redaction import Redactor, cues, variants
from privacy.redaction.text import fold_text
from privacy.redaction.tokens import _NOT_LETTERS, _WORD, tokens
from tests.privacy.redaction.common import REGIONS

_LETTERS = st.text(
    alphabet=st.sampled_from("abzAZ_09 éÉßı.'’-\n ОлнаІїґ'є مُحَمَّدـأإلو ተስፋን ሓጎስ\u200c\u0301\u064e"),
    max_size=120,
)


def _reference(text: str) -> list[tuple[int, int, str]]:
    """Every word as the one full pattern cuts it (what `tokens` did on every text)."""
    folded = fold_text(text)
    return [(m.start(), m.end(), m.group().translate(_NOT_LETTERS)) for m in _WORD.finditer(folded)]


@given(_LETTERS)
def test_words_are_cut_as_the_full_pattern_cuts_them(text):
    assert tokens(text) == _reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "We met Ahmad at the camp.",
        "Мене звати Олена, ім'я моєї доньки Марія.",
        "وصلنا مع مُحمّد إلى المخيم",
        "ተስፋን ኣደይን መጺኦም።",
        "naïve Zoë and O'Brien",
    ],
)
def test_each_kind_of_text_is_cut_as_before(text):
    assert tokens(text) == _reference(text)


_PHRASES = (
    # ASCII: names as written in any case, spellings, particles, cues, titles, kin words
    "Ahmad|ahmad|AHMAD|Al-Zoubi|Alzoubi|al Zoubi|Abu Ali|my name is Omar|they call me Hope|"
    "hope|Mrs Hope|my brother Karim|Mohammed|Muhammad|Ahmad Shah|Du'a|Doaa|we met|At the camp|"
    "me llamo Saba|saba|known as Omar|omar|the camp|and|Tesfay",
    # other scripts: inflected forms, clitics, cues after and before the name
    "Олена|Олени|з Марією|пані Олена|мене звати Олена|محمد|لأحمد|عبد الله|اسمي محمد|اسم أخي نور|"
    "نور وأمي|ተስፋ|ተስፋን ኣደይን|ስመይ ሳባ|ንሳባ|ሳባ ይበሃል",
)
_GAPS = st.sampled_from([" ", ", ", ". ", " - ", ": ", "\n"])


def _story(phrases: str):
    words = st.tuples(st.sampled_from(phrases.split("|")), _GAPS)
    return st.lists(words, max_size=25).map(lambda ws: "".join(w + gap for w, gap in ws))


_STORIES = st.one_of(_story(_PHRASES[0]), _story("|".join(_PHRASES)))
_ANSWERS = st.lists(
    st.sampled_from(
        ["Ahmad Al-Zoubi", "Olena", "محمد", "Hope Tesfay", "ተስፋ", "Saba", "Omar", "Doaa", "Марія"]
    ),
    max_size=2,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_STORIES, _ANSWERS, st.sampled_from(["context", "always"]))
def test_name_matching_over_the_words_it_can_act_on_finds_what_every_word_found(
    story, answers, everyday
):
    redactor = Redactor.for_regions(REGIONS, everyday_names=everyday)
    found = redactor.find(story, answers)
    with pytest.MonkeyPatch.context() as patch:  # the loops over every word, as before
        patch.setattr(variants, "capitalised_or_among", lambda text, toks, words: range(len(toks)))
        patch.setattr(cues, "among", lambda toks, words: range(len(toks)))
        assert redactor.find(story, answers) == found
