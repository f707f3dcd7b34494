"""ODK Validate's report in a form author's words.

ODK Validate runs JavaRosa, the engine of ODK Collect, and reports in Java: "Bad node:
org.javarosa.xpath.parser.ast.ASTNodeAbstractExpr@6e1567f1", stack traces, "Something broke the
parser". A form author needs the question, the cell and what to change; the Java class names and
object addresses mean nothing to them and are never shown.
"""

import re
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from forms.problems import Finding
from lib.problems import interpolate


class _Row(Protocol):
    row: int
    name: str


PROBLEM_AT = re.compile(
    r"Encountered a problem with (?P<what>.+?) for node \[\$\{(?P<node>[^}]+)\}\] "
    r"at line:\s*(?P<expr>.*?),\s*(?P<reason>[^,]*)$"
)
LOCATED = re.compile(r"located in (?P<what>\w+) expression for \$\{(?P<node>[^}]+)\}")
FUNCTION = re.compile(r"cannot handle function '(?P<name>[^']+)'")
JAVA = re.compile(r"\b(?:org|java|javax)\.[\w.$]+(?:@[0-9a-f]+)?")
NOISE = ("ODK Validate", "XForm is invalid", "The following", "${tmp", "Result:", "Caused by",
         "at ", "...", "Something broke the parser", "Error evaluating field",
         "Exception in thread", "Problem found at nodeset")  # fmt: skip
COLUMNS = (("display condition", "relevant"), ("relevant", "relevant"),
           ("condition", "relevant"), ("constraint", "constraint"), ("calculate", "calculation"),
           ("required", "required"), ("readonly", "read_only"), ("read only", "read_only"),
           ("choice filter", "choice_filter"), ("itemset", "choice_filter"))  # fmt: skip

SYNTAX = _(
    "an operator has a value on one side only, or two values stand side by side with no "
    "operator between them: for example “< =” written for “<=”, a trailing “and”, or "
    "“${a} 18” for “${a} = 18”"
)
REFUSED = _("ODK Collect would refuse the form: %(report)s")
REASONS = (
    ("Bad node", SYNTAX),
    ("null", SYNTAX),
    ("Mismatched brackets", _("brackets or parentheses do not pair up: count the “(” and “)”")),
    (
        "Couldn't understand the expression",
        _(
            "part of it is not XLSForm syntax: check that every quote (' or \") is closed and "
            "that only XLSForm operators and functions are used"
        ),
    ),
)


def _column(what: str) -> str | None:
    what = what.lower()
    return next((col for key, col in COLUMNS if key in what), None)


def _row(rows: dict[str, _Row], name: str) -> int | None:
    return next((row.row for row in rows.values() if row.name == name), None)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", JAVA.sub("", text)).strip(" :,")


def validate_findings(report: str, rows: dict) -> list[Finding]:
    """One finding per problem ODK Validate reports, with the question's row and column where
    the report names the question, and no Java in any message."""
    lines = [line.strip(" \t:>") for line in report.splitlines()]
    context = next((m for line in lines if (m := LOCATED.search(line))), None)
    findings: list[Finding] = []
    for line in lines:
        if match := PROBLEM_AT.search(line):
            node, column = match["node"], _column(match["what"])
            expr = re.sub(r"\s+", " ", match["expr"]).strip()
            reason = next(
                (text for key, text in REASONS if match["reason"].strip().startswith(key)),
                _plain(match["reason"]) or SYNTAX,
            )
            message = interpolate(
                _(
                    "The %(column)s of “%(name)s” cannot be read: %(reason)s. The expression as "
                    "ODK Collect sees it: %(expression)s"
                ),
                column=column or match["what"],
                name=node,
                reason=reason,
                expression=expr,
            )
            row = _row(rows, node)
        elif match := FUNCTION.search(line):
            message = interpolate(
                _(
                    "“%(function)s()” is not a function ODK Collect knows: check its spelling "
                    "against the XLSForm functions (for example selected(), count-selected(), "
                    "concat(), if(), today())."
                ),
                function=match["name"],
            )
            node = context["node"] if context else None
            column = _column(context["what"]) if context else None
            row = _row(rows, node) if node else None
            if node:
                message = interpolate(
                    _("In the %(column)s of “%(name)s”: %(message)s"),
                    column=column or _("expression"),
                    name=node,
                    message=message,
                )
        elif not line or line.startswith(NOISE):
            continue
        else:
            message = interpolate(REFUSED, report=_plain(line))
            row = column = None
        finding = Finding(
            "odk_validate.invalid",
            message,
            sheet="survey" if row else None,
            row=row,
            column=column if row else None,
        )
        if finding not in findings and _plain(str(finding.message)):
            findings.append(finding)
    return findings or [
        Finding("odk_validate.invalid", interpolate(REFUSED, report=_plain(report)))
    ]
