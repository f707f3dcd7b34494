"""What a DPO reads before deciding: the risk report, and raw answers beside anonymised ones.
Every raw read is an audit event."""

import random
import re
from dataclasses import dataclass

from forms.identifiers import rule_flags
from forms.models import Form, PrivacyRule
from privacy.disclosure.dataset import disclosure_run
from privacy.models import AnonymisedRecord, Release
from sync.instance import answers_by_path, parse_instance
from sync.selectors import raw_xml_read

PLACEHOLDER = re.compile(r"\[(PHONE|EMAIL|IBAN|CARD|DOCUMENT|URL|NAME)\]")


# How the run counted missing values, in the DPO's words (``Project.missing_values``).
MISSING_VALUES = {
    "own": "a missing answer matches only a missing answer, a hidden value only a hidden "
    "value, and a record with every quasi-identifier missing counts as unique (the default: "
    "conservative)",
    "any": "a missing or hidden value matches every value (sdcMicro's convention)",
}


def risk_report(form: Form) -> dict:
    """The latest disclosure-control run (computed now if the data changed) and what the DPO
    should look at: questions only the defaults classified, records not yet processed, and the
    conventions the run grouped records by (missing values, dimensions)."""
    run = disclosure_run(form_id=form.pk)
    missing = run.after.get("missing_values", "any")  # runs before issue 12 used sdcMicro's
    defaulted = []
    for version in form.versions.all():
        rule_set = version.current_rule_set
        for rule in rule_set.rules.filter(source=PrivacyRule.Source.DEFAULT).exclude(
            question_type="meta"
        ):
            defaulted.append(
                {
                    "version": version.version,
                    "path": rule.path,
                    "question_type": rule.question_type,
                    "classification": rule.classification,
                    "generalisers": rule.generalisers,
                }
            )
    unprocessed = form.submissions.filter(complete=True, anonymised__isnull=True).count()
    return {
        "run": run,
        "defaulted": defaulted,
        "unprocessed": unprocessed,
        "missing_values": missing,
        "missing_values_meaning": MISSING_VALUES.get(missing, missing),
        "dimensions": run.after.get("dimensions", []),
        "flags": identifier_flags(form),
    }


def identifier_flags(form: Form, numbers: dict[str, int] | None = None) -> list[dict]:
    """Questions that look like identifiers yet stay in the record, and free text kept
    unredacted (``forms.identifiers``), with the version and rule set: of the current rules, or
    of the rule-set ``numbers`` by version (a release's)."""
    flags = []
    for version in form.versions.order_by("created_at"):
        if numbers is None:
            rule_set = version.current_rule_set
        elif version.version in numbers:
            rule_set = version.rule_sets.filter(number=numbers[version.version]).first()
        else:
            continue
        if rule_set is None:
            continue
        for flag in rule_flags(list(rule_set.rules.all()), version.questions):
            flags.append({"version": version.version, "rule_set": rule_set.number, **flag})
    return flags


@dataclass
class ComparedAnswer:
    question: str
    classification: str
    raw: str
    anonymised: str

    @property
    def anonymised_marked(self) -> list[tuple[str, bool]]:
        """The anonymised text in pieces, each placeholder flagged, for highlighting."""
        pieces, position = [], 0
        for match in PLACEHOLDER.finditer(self.anonymised):
            pieces.append((self.anonymised[position : match.start()], False))
            pieces.append((match.group(0), True))
            position = match.end()
        pieces.append((self.anonymised[position:], False))
        return [piece for piece in pieces if piece[0]]


def compare_sample(*, form: Form, user, reason: str, size: int = 5, seed: int | None = None):
    """A sample of records, raw beside anonymised. Each raw read is an audit event. Only
    records whose raw data is still here (not purged on schedule) can be compared; they are
    picked by position, so a million records are never loaded to choose five."""
    records = AnonymisedRecord.objects.filter(
        form=form, superseded=False, submission__raw_purged_at__isnull=True
    ).order_by("pk")
    count = records.count()
    positions = sorted(random.Random(seed).sample(range(count), min(size, count)))
    chosen = records.select_related("submission__form__project", "rule_set")
    sample = [chosen[position] for position in positions]
    compared = []
    for record in sample:
        raw = raw_xml_read(user=user, submission=record.submission, reason=reason)
        answers = answers_by_path(parse_instance(raw).root)
        rules = {r.path: r for r in record.rule_set.rules.all()}
        root = "/" + next(iter(answers), "/data").split("/")[1]
        rows = []
        for path, values in answers.items():
            rule = rules.get(path)
            key = path.removeprefix(root + "/")
            anonymised = record.data.get(key)
            if anonymised is None and "/" in key:  # inside a repeat: show its rows' values
                head = next((k for k in record.data if key.startswith(k + "/")), None)
                if head:
                    anonymised = [row.get(key) for row in record.data[head] if key in row]
            rows.append(
                ComparedAnswer(
                    question=key,
                    classification=rule.classification if rule else "not in the form: dropped",
                    raw=" | ".join(values),
                    anonymised="" if anonymised is None else _text(anonymised),
                )
            )
        compared.append({"record": record, "answers": rows})
    return compared


def _text(value) -> str:
    if isinstance(value, list):
        return " | ".join(_text(v) for v in value if v is not None)
    return str(value)


def release_flags(release: Release) -> list[dict]:
    """The flags of the rules ``release`` was made with, for its sign-off sheet."""
    return identifier_flags(release.form, release.rule_sets)
