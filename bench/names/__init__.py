"""Names in free text: how well redaction catches the respondent's own name in every form, keeps
the words that merely equal a name, keeps ordinary numbers and catches structured identifiers,
on a labelled evaluation set generated here (`generate`: 8 languages, people and sentences
written for this bench), and how many stories per second one core redacts.

    .venv/bin/python -m bench names            # no database needed
    .venv/bin/python -c "from bench import names; print(names.run(stories=1600))"

Targets (issue 14): own name, every mention ≥ 95 % caught; homonyms kept ≥ 50 %; ordinary
numbers kept ≥ 99 %; structured identifiers ≥ 99.5 % caught; ≥ 2,000 stories/s on one core
(measured in CPU seconds of this process, as the machine may be shared; wall time is shown).
A span is caught when redaction covers every character of it, kept when it touches none.

How independent the set is: people, spellings, case forms and sentences were written for this
bench, not derived from the code (Ukrainian case forms by hand, not by pymorphy3). The usual
"my name is" phrase of each language is in both the code's cues and the naming sentences. Four
own-name sentences use a "known by the name" phrase that is also a cue (Arabic باسم, Dari
به نام, Pashto د … په نوم, Tigrinya ብ… ይፈልጡኒ); without the last three, which were added to
the cues after this set was written, own-name recall is about 0.6 points lower (94.7 % for
95.3 %). Homonyms are kept exactly when the word is in the code's lexicon
(`privacy.redaction.lexicon`): 17 of the set's 21 everyday words are.

The `letter` kind (Ge'ez letter variants) and most `clitic` misses are not folding or clitic
failures: every one missed is a variant of an everyday word (ሠላም for ሰላም, ሐጎስ, ونور, وامید)
with no naming context (`own_percent_by_teller`).

`held_out` is a second set of sentences (other phrasings, another seed, the same people)
written after the rules and never used to tune them; its figures are reported apart
(`held_out` in the result). Own-name recall is also split by teller: those whose name is an
everyday word (redacted only in a naming context) and the others.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict

from bench.names import held_out
from bench.names.generate import Story, stories
from bench.names.templates import LANGUAGES
from privacy.redaction import Redactor
from privacy.redaction.regions import default_phone_regions

SERVICE_POINTS = ("IT", "GR")
_ORIGINS = "AF SY UA ER SD SS SO ET VE CO HT HN GT IQ IR PK BD MM NG ML GN CI CD YE LY TN MA TR"
TARGETS = {"own": 0.95, "keep_homonym": 0.50, "keep_number": 0.99, "structured": 0.995}


def _score(story: Story, found: list[tuple[int, int, str]]) -> list[tuple[str, str, bool]]:
    """(category, kind, success) for each labelled span of `story`."""
    covered = bytearray(len(story.text))
    for start, end, _ in found:
        covered[start:end] = b"\x01" * (end - start)
    results = []
    for start, end, category, kind in story.spans:
        # letters and digits: "Omar Haddad" as two [NAME]s is caught, the space between kept
        hit = [covered[i] for i in range(start, end) if story.text[i].isalnum()]
        if category.startswith("keep"):
            results.append((category, kind, not any(hit)))
        else:
            results.append((category, kind, all(hit)))
    return results


def _evaluate(redactor: Redactor, data: list[Story]) -> dict:
    """Per-language and per-kind rates of `data`, how names were found, and missed examples."""
    totals: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)  # (category, lang)
    kinds: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)  # (category, kind)
    split: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)  # own: (lang, teller)
    how: Counter[str] = Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    for story in data:
        found = redactor.find(story.text, story.direct)
        how.update(kind.partition("/")[2] for _, _, kind in found if kind.startswith("name"))
        teller = "homonym_names" if story.homonym else "other_names"
        for (category, kind, ok), (start, end, *_) in zip(
            _score(story, found), story.spans, strict=True
        ):
            for key in ((category, story.language), (category, "all")):
                totals[key]["n"] += 1
                totals[key]["ok"] += ok
            kinds[(category, kind)]["n"] += 1
            kinds[(category, kind)]["ok"] += ok
            if category == "own":
                for key in ((story.language, teller), ("all", teller)):
                    split[key]["n"] += 1
                    split[key]["ok"] += ok
            if not ok and len(misses[category]) < 12:
                misses[category].append(f"{story.language}/{kind}: {story.text[start:end]!r}")

    categories = ("own", "family", "keep_homonym", "keep_number", "structured")
    overall = {c: totals[(c, "all")] for c in categories}
    return {
        "percent_by_language": {
            lang: {c: _rate(totals[(c, lang)]) for c in categories} for lang in (*LANGUAGES, "all")
        },
        # own-name recall of tellers whose name is also an everyday word (Amal, ተስፋ, امید:
        # redacted only in a naming context) and of the others, by language
        "own_percent_by_teller": {
            lang: {t: _rate(split[(lang, t)]) for t in ("homonym_names", "other_names")}
            for lang in (*LANGUAGES, "all")
        },
        "labelled_spans": {c: overall[c]["n"] for c in categories},
        "percent_by_kind": {f"{c}/{k}": _rate(v) for (c, k), v in sorted(kinds.items())},
        "spans_by_kind": {f"{c}/{k}": v["n"] for (c, k), v in sorted(kinds.items())},
        "names_found_as": dict(how.most_common()),
        "examples_missed": dict(misses),
        "_overall": overall,
    }


def _rate(counter: Counter[str]) -> float | None:
    return round(100 * counter["ok"] / counter["n"], 2) if counter["n"] else None


def run(stories_count: int = 2000, rounds: int = 3, held_out_count: int = 1000) -> dict:
    data = stories(stories_count)
    origins = _ORIGINS.split()
    redactor = Redactor.for_regions(
        default_phone_regions(SERVICE_POINTS, origins),
        id_regions=default_phone_regions(SERVICE_POINTS, origins, ()),
    )
    started = time.perf_counter()
    redactor.redact(data[0].text, data[0].direct)  # tables, ICU, pymorphy3 dictionaries
    cold_ms = (time.perf_counter() - started) * 1000

    main = _evaluate(redactor, data)
    # The DPO's other choice (project setting everyday_names="always"): recall against
    # readability, the figures a DPO weighs (own-name recall, homonyms kept).
    always = Redactor.for_regions(redactor.regions, redactor.id_regions, "always")
    always_rates = _evaluate(always, data)["percent_by_language"]
    held = _evaluate(redactor, held_out.stories(held_out_count)) if held_out_count else None

    per_round, per_round_wall = [], []
    for _ in range(max(1, rounds)):  # CPU time: the machine may be shared (record `uptime`)
        cpu, wall = time.process_time(), time.perf_counter()
        for story in data:
            redactor.redact(story.text, story.direct)
        per_round.append(len(data) / (time.process_time() - cpu))
        per_round_wall.append(len(data) / (time.perf_counter() - wall))

    overall = main.pop("_overall")
    met = {
        c: overall[c]["n"] > 0 and overall[c]["ok"] / overall[c]["n"] >= target
        for c, target in TARGETS.items()
    }
    met["stories_per_cpu_s"] = statistics.median(per_round) >= 2000
    result = {
        "stories": len(data),
        "mean_chars": round(statistics.fmean(len(s.text) for s in data)),
        "regions": len(redactor.regions),
        "cold_start_ms": round(cold_ms, 1),
        "stories_per_cpu_s": round(statistics.median(per_round)),
        "stories_per_cpu_s_by_round": [round(r) for r in per_round],
        "stories_per_wall_s_by_round": [round(r) for r in per_round_wall],
        **main,
        "targets_percent": {c: 100 * v for c, v in TARGETS.items()},
        "targets_met": met,  # quality figures: reported, not a pass/fail of `make bench`
    }
    result["everyday_names_always"] = {
        lang: {c: rates[c] for c in ("own", "keep_homonym")} for lang, rates in always_rates.items()
    }
    if held is not None:
        held.pop("_overall")
        result["held_out"] = {"stories": held_out_count, **held}
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))
