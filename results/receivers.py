"""An approved release gets its table lattice computed (``results.lattice_build``), queued after
the approval commits so that approving never waits on it. Privacy cannot import results (layers
run results -> privacy), so it sends ``privacy.signals.release_approved`` and this receives it;
likewise its DPO pages ask ``privacy.signals.release_page`` for the state of a release's tables,
and an opened candidate (``release_opened``) gets the tables it would publish computed for the
DPO's review (``results.lattice.candidate``)."""

from privacy.signals import release_approved, release_opened, release_page
from results.lattice.candidate import candidate_queue
from results.lattice.status import lattice_queue
from results.release_panel import on_release_page


def on_release_approved(sender, release_id: int, **kwargs) -> None:
    lattice_queue(release_id)  # a failed build is recorded and shown, never raised into approval


def on_release_opened(sender, release_id: int, **kwargs) -> None:
    candidate_queue(release_id)  # the DPO sees the tables before approving; failures recorded


def connect() -> None:
    """Called from ``ResultsConfig.ready``: a module-level function, strongly referenced."""
    release_approved.connect(on_release_approved, weak=False, dispatch_uid="results.lattice")
    release_opened.connect(on_release_opened, weak=False, dispatch_uid="results.candidate")
    release_page.connect(on_release_page, weak=False, dispatch_uid="results.release_page")
