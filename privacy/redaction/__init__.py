"""Redaction of personal data in free-text answers (the `free_text` privacy rule).

Open answers are where people tell their story, and where they write what no form field asked
for: a phone number to call back, a cousin's name, a passport number, an IBAN for a transfer.
A `free_text` answer keeps its words and loses its personal data, each piece replaced by a
typed placeholder (`[PHONE]`, `[EMAIL]`, ...), so a reader still sees that something was there
and the risk report can count redactions by type. The package is pure Python (no Django import),
so the anonymisation task, a management command or a benchmark can call it directly.

    redactor = Redactor.for_regions(["IT", "AF", "SY", "UA"])   # cached per set of regions
    text, counts = redactor.redact(answer, direct_values=["Ahmad Karimi", "+39 333 123 4567"])

One module per detector family, each saying what it catches and what it misses: `phones`
(with `regions`: which countries' national formats), `web` (e-mails and links), `financial`
(IBANs and cards), `documents` (ids and case numbers), `names` (the submission's own direct
values as given), `variants` (those names in other scripts, spellings, case forms and with
clitics, homonyms kept unless named: `scripts`, `tokens`, `morphology`, `lexicon`, `syntax`)
and `cues`
(a name after "my name is", "اسمي", "мене звати"...); `text` holds the normalised views of the
text they share, and `redactor` runs them and resolves overlaps. `redact_counted` also counts
each `[NAME]` by how it was found, and `find` gives the spans, for the DPO's report and page.
"""

# Absolute imports: a test loads this file on its own to prove no Django module comes with it.
from privacy.redaction.documents import STDNUM_PERSONAL_IDS
from privacy.redaction.phones import MAX_MATCHER_RUNS
from privacy.redaction.redactor import MAX_TEXT_CHARS, TRUNCATION_MARK, Redactor
from privacy.redaction.text import PLACEHOLDERS

__all__ = [
    "MAX_MATCHER_RUNS",
    "MAX_TEXT_CHARS",
    "PLACEHOLDERS",
    "STDNUM_PERSONAL_IDS",
    "TRUNCATION_MARK",
    "Redactor",
]
