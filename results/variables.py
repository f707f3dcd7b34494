"""What a form's results can be broken down by: its categorical questions (selects, banded
numbers, yes/no), merged across versions by question name, and the dimensions every record
carries (where and when it was collected)."""

from dataclasses import dataclass, field

from forms.models import Form

CATEGORICAL = {"select_one", "select_one_from_file"}
MULTIPLE = {"select_multiple", "select_multiple_from_file"}
DIMENSIONS = {
    "network": "Regional migration network",
    "national_society": "National Society",
    "country": "Country",
    "service_point": "Service point",
    "month": "Month",
}


@dataclass
class Variable:
    key: str  # the record's data key (path below the root) or a dimension name
    kind: str  # "single", "multiple", "rank" or "dimension"
    labels: dict[str, str] = field(default_factory=dict)  # language -> question label
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> language -> label

    def label(self, language: str | None) -> str:
        return _pick(self.labels, language) or DIMENSIONS.get(self.key, self.key)

    def choice_label(self, code: str, language: str | None) -> str:
        return _pick(self.choices.get(code, {}), language) or code


def _pick(labels: dict[str, str], language: str | None) -> str:
    if not labels:
        return ""
    if language and labels.get(language):
        return labels[language]
    return labels.get("default") or next(iter(labels.values()))


def _kind(qtype: str, banded: bool) -> str | None:
    """How results count a question: one answer, several answers, a ranking, or not at all."""
    if qtype in CATEGORICAL or banded:
        return "single"
    if qtype in MULTIPLE:
        return "multiple"
    if qtype == "rank":
        return "rank"
    return None


def form_variables(form: Form) -> dict[str, Variable]:
    """Every variable results can use, newest version's labels first."""
    variables = {key: Variable(key, "dimension") for key in DIMENSIONS}
    for version in form.versions.order_by("-created_at"):
        rules = {r.path: r for r in version.current_rule_set.rules.all()}
        for question in version.questions:
            rule = rules.get(question["path"])
            if rule is None or rule.classification in {"direct", "drop", "free_text", "pseudonym"}:
                continue
            if question.get("repeat"):
                continue
            key = question["path"].split("/", 2)[-1]
            qtype = question["type"]
            banded = rule.classification == "quasi" and any(
                g.split(":")[0] in {"band", "top", "bottom"} for g in rule.generalisers
            )
            kind = _kind(qtype, banded)
            if kind is None or key in variables:
                continue
            choices = {
                item["name"]: item["labels"]
                for item in version.choices.get(question.get("list_name") or "", [])
            }
            variables[key] = Variable(key, kind, question.get("labels", {}), choices)
    return variables
