"""The `privacy` column's vocabulary and the defaults for questions nobody classified.

Privacy by default: a question without a value gets the rule of ../shared/design.md for its type,
and a type the design does not name is dropped, so nothing passes through raw by accident.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from forms.models import Classification
from lib.problems import interpolate

NUMERIC_TYPES = {"integer", "decimal", "range", "calculate"}
DATE_TYPES = {"date", "datetime", "start", "end", "today"}
GEO_TYPES = {"geopoint", "geotrace", "geoshape"}
DIRECT_TYPES = {
    "image",
    "audio",
    "video",
    "file",
    "barcode",
    "background-audio",
    "deviceid",
    "phonenumber",
    "username",
    "email",
    "simserial",
    "subscriberid",
    "audit",
}
KEEP_TYPES = {
    "integer",
    "decimal",
    "range",
    "select_one",
    "select_multiple",
    "select_one_from_file",
    "select_multiple_from_file",
    "rank",
    "calculate",
    "note",
    "acknowledge",
}
DATE_LEVELS = ("day", "week", "month", "quarter", "year")
GENERALISER = re.compile(r"^(band|top|bottom|date|geo):(.+)$")


# Most protective first, by how little of a value reaches the anonymised record: removed and
# used to redact the submission's free text (direct); removed (drop); replaced by a keyed hash
# (pseudonym); generalised and grouped to k, hidden where a group is too small (quasi);
# redacted (free_text); kept, its diversity measured (sensitive); kept (keep). A calculate that
# nobody classified takes the first of these among the questions it reads: whatever it copies
# gets at least the protection of its most protected source (a copy of a name is `direct`).
PROTECTIVENESS = (
    Classification.DIRECT,
    Classification.DROP,
    Classification.PSEUDONYM,
    Classification.QUASI,
    Classification.FREE_TEXT,
    Classification.SENSITIVE,
    Classification.KEEP,
)


class PrivacyValueError(ValueError):
    """A `privacy` cell that does not follow the vocabulary."""


@dataclass(frozen=True)
class Rule:
    classification: str
    generalisers: tuple[str, ...] = ()


def default_rule(question_type: str) -> Rule:
    """The design's rule for an unclassified question of ``question_type``."""
    if question_type == "meta":
        # instanceID, instanceName, deprecatedID: the anonymised record gets a fresh random id.
        return Rule(Classification.DROP)
    if question_type == "text":
        return Rule(Classification.FREE_TEXT)
    if question_type in DATE_TYPES:
        return Rule(Classification.QUASI, ("date:month",))
    if question_type in GEO_TYPES:
        return Rule(Classification.QUASI, ("geo:1",))
    if question_type in DIRECT_TYPES:
        return Rule(Classification.DIRECT)
    if question_type in KEEP_TYPES:
        return Rule(Classification.KEEP)
    return Rule(Classification.DROP)


def most_protective(classifications: list[str]) -> str:
    """The most protective of ``classifications`` (``keep`` for none), by ``PROTECTIVENESS``."""
    ranked = [c for c in PROTECTIVENESS if c in classifications]
    return ranked[0] if ranked else Classification.KEEP


def inherited_rule(classifications: list[str]) -> Rule:
    """The default rule of a calculate that reads questions of ``classifications``.

    A calculated quasi-identifier is grouped on its exact value (no generaliser: the source's
    ``band:`` or ``date:`` need not fit what the calculation makes of it)."""
    return Rule(most_protective(classifications))


def parse_privacy(value: str, question_type: str) -> Rule:
    """Parse a cell such as ``quasi band:10 top:80`` for a question of ``question_type``."""
    words = value.strip().lower().split()
    if not words:
        raise PrivacyValueError(_("The privacy value is empty."))
    classification, generalisers = words[0], tuple(words[1:])
    if classification not in Classification.values:
        raise PrivacyValueError(
            interpolate(
                _("'%(value)s' is not a privacy classification. Use one of: %(choices)s."),
                value=words[0],
                choices=", ".join(Classification.values),
            )
        )
    if generalisers and classification != Classification.QUASI:
        raise PrivacyValueError(
            interpolate(
                _("Generalisers (%(generalisers)s) only apply to 'quasi' questions."),
                generalisers=" ".join(generalisers),
            )
        )
    for generaliser in generalisers:
        _check_generaliser(generaliser, question_type)
    return Rule(classification, generalisers)


def _check_generaliser(generaliser: str, question_type: str) -> None:
    match = GENERALISER.match(generaliser)
    if not match:
        raise PrivacyValueError(
            interpolate(
                _(
                    "'%(generaliser)s' is not a generaliser. Use band:N, top:N, bottom:N, "
                    "date:day|week|month|quarter|year or geo:D."
                ),
                generaliser=generaliser,
            )
        )
    kind, argument = match.groups()
    if kind in {"band", "top", "bottom"}:
        if question_type not in NUMERIC_TYPES:
            raise PrivacyValueError(
                interpolate(
                    _("'%(generaliser)s' needs a number question, not %(type)s."),
                    generaliser=generaliser,
                    type=question_type,
                )
            )
        try:
            number = float(argument)
        except ValueError as exc:
            raise PrivacyValueError(
                interpolate(
                    _("'%(generaliser)s' needs a number after '%(kind)s:'."),
                    generaliser=generaliser,
                    kind=kind,
                )
            ) from exc
        if kind == "band" and number <= 0:
            raise PrivacyValueError(
                interpolate(
                    _("'%(generaliser)s': the band width must be above 0."), generaliser=generaliser
                )
            )
    elif kind == "date":
        if question_type not in DATE_TYPES:
            raise PrivacyValueError(
                interpolate(
                    _("'%(generaliser)s' needs a date question, not %(type)s."),
                    generaliser=generaliser,
                    type=question_type,
                )
            )
        if argument not in DATE_LEVELS:
            raise PrivacyValueError(
                interpolate(
                    _("'%(generaliser)s': use date:%(levels)s."),
                    generaliser=generaliser,
                    levels="|".join(DATE_LEVELS),
                )
            )
    else:
        if question_type not in GEO_TYPES:
            raise PrivacyValueError(
                interpolate(
                    _("'%(generaliser)s' needs a location question, not %(type)s."),
                    generaliser=generaliser,
                    type=question_type,
                )
            )
        if not argument.isdigit() or int(argument) > 6:
            raise PrivacyValueError(
                interpolate(
                    _(
                        "'%(generaliser)s': geo:D keeps D decimal places of the coordinates "
                        "(0 to 6)."
                    ),
                    generaliser=generaliser,
                )
            )
