"""Forms and versions as a form manager's upload makes them: a real XForm converted by pyxform
from a small XLSForm, its questions read from that XForm and its privacy rules from the
`privacy` column. pyxform runs once per workbook per test session; each version is then
published by the same code as an upload (``forms.services``)."""

import copy
import functools
import json

import factory
from django.test import override_settings

from forms.conversion import ConvertedXLSForm, convert_xlsform
from forms.models import Form, FormVersion
from forms.services import _publish, privacy_rules
from forms.xform import read_xform
from tests.factories.accounts import ProjectFactory
from tests.xlsform import simple_form, xlsx


@functools.cache
def _converted(workbook_json: str) -> tuple[bytes, ConvertedXLSForm]:
    # ODK Validate (Java) is tested with uploads in tests/forms; a factory only needs the XForm.
    workbook = xlsx(json.loads(workbook_json))
    with override_settings(WAYPOINT_ODK_VALIDATE="false"):
        return workbook, convert_xlsform(workbook, file_type=".xlsx")


def with_settings(sheets: dict, **values: str) -> dict:
    """``sheets`` with settings-sheet values replaced (``form_id``, ``version``, ...)."""
    sheets = copy.deepcopy(sheets)
    header, row = sheets["settings"]
    for name, value in values.items():
        if name in header:
            row[header.index(name)] = value
        else:
            header.append(name)
            row.append(value)
    return sheets


class FormVersionFactory(factory.Factory):
    """A published version: ``FormVersionFactory(project=p, sheets=PRIVACY_FORM)``; ``form_id``
    and ``version`` override the settings sheet. The same form_id and version in a project give
    the existing version back, as a repeated upload does."""

    class Meta:
        model = FormVersion

    project = factory.SubFactory(ProjectFactory)
    sheets = factory.LazyFunction(simple_form)
    form_id = None
    version = None
    created_by = None

    @classmethod
    def _create(cls, model_class, project, sheets, form_id, version, created_by):
        overrides = {k: v for k, v in {"form_id": form_id, "version": version}.items() if v}
        if overrides:
            sheets = with_settings(sheets, **overrides)
        workbook, converted = _converted(json.dumps(sheets, sort_keys=True))
        info = read_xform(converted.xform)
        rules, rule_warnings = privacy_rules(info, converted.rows)
        return _publish(
            project=project,
            info=info,
            xform=converted.xform,
            filename=f"{info.form_id}.xlsx",
            source=workbook,
            warnings=converted.warnings + rule_warnings,
            rules=rules,
            itemsets=converted.itemsets_csv,
            user=created_by,
        ).version

    _build = _create


class FormFactory(factory.Factory):
    """A form with one published version (a form never exists without one)."""

    class Meta:
        model = Form

    project = factory.SubFactory(ProjectFactory)
    sheets = factory.LazyFunction(simple_form)
    form_id = factory.Sequence(lambda n: f"form_{n}")
    state = None

    @classmethod
    def _create(cls, model_class, project, sheets, form_id, state):
        form = FormVersionFactory(project=project, sheets=sheets, form_id=form_id).form
        if state:
            form.state = state
            form.save(update_fields=["state", "updated_at"])
        return form

    _build = _create


def rules_approve(form: Form, user=None) -> None:
    """Mark the current rule set of every version of ``form`` approved, as a DPO who reviewed
    them leaves it (``privacy.review.approvals.rule_set_approve``, without its audit event):
    for tests about what comes after that review."""
    from django.utils import timezone

    for version in form.versions.all():
        rule_set = version.current_rule_set
        if rule_set is not None and rule_set.approved_at is None:
            rule_set.approved_by, rule_set.approved_at = user, timezone.now()
            rule_set.save(update_fields=["approved_by", "approved_at"])
