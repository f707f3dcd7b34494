"""The privacy rules an upload proposes: the `privacy` column where filled, else privacy by
default (``forms.privacy_vocabulary``), calculations inheriting from what they read.

A proposal only: a DPO approves a version's rules before its first release.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from forms.conversion import SurveyRow
from forms.identifiers import rule_flags
from forms.models import FormVersion, PrivacyRule
from forms.privacy_vocabulary import (
    PrivacyValueError,
    Rule,
    default_rule,
    inherited_rule,
    most_protective,
    parse_privacy,
)
from forms.problems import Finding, FormRejected
from forms.xform import XFormInfo
from lib.problems import interpolate

RuleRow = tuple[str, str, str, Rule, str]


def privacy_rules(
    info: XFormInfo, rows: dict[str, SurveyRow]
) -> tuple[list[RuleRow], list[Finding]]:
    """A rule for every question: from the `privacy` column, else the design's default."""
    rules: list[RuleRow] = []
    problems, defaulted = [], []
    for question in info.questions:
        row = rows.get(question.path)
        if row is not None and row.privacy:
            try:
                rule = parse_privacy(row.privacy, question.type)
            except PrivacyValueError as exc:
                problems.append(
                    Finding(
                        "privacy.invalid",
                        interpolate(_("Question “%(name)s”: %(why)s"), name=question.name, why=exc),
                        sheet="survey",
                        row=row.row,
                        column="privacy",
                    )
                )
                continue
            source: str = PrivacyRule.Source.COLUMN
        else:
            rule = default_rule(question.type)
            source = PrivacyRule.Source.DEFAULT
            if question.type != "meta":
                defaulted.append(question.name)
        rules.append((question.path, question.name, question.type, rule, source))
    if problems:
        raise FormRejected(problems)
    rules, inherited = _calculates_inherit(info, rules)
    warnings = []
    flagged = [
        flag
        for flag in rule_flags(
            [
                _Proposed(path, name, qtype, rule.classification, list(rule.generalisers))
                for path, name, qtype, rule, _ in rules
            ],
            [q.as_dict() for q in info.questions],
        )
        if flag["looks_like"] != "free_text"  # an open answer kept: the DPO's report says so
    ]
    if flagged:
        warnings.append(
            Finding(
                "privacy.identifier",
                "These questions look like identifiers (or are open answers kept as is) yet "
                "their values would reach the anonymised record; a DPO must approve these rules "
                "before any release: " + "; ".join(f["message"] for f in flagged),
                level="warning",
                sheet="survey",
                column="privacy",
            )
        )
    if inherited:
        warnings.append(
            Finding(
                "privacy.inherited",
                "Calculations without a privacy value take the most protective class of the "
                "questions they read: " + "; ".join(inherited) + ".",
                level="warning",
                sheet="survey",
                column="privacy",
            )
        )
    if defaulted:
        warnings.append(
            Finding(
                "privacy.defaulted",
                f"{len(defaulted)} question(s) have no privacy value and get the default for their "
                f"type: {', '.join(defaulted)}. A DPO should review them.",
                level="warning",
                sheet="survey",
                column="privacy",
            )
        )
    return rules, warnings


def _calculates_inherit(info: XFormInfo, rules: list[RuleRow]) -> tuple[list[RuleRow], list[str]]:
    """Privacy by default for calculations: an unclassified calculate gets the most protective
    class among the questions its calculation reads (transitively, through other calculates),
    ``keep`` when it reads none. Returns the rules and a line per calculate that inherited."""
    by_path = {rule[0]: rule for rule in rules}
    by_name = {rule[1]: rule[0] for rule in rules}
    references = {q.path: q.references for q in info.questions}
    resolved: dict[str, str] = {}

    def classification(path: str, seen: frozenset[str]) -> str:
        rule = by_path[path]
        if rule[2] != "calculate" or rule[4] != PrivacyRule.Source.DEFAULT:
            return rule[3].classification
        if path not in resolved:
            sources = _sources(path, references.get(path, []), by_path, by_name) - seen - {path}
            resolved[path] = most_protective(
                [classification(source, seen | {path}) for source in sources]
            )
        return resolved[path]

    out, lines = [], []
    for path, name, qtype, rule, source in rules:
        if qtype == "calculate" and source == PrivacyRule.Source.DEFAULT:
            rule = inherited_rule([classification(path, frozenset())])
            sources = sorted(
                by_path[s][1] for s in _sources(path, references.get(path, []), by_path, by_name)
            )
            if sources:
                lines.append(f"{name} is {rule.classification} (reads {', '.join(sources)})")
        out.append((path, name, qtype, rule, source))
    return out, lines


def _sources(path: str, refs: list[str], by_path: dict, by_name: dict[str, str]) -> set[str]:
    """The questions a calculation's references name: an absolute path as written, a relative
    one (inside repeats) by its last step, as XLSForm names are unique in a form."""
    found = set()
    for ref in refs:
        ref = ref.strip()
        if ref in by_path:
            found.add(ref)
        elif (name := ref.rsplit("/", 1)[-1]) in by_name:
            found.add(by_name[name])
    found.discard(path)
    return found


@dataclass
class _Proposed:
    """A rule before it is stored, as ``forms.identifiers`` reads rules."""

    path: str
    name: str
    question_type: str
    classification: str
    generalisers: list[str]


def rules_flagged_audit(*, version: FormVersion, rules: list[PrivacyRule], user) -> None:
    """An upload whose rules keep identifier-looking questions in the record is audited: a
    form manager classifying a name `keep` leaves a trace, not only a warning."""
    flags = [f for f in rule_flags(rules, version.questions) if f["looks_like"] != "free_text"]
    if flags:
        audit_record(
            actor=user,
            action="rules.identifier_kept",
            project=version.form.project,
            target=f"{version.form.form_id} v{version.version} rule set #1",
            details={"flags": flags},
        )
