"""Every question gets a privacy rule: from the `privacy` column, or the design's default."""

import pytest

from forms.privacy_vocabulary import PrivacyValueError, default_rule, parse_privacy
from tests.forms.helpers import upload
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db

# ../shared/design.md, "Privacy by default"
DESIGN_DEFAULTS = {
    "text": ("free_text", []),
    "date": ("quasi", ["date:month"]),
    "datetime": ("quasi", ["date:month"]),
    "start": ("quasi", ["date:month"]),
    "end": ("quasi", ["date:month"]),
    "today": ("quasi", ["date:month"]),
    "geopoint": ("quasi", ["geo:1"]),
    "geotrace": ("quasi", ["geo:1"]),
    "geoshape": ("quasi", ["geo:1"]),
    "image": ("direct", []),
    "audio": ("direct", []),
    "video": ("direct", []),
    "file": ("direct", []),
    "barcode": ("direct", []),
    "deviceid": ("direct", []),
    "phonenumber": ("direct", []),
    "username": ("direct", []),
    "email": ("direct", []),
    "integer": ("keep", []),
    "decimal": ("keep", []),
    "select_one yn": ("keep", []),
    "select_multiple yn": ("keep", []),
    "calculate": ("keep", []),
    "note": ("keep", []),
}

# Metadata and calculations take no label in an XLSForm.
UNLABELLED = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "calculate"}


def test_unclassified_questions_get_the_design_defaults(api, project, form_manager):
    rows = [["type", "name", "label", "calculation"]]
    for index, qtype in enumerate(DESIGN_DEFAULTS):
        label = None if qtype in UNLABELLED else f"Q{index}"
        rows.append([qtype, f"q{index}", label, "1" if qtype == "calculate" else None])
    form = {
        "survey": rows,
        "choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"]],
        "settings": [["form_id", "version"], ["defaults", "1"]],
    }

    response = upload(api.as_user(form_manager), project, "d.xlsx", xlsx(form))

    assert response.status_code == 201, response.json()
    rules = {r["name"]: r for r in response.json()["version"]["rules"]["rules"]}
    for index, (qtype, expected) in enumerate(DESIGN_DEFAULTS.items()):
        rule = rules[f"q{index}"]
        assert (rule["classification"], rule["generalisers"]) == expected, qtype
        assert rule["source"] == "default"
    # The instanceID never reaches the anonymised record.
    assert rules["instanceID"]["classification"] == "drop"
    warning = next(
        w for w in response.json()["version"]["warnings"] if w["code"] == "privacy.defaulted"
    )
    assert "q0" in warning["message"]


def test_audit_metadata_is_a_direct_identifier():
    assert default_rule("audit").classification == "direct"
    assert default_rule("background-audio").classification == "direct"


def test_a_type_the_design_does_not_name_is_dropped_not_passed_raw():
    assert default_rule("xml-external-something-new").classification == "drop"


@pytest.mark.parametrize(
    ("value", "qtype", "expected"),
    [
        ("direct", "text", ("direct", ())),
        ("Quasi band:10 top:80", "integer", ("quasi", ("band:10", "top:80"))),
        ("quasi date:week", "date", ("quasi", ("date:week",))),
        ("quasi geo:2", "geopoint", ("quasi", ("geo:2",))),
        ("  sensitive ", "select_one", ("sensitive", ())),
        ("pseudonym", "text", ("pseudonym", ())),
    ],
)
def test_privacy_values_parse(value, qtype, expected):
    rule = parse_privacy(value, qtype)
    assert (rule.classification, rule.generalisers) == expected


@pytest.mark.parametrize(
    ("value", "qtype", "message"),
    [
        ("secret", "text", "not a privacy classification"),
        ("keep band:10", "integer", "only apply to 'quasi'"),
        ("quasi band:0", "integer", "above 0"),
        ("quasi band:x", "integer", "needs a number"),
        ("quasi geo:9", "geopoint", "0 to 6"),
        ("quasi date:month", "integer", "needs a date question"),
        ("quasi round:5", "integer", "not a generaliser"),
    ],
)
def test_bad_privacy_values_explain_themselves(value, qtype, message):
    with pytest.raises(PrivacyValueError, match=message):
        parse_privacy(value, qtype)
