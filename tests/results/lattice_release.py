"""A synthetic release for the lattice tests: skewed answers, two networks, a National Society
in both, a National Society serving two countries, small service points and months with few
visits, across a year boundary. Records are written as frozen ``ReleasedRecord`` rows of an
approved release (what analysts read), then the lattice is built as approval would."""

import random
import uuid

from accounts.models import ServicePoint
from privacy.models import ReleasedRecord
from results.lattice.build import build
from results.models import Lattice
from tests.factories import NationalSocietyFactory, NetworkFactory
from tests.factories.privacy import frozen_release

MONTHS = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
AGES = ["0-9", "10-19", "20-29", "30-39", "70-79"]


def points(project):
    """Seven service points: big ones, and tiny ones an attacker would like to isolate."""
    south = NetworkFactory(code="mena", name="MENA")
    east = NetworkFactory(code="perco", name="PERCO")
    italy = NationalSocietyFactory(name="Italian Red Cross", country="IT", networks=[east])
    tunisia = NationalSocietyFactory(
        name="Tunisian Red Crescent", country="TN", networks=[south, east]
    )
    greece = NationalSocietyFactory(name="Hellenic Red Cross", country="GR", networks=[east])
    made = [
        ServicePoint.objects.get_or_create(
            project=project, name=name, defaults={"national_society": ns, "country": country}
        )[0]
        for name, ns, country in [
            ("Lampedusa", italy, "IT"),
            ("Ventimiglia", italy, "IT"),
            ("Nice helpline", italy, "FR"),
            ("Sfax", tunisia, "TN"),
            ("Zarzis", tunisia, "TN"),
            ("Lesvos", greece, "GR"),
            ("Samos", greece, "GR"),
        ]
    ]
    return made


def synthetic_release(form_version, dpo, *, records: int = 300, seed: int = 7, small: bool = False):
    """An approved release of ``records`` skewed records of the privacy form, lattice built.
    ``small``: four service points (two networks, a National Society across two countries,
    two tiny points) and four months across a year boundary, for a full attack in seconds."""
    rng = random.Random(seed)
    sps = points(form_version.form.project)
    release = frozen_release(form_version.form, dpo)
    weights = [40, 25, 2, 20, 3, 8, 2]  # Nice helpline, Zarzis, Samos: a handful of visits
    month_weights = [30, 2, 25, 30, 13]  # December: almost nobody
    months = MONTHS
    if small:
        sps, weights = [sps[0], sps[2], sps[3], sps[6]], [45, 3, 40, 4]
        months, month_weights = MONTHS[1:], [2, 40, 35, 20]
    rows = []
    for _ in range(records):
        data = {
            "sex": rng.choices(["female", "male", None], [30, 68, 2])[0],
            "age": rng.choices(
                AGES[:3] if small else AGES, [3, 20, 50, 25, 2][: 3 if small else 5]
            )[0],
            "legal_status": rng.choices(["asylum", "refugee", None], [85, 12, 3])[0],
            "needs": rng.choice([["food"], ["food", "shelter"], ["health"], [], ["shelter"]]),
        }
        rows.append(
            ReleasedRecord(
                release=release,
                record_id=uuid.uuid4(),
                version=form_version,
                service_point=rng.choices(sps, weights)[0],
                month=rng.choices(months, month_weights)[0],
                data={k: v for k, v in data.items() if v is not None},
            )
        )
    ReleasedRecord.objects.bulk_create(rows)
    build(release)
    return release


# Library questions answered in ``library_release`` (one of each kind; the other questions are
# left unanswered so that the attack on every table stays a matter of seconds).
ANSWERED = {
    "sex",
    "legal_status",
    "journey/family_separated",
    "needs/needs_needed",
    "needs/priorities",
}


def library_release(project, dpo, *, records: int = 150, seed: int = 11):
    """The library's migrant experience questionnaire, released: random (skewed) answers to
    ``ANSWERED`` at four service points over four months."""
    from forms.library import LIBRARY_DIR
    from forms.services import form_upload
    from results.variables import form_variables
    from tests.factories import rules_approve

    data = (LIBRARY_DIR / "migrant_experience.xlsx").read_bytes()
    version = form_upload(project=project, filename="migrant_experience.xlsx", data=data).version
    rules_approve(version.form)
    rng = random.Random(seed)
    sps = points(project)[:3] + points(project)[6:]
    release = frozen_release(version.form, dpo)
    variables = [v for v in form_variables(version.form).values() if v.key in ANSWERED]
    rows = []
    for _ in range(records):
        data = {}
        for variable in variables:
            codes = list(variable.choices) or ["yes", "no"]
            weights = [2**-i for i in range(len(codes))]  # the first choice common, the last rare
            if variable.kind == "single":
                data[variable.key] = rng.choices(codes, weights)[0]
            elif variable.kind == "multiple":
                data[variable.key] = sorted({rng.choices(codes, weights)[0] for _ in range(2)})
            else:
                data[variable.key] = rng.sample(codes, len(codes))
        rows.append(
            ReleasedRecord(
                release=release,
                record_id=uuid.uuid4(),
                version=version,
                service_point=rng.choices(sps, [50, 30, 3, 17])[0],
                month=rng.choices(MONTHS[1:], [3, 40, 37, 20])[0],
                data=data,
            )
        )
    ReleasedRecord.objects.bulk_create(rows)
    build(release)
    return release


ERROR = "MemoryError('lattice too large')"


def newer_release(form, dpo, *, removed: int, state=Lattice.State.FAILED):
    """An approved release after the current one: its records less ``removed`` of them (an
    erasure, a withholding), its tables in ``state``, as the approval's figures record it."""
    older = form.releases.get(state="approved")
    release = frozen_release(form, dpo)
    kept = list(ReleasedRecord.objects.filter(release=older).order_by("pk"))[removed:]
    for record in kept:
        record.pk, record.release = None, release
    ReleasedRecord.objects.bulk_create(kept)
    release.risk = {"since": {"base": older.pk, "added": 0, "changed": 0, "removed": removed}}
    release.save(update_fields=["risk"])
    Lattice.objects.create(release=release, state=state, error=ERROR if state == "failed" else "")
    return older, release
