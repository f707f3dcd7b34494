"""Case forms of Ukrainian names: "Марія" is written "з Марією", "Марії", "Марію" in a story.

*pymorphy3* with *pymorphy3-dicts-uk* (the Ukrainian dictionaries) knows given names and
surnames and their whole paradigm; every parse of the name is taken (a name is also parsed as a
common noun, and the first parse is not always the name), so each form of each reading is
matched. The analyser is loaded once per process, on the first Cyrillic name (about 0.2 s).
"""

from __future__ import annotations

import functools
from typing import Any

from privacy.redaction.text import fold_value

_MAX_FORMS = 64


@functools.cache
def _analyser() -> Any:  # pymorphy3 ships no type information
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk")


@functools.lru_cache(maxsize=4096)
def case_forms(word: str) -> frozenset[str]:
    """The folded forms of every paradigm of `word` (a Cyrillic word in lower case, as written:
    folded, Андрій would be "андріи"), itself included."""
    forms = {fold_value(word).replace("'", "").replace("’", "")}
    try:
        parses = _analyser().parse(word)
    except Exception:  # a dictionary problem must not stop redaction
        return frozenset(forms)
    names = [p for p in parses if {"Name", "Surn", "Patr"} & set(p.tag.grammemes)]
    for parse in names or parses[:1]:
        if parse.tag.POS not in ("NOUN", None):
            continue
        for lexeme in parse.lexeme:
            forms.add(fold_value(lexeme.word).replace("'", "").replace("’", ""))
            if len(forms) >= _MAX_FORMS:
                break
    return frozenset(forms)
