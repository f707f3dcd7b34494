"""Quasi-identifiers are generalised exactly as the form's privacy column says."""

import pytest

from privacy.anonymisation.generalise import generalise


@pytest.mark.parametrize(
    ("value", "qtype", "generalisers", "expected"),
    [
        ("34", "integer", ["band:10"], "30-39"),
        ("0", "integer", ["band:10"], "0-9"),
        ("85", "integer", ["band:10", "top:80"], "80+"),
        ("80", "integer", ["band:10", "top:80"], "80+"),
        ("79", "integer", ["band:10", "top:80"], "70-79"),
        ("15", "integer", ["bottom:17", "band:5"], "<=17"),
        ("2.5", "decimal", ["band:0.5"], "2.5-<3"),
        ("not a number", "integer", ["band:10"], None),
        ("2026-11-20", "date", ["date:day"], "2026-11-20"),
        ("2026-11-20", "date", ["date:week"], "2026-W47"),
        ("2026-11-20", "date", ["date:month"], "2026-11"),
        ("2026-11-20", "date", ["date:quarter"], "2026-Q4"),
        ("2026-11-20", "date", ["date:year"], "2026"),
        ("2026-11-20T23:30:00.000+01:00", "start", ["date:month"], "2026-11"),
        ("2026-13-45", "date", ["date:month"], None),
        ("36.80651 10.18152 12 4.5", "geopoint", ["geo:1"], "36.8 10.2"),
        ("36.80651 10.18152 12 4.5", "geopoint", ["geo:2"], "36.81 10.18"),
        ("1 2 0 0;3.14 4.15 0 0", "geotrace", ["geo:0"], "1 2;3 4"),
        ("sy", "select_one", [], "sy"),
    ],
)
def test_generalisers(value, qtype, generalisers, expected):
    assert generalise(value, qtype, generalisers) == expected
