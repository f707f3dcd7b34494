"""Row-level microdata: a DPO's decision per release, with its own risk report.

Tables are the default product; the records file (``records.csv``) reaches analysts only for a
release whose microdata a DPO approved after reading this report. The report is computed on
the release's frozen records (they never change), over the dimensions an attacker may know
(service point, country, National Society, networks, visit month) and the quasi-identifiers of
the release's rule sets, as the file shows them (``privacy.disclosure.microdata``). Records in
a class below k, or below distinct l-diversity ``MICRODATA_L`` on a sensitive question, are left
out of the file; the report says how many.
"""

import uuid

import numpy as np
from django.db import connection, transaction
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import NationalSociety
from audit.services import audit_record
from forms.models import PrivacyRule
from lib.problems import interpolate
from privacy.disclosure import control
from privacy.disclosure.microdata import class_risk, microdata_risk_codes
from privacy.models import Release, ReleasedRecord
from privacy.review.refusals import MicrodataRefused
from privacy.review.snapshot import latest_approved

MICRODATA_L = 2  # distinct l-diversity each sensitive question needs in every class
WITHHELD = "[withheld]"  # a value disclosure control hid, as the file shows it
DIMENSIONS = ["service_point", "country", "national_society", "networks", "month"]


def _variables(release: Release, classification: str) -> list[str]:
    """Names (outside repeats) of the release's rule sets' questions of ``classification``."""
    names: list[str] = []
    for version in release.form.versions.order_by("created_at"):
        number = release.rule_sets.get(version.version)
        rule_set = version.rule_sets.filter(number=number).first() if number else None
        if rule_set is None:
            continue
        repeats = [q["repeat"] for q in version.questions if q.get("repeat")]
        for rule in PrivacyRule.objects.filter(rule_set=rule_set, classification=classification):
            name = rule.path.split("/", 2)[-1]
            if not any(rule.path.startswith(r + "/") for r in repeats) and name not in names:
                names.append(name)
    return names


def _shown(value: object, suppressed: list, name: str) -> object:
    """A value as the file shows it: withheld, missing (None) or the answer."""
    if name in suppressed:
        return WITHHELD
    return "|".join(map(str, value)) if isinstance(value, list) else value


def microdata_report(release: Release) -> dict:
    """The risk report of ``release``'s records as a row-level file; ``excluded_ids`` lists the
    records left out (record ids, never instanceIDs)."""
    if release.state != Release.State.APPROVED:
        raise MicrodataRefused(
            _("Only an approved release can have a microdata file: approve the release first.")
        )
    quasi = _variables(release, "quasi")
    sensitive = _variables(release, "sensitive")
    if connection.vendor == "postgresql":
        return _report_in_database(release, quasi, sensitive)
    names = quasi + [name for name in sensitive if name not in quasi]
    # Only the answers the report needs, cut from the JSON in the database, and each value
    # coded as it streams by: a million records never sit in memory as Python objects.
    answers = {f"a{i}": KeyTransform(name, "data") for i, name in enumerate(names)}
    records = release.frozen.order_by().annotate(**answers)
    n = records.count()
    networks = _networks(release)
    width = len(DIMENSIONS) + len(names)
    coders: list[dict] = [{} for _ in range(width)]
    codes = np.empty((n, width), np.int64)
    ids = np.empty(n, "S16")
    rows = records.values_list(
        "record_id",
        "suppressed",
        "service_point_id",
        "service_point__country",
        "service_point__national_society_id",
        "month",
        *answers,
    )
    for index, (record_id, hidden, point, country, society, month, *values) in enumerate(
        rows.iterator(chunk_size=20000)
    ):
        ids[index] = record_id.bytes
        row = [point, country, society, networks.get(society), month]
        row += [_shown(value, hidden, name) for name, value in zip(names, values, strict=True)]
        for column, value in enumerate(row):
            coder = coders[column]
            codes[index, column] = (
                control.MISSING if value is None else coder.setdefault(value, len(coder))
            )
    width_keys = len(DIMENSIONS) + len(quasi)
    risk = microdata_risk_codes(
        codes[:, :width_keys],
        {name: codes[:, len(DIMENSIONS) + names.index(name)] for name in sensitive},
        k=release.form.project.k_anonymity,
        l_min=MICRODATA_L,
    )
    # numpy drops an "S16" value's trailing NUL bytes: pad them back.
    excluded = [str(uuid.UUID(bytes=bytes(b).ljust(16, b"\0"))) for b in ids[risk.excluded]]
    return _report(risk, quasi, sensitive, excluded)


