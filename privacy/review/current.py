"""Whether an open candidate is still what approval would accept, cheaply enough for a page.

Approval copies the records and refuses when the copy's hash is not the candidate's
(``release_unchanged``). Asking that on every view of a candidate's page would read every record
of the form each time (a full scan). It only changes when something writes what a candidate
holds, and each such writer leaves a trace that costs one indexed query to read:

- a record anonymised, edited, replaced, withheld or brought back marks the form for disclosure
  control (``DisclosurePending``) in the same transaction;
- disclosure control, taking the mark, writes the verdicts (suppressed, held back) and records
  a new ``DisclosureRun`` (or none, when nothing it reads changed);
- a DPO's rules change (or a new version's rules) makes a new rule set, and a candidate holds
  only records under their version's current one (``privacy.disclosure.scope``);
- another approval changes the release analysts read, hence every candidate's hash;
- a withholding kept in the review changes the candidate's own hash.

So the answer is remembered (Django's cache) under the candidate, its hash, the form's latest
run, rule set and approved release; while the form is marked, records may change under the same
mark, and the records are read every time until the run takes it.
"""

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Subquery

from forms.models import PrivacyRuleSet
from privacy.models import DisclosurePending, DisclosureRun, Release
from privacy.review.releases import release_unchanged

# Long enough to serve a review; the key changes whenever the answer can.
REMEMBERED = 24 * 3600


def _key(release: Release) -> str | None:
    """The cache key of ``release``'s answer as things stand, or None while records may be
    changing under the form's pending mark. One query."""
    form = OuterRef("form_id")
    found = (
        Release.objects.filter(pk=release.pk)
        .annotate(
            pending=Exists(DisclosurePending.objects.filter(form_id=form)),
            run=Subquery(
                DisclosureRun.objects.filter(form_id=form).order_by("-pk").values("pk")[:1]
            ),
            rules=Subquery(
                PrivacyRuleSet.objects.filter(version__form_id=form)
                .order_by("-pk")
                .values("pk")[:1]
            ),
            approved=Subquery(
                Release.objects.filter(form_id=form, state=Release.State.APPROVED)
                .order_by("-approved_at", "-pk")
                .values("pk")[:1]
            ),
        )
        .values("pending", "run", "rules", "approved", "content_hash", "opened_at")
        .first()
    )
    if found is None or found["pending"]:
        return None
    return (
        f"waypoint:release-current:{release.pk}:{found['opened_at'].timestamp()}:"
        f"{found['content_hash']}:{found['run']}:{found['rules']}:{found['approved']}"
    )


def release_current(release: Release) -> bool:
    """Whether approving the open ``release`` now would pass approval's check (the records it
    would freeze still hash to its content hash): ``release_unchanged``, read from the records
    only when something may have changed since it was last asked (module docstring)."""
    key = _key(release)
    if key is not None:
        remembered = cache.get(key)
        if remembered is not None:
            return remembered
    answer = release_unchanged(release)
    if key is not None:
        cache.set(key, answer, REMEMBERED)
    return answer
