"""Record-level anonymisation: one raw instance in, one anonymised record out.

Every answer passes through its question's rule; an element no rule names is dropped. Direct
identifiers are removed but first collected, so that the same submission's free text can be
cleaned of them. Repeats are handled row by row.
"""

import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import phonenumbers

from lib import crypto
from privacy.anonymisation.generalise import generalise
from privacy.redaction import Redactor

LIST_TYPES = {"select_multiple", "select_multiple_from_file"}
NUMBER_TYPES = {"integer", "decimal", "range"}
PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]{6,20}$")


@dataclass(frozen=True)
class RuleSpec:
    path: str
    question_type: str
    classification: str
    generalisers: tuple[str, ...] = ()


@dataclass
class Anonymised:
    data: dict
    quasi: dict
    redactions: Counter = field(default_factory=Counter)

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Context:
    rules: dict[str, RuleSpec]
    repeats: AbstractSet[str]
    root_path: str
    redactor: Redactor
    pseudonym_key: bytes
    regions: tuple[str, ...]
    direct_values: list[str] = field(default_factory=list)
    redactions: Counter = field(default_factory=Counter)
    free_text: list[tuple[dict, str, str]] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def normalise_for_pseudonym(value: str, regions: tuple[str, ...]) -> str:
    """Case, spacing and Unicode forms do not change a pseudonym; neither does the way a phone
    number is written (it becomes E.164 when it parses for one of the regions)."""
    text = " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    if PHONE_LIKE.match(text):
        for region in (None, *regions):
            try:
                number = phonenumbers.parse(text, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text


def _typed(value: str, question_type: str):
    if question_type in LIST_TYPES:
        return sorted(value.split())
    if question_type == "rank":
        return value.split()
    if question_type in NUMBER_TYPES:
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and question_type != "decimal" else number
    return value


REMOVED = object()
FREE_TEXT = object()


def _transform(value: str, rule: RuleSpec, ctx: Context):
    kind = rule.classification
    if kind == "direct":
        ctx.direct_values.append(value)  # removed, but kept to clean this submission's free text
        return REMOVED
    if kind == "drop":
        return REMOVED
    if kind == "pseudonym":
        return crypto.pseudonymise(normalise_for_pseudonym(value, ctx.regions), ctx.pseudonym_key)
    if kind == "quasi":
        return generalise(value, rule.question_type, list(rule.generalisers))
    if kind == "free_text":
        return FREE_TEXT  # redacted once every direct value of the submission is known
    return _typed(value, rule.question_type)


def _walk(element: Element, path: str, ctx: Context) -> dict:
    out: dict = {}
    for child in element:
        child_path = f"{path}/{_local(child.tag)}"
        key = child_path.removeprefix(ctx.root_path + "/")
        if child_path in ctx.repeats:
            out.setdefault(key, []).append(_walk(child, child_path, ctx))
        elif len(child):
            out.update(_walk(child, child_path, ctx))
        else:
            rule = ctx.rules.get(child_path)
            value = (child.text or "").strip()
            if rule is None or not value:
                continue
            transformed = _transform(value, rule, ctx)
            if transformed is FREE_TEXT:
                ctx.free_text.append((out, key, value))
            elif transformed is not REMOVED:
                out[key] = transformed
    return out


def anonymise_instance(
    root: Element,
    *,
    rules: list[RuleSpec],
    repeats: AbstractSet[str],
    pseudonym_key: bytes,
    regions: tuple[str, ...],
    redactor: Redactor | None = None,
) -> Anonymised:
    root_path = f"/{_local(root.tag)}"
    ctx = Context(
        rules={rule.path: rule for rule in rules},
        repeats=repeats,
        root_path=root_path,
        redactor=redactor or Redactor.for_regions(regions),
        pseudonym_key=pseudonym_key,
        regions=regions,
    )
    data = _walk(root, root_path, ctx)
    for container, key, value in ctx.free_text:
        container[key], counts, found_as = ctx.redactor.redact_counted(value, ctx.direct_values)
        ctx.redactions.update(counts)
        # how each [NAME] was found, for the DPO: "name: direct", "name: transliteration"...
        ctx.redactions.update({f"name: {how}": n for how, n in found_as.items()})
    quasi = {
        rule.path.removeprefix(root_path + "/"): data.get(rule.path.removeprefix(root_path + "/"))
        for rule in rules
        if rule.classification == "quasi"
        and not any(rule.path.startswith(r + "/") for r in repeats)
    }
    return Anonymised(data=data, quasi=quasi, redactions=ctx.redactions)