def _report(risk, quasi: list[str], sensitive: list[str], excluded_ids: list[str]) -> dict:
    return {
        **risk.as_dict(),
        "excluded": len(excluded_ids),  # records (class_risk counts classes)
        "dimensions": DIMENSIONS,
        "quasi_identifiers": quasi,
        "sensitive": sensitive,
        "withheld_marker": WITHHELD,
        "excluded_ids": excluded_ids,
    }


def _report_in_database(release: Release, quasi: list[str], sensitive: list[str]) -> dict:
    """PostgreSQL counts the classes and gathers the record ids of those left out, in one GROUP
    BY: a million records never reach Python. The service point stands for
    the other dimensions (country, National Society and networks are functions of it). A
    missing value is coded as a character no answer holds, so that it groups and joins as a
    value of its own, apart from "[withheld]"."""
    keys = ["coalesce(service_point_id::text, chr(1))", "month"]
    key_params: list = []
    for name in quasi:
        keys.append(
            "coalesce(CASE WHEN suppressed @> jsonb_build_array(%s::text) THEN %s "
            "ELSE data ->> %s END, chr(1))"
        )
        key_params += [name, WITHHELD, name]
    names = [f"k{i}" for i in range(len(keys))]
    records = (
        "SELECT record_id, "  # noqa: S608 - question names are parameters
        + ", ".join(f"{sql} AS k{i}" for i, sql in enumerate(keys))
        + "".join(f", data ->> %s AS s{i}" for i in range(len(sensitive)))
        + f" FROM {ReleasedRecord._meta.db_table} WHERE release_id = %s"
    )
    record_params = [*key_params, *sensitive, release.pk]
    lows = [f"count(DISTINCT s{i})" for i in range(len(sensitive))]
    out = " OR ".join(["count(*) < %s", *(f"({low} > 0 AND {low} < %s)" for low in lows)])
    k = release.form.project.k_anonymity
    with connection.cursor() as cursor:
        # One scan: each class's counts, and the ids of its records if it is left out.
        cursor.execute(
            f"SELECT count(*){''.join(', ' + low for low in lows)}, "  # noqa: S608 - no user text
            f"CASE WHEN {out} THEN array_agg(record_id::text) END FROM ({records}) r "
            f"GROUP BY {', '.join(names)}",
            [k, *([MICRODATA_L] * len(sensitive)), *record_params],
        )
        rows = cursor.fetchall()
    counted = np.array([row[:-1] for row in rows], np.int64).reshape(-1, 1 + len(sensitive))
    risk = class_risk(
        counted[:, 0],
        {name: counted[:, 1 + i] for i, name in enumerate(sensitive)},
        k=k,
        l_min=MICRODATA_L,
    )
    excluded_ids = [record for row in rows if row[-1] for record in row[-1]]
    return _report(risk, quasi, sensitive, excluded_ids)


def _networks(release: Release) -> dict[int, str]:
    """The networks of each National Society with a service point in the release."""
    societies = release.frozen.values("service_point__national_society_id")
    return {
        society.pk: "|".join(sorted(n.code for n in society.networks.all()))
        for society in NationalSociety.objects.filter(pk__in=societies).prefetch_related("networks")
    }


def microdata_approve(*, release: Release, user, reason: str) -> Release:
    """Approve ``release``'s records as a row-level file, with the report computed now (the
    frozen records never change; the project's k may have). Audited with the figures."""
    if not reason.strip():
        raise MicrodataRefused(_("Give a reason for releasing row-level records; it is audited."))
    with transaction.atomic():
        release = (
            Release.objects.select_for_update().select_related("form__project").get(pk=release.pk)
        )
        if release.microdata_approved_at is not None:
            raise MicrodataRefused(_("Microdata of this release was already approved."))
        latest = latest_approved(release.form)
        if latest is None or latest.pk != release.pk:
            raise MicrodataRefused(
                _("Analysts read the latest approved release only: approve microdata for that one.")
            )
        report = microdata_report(release)
        if not report["in_file"]:
            raise MicrodataRefused(
                interpolate(
                    _(
                        "No record is in a class of at least k = %(k)s with l >= %(l)s: a "
                        "row-level file would be empty. Publish tables instead."
                    ),
                    k=report["k"],
                    l=report["l"],
                )
            )
        release.microdata_risk = {**report, "reason": reason.strip()}
        release.microdata_approved_by, release.microdata_approved_at = user, timezone.now()
        release.save(
            update_fields=["microdata_risk", "microdata_approved_by", "microdata_approved_at"]
        )
        audit_record(
            actor=user,
            action="microdata.approve",
            project=release.form.project,
            target=f"{release.form.form_id} release {release.pk}",
            reason=reason.strip(),
            details={key: value for key, value in report.items() if key != "excluded_ids"},
        )
    return release
