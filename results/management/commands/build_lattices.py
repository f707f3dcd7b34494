"""Build the protected table lattice of every approved release that has none (releases approved
before lattices existed, or whose computation failed: it retries them). Without it, the first
read of a form's results queues the build, and until it is done analysts read the previous built
release where the newer one only added records, else nothing (``results.lattice.status``)."""

from django.core.management.base import BaseCommand

from privacy.models import Release
from results.lattice.build import build
from results.models import Lattice


class Command(BaseCommand):
    help = "Compute the table lattice of approved releases that have none (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Every approved release, not only each form's latest.",
        )

    def handle(self, *args, **options) -> None:
        releases = Release.objects.filter(state=Release.State.APPROVED).exclude(
            lattice__state=Lattice.State.BUILT, lattice__preview=False
        )
        if not options["all"]:
            latest: dict[int, Release] = {}
            for release in releases.order_by("form_id", "-approved_at", "-pk"):
                latest.setdefault(release.form_id, release)
            releases = list(latest.values())
        for release in releases:
            Lattice.objects.filter(release=release).exclude(state=Lattice.State.BUILT).delete()
            lattice = build(release)
            self.stdout.write(f"release {release.pk}: built in {lattice.seconds} s")
