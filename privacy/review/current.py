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
run, rule set and approved release. While the form is marked, records may change under the same
mark: the answer is then remembered only for ``WHILE_CHANGING`` seconds (under steady ingest the
mark is nearly always there, and each view would read every record), so a page may call a
candidate current for that long after it stopped being; approval's own check still refuses it.
The records are hashed against the candidate's hash as read with the key, never an older copy
of the candidate the caller holds.
"""

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Subquery

from forms.models import PrivacyRuleSet
from privacy.models import DisclosurePending, DisclosureRun, Release
from privacy.review.releases import release_unchanged

# Long enough to serve a review; the key changes whenever the answer can.
REMEMBERED = 24 * 3600
WHILE_CHANGING = 20


def _key(release: Release) -> tuple[str, str, bool] | None:
    """The cache key of ``release``'s answer as things stand, the candidate's content hash read
    with it, and whether the form is marked (records may be changing). One query."""
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
    if found is None:
        return None
    key = (
        f"waypoint:release-current:{release.pk}:{found['opened_at'].timestamp()}:"
        f"{found['content_hash']}:{found['run']}:{found['rules']}:{found['approved']}"
        f"{':changing' if found['pending'] else ''}"
    )
    return key, found["content_hash"], found["pending"]


def release_current(release: Release) -> bool:
    """Whether approving the open ``release`` now would pass approval's check (the records it
    would freeze still hash to its content hash): ``release_unchanged``, read from the records
    only when something may have changed since it was last asked (module docstring)."""
    found = _key(release)
    if found is None:
        return release_unchanged(release)
    key, content_hash, changing = found
    remembered = cache.get(key)
    if remembered is not None:
        return remembered
    release.content_hash = content_hash  # as read with the key: a caller's copy may be older
    answer = release_unchanged(release)
    cache.set(key, answer, WHILE_CHANGING if changing else REMEMBERED)
    return answer
