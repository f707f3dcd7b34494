"""What a form manager watches in the field: per service point and tablet, when it was last seen,
how many submissions arrived each day, how many wait for their files, which form versions are in
use. Counts and metadata only: no submission's content is read here.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Device, Project, ServicePoint
from sync.models import Submission

DAYS = 7


@dataclass
class Activity:
    """One tablet's or one service point's figures."""

    last_seen: datetime | None = None
    total: int = 0
    per_day: list[int] = field(default_factory=lambda: [0] * DAYS)
    incomplete: int = 0
    versions: set[tuple[str, str]] = field(default_factory=set)
    days: list[date] = field(default_factory=list)

    @property
    def daily(self) -> list[tuple[date, int]]:
        """(day, submissions) pairs, the oldest day first, for pages that name each day."""
        return list(zip(self.days, self.per_day, strict=False))

    def add(self, other: "Activity") -> None:
        if other.last_seen and (self.last_seen is None or other.last_seen > self.last_seen):
            self.last_seen = other.last_seen
        self.total += other.total
        self.per_day = [a + b for a, b in zip(self.per_day, other.per_day, strict=True)]
        self.incomplete += other.incomplete
        self.versions |= other.versions


@dataclass
class PointActivity:
    point: ServicePoint
    activity: Activity
    devices: list[tuple[Device, Activity]]


def operations_overview(*, project: Project, today: date | None = None) -> dict:
    """Every service point of ``project`` with its tablets' activity over the last ``DAYS`` days
    (the oldest day first), totals summed up per service point."""
    today = today or timezone.localdate()
    days = [today - timedelta(days=DAYS - 1 - n) for n in range(DAYS)]
    devices = list(project.devices.select_related("service_point").order_by("name"))
    activity = {d.pk: Activity(last_seen=d.last_seen_at, days=days) for d in devices}
    submissions = Submission.objects.filter(device__project=project)
    for row in submissions.values("device").annotate(n=Count("pk")):
        activity[row["device"]].total = row["n"]
    recent = submissions.filter(received_at__date__gte=days[0])
    per_day = recent.annotate(day=TruncDate("received_at")).values("device", "day")
    for row in per_day.annotate(n=Count("pk")):
        if row["day"] in days:
            activity[row["device"]].per_day[days.index(row["day"])] = row["n"]
    waiting = submissions.filter(complete=False).values("device").annotate(n=Count("pk"))
    for row in waiting:
        activity[row["device"]].incomplete = row["n"]
    in_use = submissions.values_list("device", "form__form_id", "version__version").distinct()
    for device_pk, form_id, version in in_use:
        activity[device_pk].versions.add((form_id, version))
    points = []
    for point in project.service_points.order_by("name"):
        own = [(d, activity[d.pk]) for d in devices if d.service_point_id == point.pk]
        total = Activity(days=days)
        for _, figures in own:
            total.add(figures)
        points.append(PointActivity(point, total, own))
    return {"days": days, "points": points}
