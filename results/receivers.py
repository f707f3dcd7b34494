"""An approved release gets its table lattice computed (``results.lattice_build``), queued after
the approval commits so that approving never waits on it. Privacy cannot import results (layers
run results -> privacy), so it sends ``privacy.signals.release_approved`` and this receives it."""

from privacy.signals import release_approved
from results.tasks import lattice_build


def on_release_approved(sender, release_id: int, **kwargs) -> None:
    lattice_build.delay(release_id)


def connect() -> None:
    """Called from ``ResultsConfig.ready``: a module-level function, strongly referenced."""
    release_approved.connect(on_release_approved, weak=False, dispatch_uid="results.lattice")
