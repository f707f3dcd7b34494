"""The month of the visit, which disclosure control groups records by and results show.

Why not the month the server received the submission: a tablet at a mobile service point may
stay offline for weeks, so visits from September to December all arrived, and showed, as
December (issue 13). The instance says when the visit happened: ODK Collect records the form's
``start`` and ``end`` timestamps and its ``today`` date.

The rule: the first of ``start``, ``end``, ``today`` (in that order of preference: ``start`` is
when the volunteer opened the form with the person) that the form records and that is a
plausible date, else the month received. Plausible means no later than a day after the server
received the submission (a device cannot send a visit that has not happened yet; a day allows
for time zones), and no earlier than a year before the form version existed (a version can be
a corrected copy of an older questionnaire, but a tablet clock reset to 1970 or 2000 is not a
visit). The month is the device's local one (the wall-clock date the timestamp carries), as the
volunteer and the person experienced it.
"""

from datetime import date, datetime, timedelta

from django.utils.dateparse import parse_date, parse_datetime

ORDER = ("start", "end", "today")
GRACE = timedelta(days=1)
BEFORE_VERSION = timedelta(days=365)


def _parsed(text: str) -> date | datetime | None:
    try:
        return parse_datetime(text) or parse_date(text)
    except ValueError:  # well-formed but impossible (month 13): the device clock's nonsense
        return None


def _plausible(value: date | datetime, received_at: datetime, version_created: datetime) -> bool:
    latest, earliest = received_at + GRACE, version_created - BEFORE_VERSION
    if isinstance(value, datetime):
        if value.tzinfo is None:  # no offset: read it in the server's time zone
            value = value.replace(tzinfo=received_at.tzinfo)
        return earliest <= value <= latest
    return earliest.date() <= value <= latest.date()


def visit_month(
    answers: dict[str, list[str]],
    questions: list[dict],
    *,
    received_at: datetime,
    version_created: datetime,
) -> str:
    """ "YYYY-MM" of the visit (see the module docstring for the rule).

    `answers` are the instance's answers by path (``sync.instance.answers_by_path``);
    `questions` the version's questions (each with ``type`` and ``path``)."""
    for kind in ORDER:
        for question in questions:
            if question.get("type") != kind:
                continue
            for text in answers.get(question.get("path", ""), [])[:1]:
                value = _parsed(text.strip())
                if value is not None and _plausible(value, received_at, version_created):
                    return f"{value:%Y-%m}"
    return f"{received_at:%Y-%m}"
