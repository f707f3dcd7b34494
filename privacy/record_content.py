"""An anonymised record as the DPO reads it before releasing it: each published answer beside
its question's label, values disclosure control hid marked as hidden, repeats as rows. The same
content analysts would read, never the raw submission."""

from dataclasses import dataclass, field

from privacy.models import AnonymisedRecord, ReleasedRecord


@dataclass
class Answer:
    key: str  # the answer's path below the form's root, as results and exports name it
    label: str
    value: str = ""
    hidden: bool = False  # hidden by disclosure control
    rows: list[list[tuple[str, str]]] = field(default_factory=list)  # a repeat's rows


@dataclass
class RecordContent:
    pk: str
    service_point: str
    month: str
    answers: list[Answer]
    withheld: bool = False
    withheld_reason: str = ""
    suppressed: list[str] = field(default_factory=list)


def label_for(labels: dict[str, str], language: str | None) -> str:
    """A question's label in ``language`` (an interface code such as "ar", or a form language
    such as "Arabic (ar)"), else the form's default."""
    if not labels:
        return ""
    if language:
        for name, text in labels.items():
            if text and (name == language or name.endswith(f"({language})")):
                return text
    return labels.get("default") or next(iter(labels.values()))


def question_labels(questions: list[dict], language: str | None) -> dict[str, str]:
    """Answer key (path below the root) -> label, in questionnaire order."""
    return {
        q["path"].split("/", 2)[-1]: label_for(q.get("labels") or {}, language) or q["name"]
        for q in questions
    }


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def record_rows(
    record: AnonymisedRecord | ReleasedRecord, questions: list[dict], language: str | None
) -> RecordContent:
    """``record``'s published answers in questionnaire order (answers of questions no longer
    asked at the end), with the hidden ones named."""
    labels = question_labels(questions, language)
    data = record.data if isinstance(record, ReleasedRecord) else record.published
    suppressed = list(record.suppressed or [])
    order = {key: i for i, key in enumerate(labels)}
    keys = sorted(set(data) | set(suppressed), key=lambda k: (order.get(k, len(order)), k))
    answers = []
    for key in keys:
        value = data.get(key)
        answer = Answer(key, labels.get(key, key), hidden=key in suppressed)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            answer.rows = [
                [(labels.get(k, k.rsplit("/", 1)[-1]), _text(v)) for k, v in row.items()]
                for row in value
            ]
        elif not answer.hidden:
            answer.value = _text(value)
        answers.append(answer)
    withheld, reason = False, ""
    if isinstance(record, ReleasedRecord):
        pk = str(record.record_id)
    else:
        pk, reason = str(record.pk), record.withheld_reason
        withheld = record.withheld_at is not None
    point = record.service_point
    return RecordContent(
        pk=pk,
        service_point=point.name if point is not None else "",
        month=record.month,
        answers=answers,
        withheld=withheld,
        withheld_reason=reason,
        suppressed=suppressed,
    )
