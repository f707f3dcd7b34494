"""Work privacy's domain code asks to have queued. The Celery tasks import the domain modules, so
the domain modules never import the tasks; they send these signals after their transaction
commits, and ``privacy.receivers`` turns each into task messages. Imports run one way:
receivers -> tasks -> domain -> signals."""

from django.dispatch import Signal

# form_id=int, countdown=float (seconds, 0 for now): the form's records changed, run disclosure
# control (after the countdown when its last run was moments ago).
disclosure_due = Signal()
anonymisation_due = Signal()  # submission_ids=list[int]: anonymise these (again)
release_approved = Signal()  # release_id=int: an approval committed (results builds its lattice)
# release_id=int: a candidate was opened (results computes the tables it would get, for the DPO)
release_opened = Signal()
release_job_due = Signal()  # job_id=int: open or approve a release in the background
# release=Release, request=HttpRequest: a DPO page about an approved release or an open
# candidate asks what later stages know of it (results: the state of its tables, a retry
# button; for a candidate, the tables it would get before approval); receivers return HTML.
release_page = Signal()


def release_panels(request, release) -> list[str]:
    """The HTML receivers of ``release_page`` give for ``release`` (none unless approved or
    open)."""
    if release is None or release.state not in ("approved", "open"):
        return []
    answers = release_page.send(None, release=release, request=request)
    return [html for _, html in answers if html]
