"""Opening and approving a release in the background, with progress the DPO can watch.

Why: at a million records, opening a candidate (disclosure control, what changed, the hash) and
approving it (the frozen copy, its hash) each take seconds to tens of seconds, longer than a web
request should wait and than a proxy allows. So the request checks what it can at once (the
refusals that need no work: rules no DPO approved, a re-run under way, a hash that is not the
candidate's, a candidate no longer open, another job of the form under way), records a
``ReleaseJob`` and queues a Celery task; the task does the work in one transaction, exactly as
a direct call of ``release_open`` / ``release_approve`` does, and writes its progress to the job
through a connection of its own, so the DPO's page and the API show it while it runs. A refusal
found by the work itself (nothing new, records arriving meanwhile, a copy that differs from what
was reviewed) is kept on the job with its code: the candidate becomes "refused" (opening) or
stays open (approving), and nothing else changed.

Approvals stay serialised: of two approval requests racing, the second finds the first's job
under way and is refused (``release.busy``, 409), as it found the release approved before.
"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import InterfaceLanguage
from forms.models import Form
from lib.problems import Problem, interpolate
from privacy import signals
from privacy.models import Release, ReleaseJob
from privacy.review.refusals import ReleaseBusy
from privacy.review.releases import (
    release_approve,
    release_approve_check,
    release_open,
    release_open_check,
)

# A job not finished after this long lost its worker for good (the task is acknowledged late
# and redone after a crash, so this is rare): it no longer keeps the DPO from trying again.
STALE = timedelta(minutes=30)


def _busy_check(form: Form) -> None:
    recent = timezone.now() - STALE
    running = ReleaseJob.objects.filter(
        release__form=form, finished_at__isnull=True, started_at__gt=recent
    ).first()
    if running is not None:
        raise ReleaseBusy(
            interpolate(
                _(
                    "Release #%(release)s of this form is being opened (%(progress)s%% done): "
                    "wait for it to finish, then try again."
                )
                if running.kind == ReleaseJob.Kind.OPEN
                else _(
                    "Release #%(release)s of this form is being approved (%(progress)s%% "
                    "done): wait for it to finish, then try again."
                ),
                release=running.release_id,
                progress=running.progress,
            )
        )


def release_open_request(*, form: Form, user) -> ReleaseJob:
    """A placeholder candidate (state "opening") and its job, committed; queue ``job_run``."""
    release_open_check(form)
    with transaction.atomic():
        Form.objects.select_for_update().get(pk=form.pk)
        _busy_check(form)
        release = Release.objects.create(
            form=form,
            state=Release.State.OPENING,
            content_hash="",
            risk={},
            rule_sets={},
            opened_by=user,
        )
        return ReleaseJob.objects.create(
            release=release, kind=ReleaseJob.Kind.OPEN, requested_by=user
        )


def release_approve_request(*, release: Release, user, approved_hash: str) -> ReleaseJob:
    """The approval's job, committed, once the refusals that need no work are ruled out."""
    with transaction.atomic():
        Form.objects.select_for_update().get(pk=release.form_id)
        release = Release.objects.select_related("form").get(pk=release.pk)
        _busy_check(release.form)
        release_approve_check(release, approved_hash)
        return ReleaseJob.objects.create(
            release=release,
            kind=ReleaseJob.Kind.APPROVE,
            requested_by=user,
            approved_hash=approved_hash,
        )


class _Reporter:
    """Writes a job's progress where others can read it while the job's transaction runs: on
    PostgreSQL through a second, autocommitting connection (the job row is never locked by the
    work); elsewhere (SQLite, in-process tasks) through the one connection."""

    def __init__(self, job: ReleaseJob) -> None:
        self.job_id = job.pk
        self.side = None
        if connection.vendor == "postgresql" and not settings.CELERY_TASK_ALWAYS_EAGER:
            self.side = connections.create_connection("default")

    def __call__(self, percent: int, step: str) -> None:
        if self.side is None:
            ReleaseJob.objects.filter(pk=self.job_id).update(progress=percent, step=step)
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ReleaseJob._meta.db_table} SET progress = %s, step = %s WHERE id = %s",  # noqa: S608 - the model's table
                [percent, step[:200], self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def job_run(job_id: int) -> ReleaseJob:
    """Do a job's work (the Celery task ``privacy.release_job`` calls this). Idempotent: a
    finished job is left as it is; a redelivered one whose work committed finds its release
    no longer "opening" / no longer open and records that."""
    job = ReleaseJob.objects.select_related("release__form", "requested_by").get(pk=job_id)
    if job.finished_at is not None:
        return job
    report = _Reporter(job)
    problem = None
    try:
        if job.kind == ReleaseJob.Kind.OPEN:
            if job.release.state == Release.State.OPENING:
                release_open(
                    form=job.release.form,
                    user=job.requested_by,
                    placeholder=job.release,
                    progress=report,
                )
        else:
            release_approve(
                release=job.release,
                user=job.requested_by,
                approved_hash=job.approved_hash,
                progress=report,
            )
    except Problem as refusal:
        # Kept as text, for the DPO who asked: in their interface language.
        detail = _written(refusal.message, job.requested_by)
        problem = {"code": refusal.code, "detail": detail, **refusal.details}
        _refuse_placeholder(job)
    except DatabaseError:
        raise  # the task retries it (privacy.tasks.RETRY); the job stays running meanwhile
    except Exception as error:
        # A bug must not leave the job "running": the form would refuse every release for
        # ``STALE`` with release.busy and the placeholder would stay listed as opening. The
        # work's transaction rolled back, so nothing changed; say so, then let it be logged.
        failed = interpolate(_FAILED, error=type(error).__name__)
        _job_finish(job, {"code": "release.failed", "detail": _written(failed, job.requested_by)})
        _refuse_placeholder(job)
        raise
    finally:
        report.close()
    return _job_finish(job, problem)


_FAILED = _(
    "The job failed (%(error)s); nothing changed. Try again; if it fails again, tell an admin."
)


def _written(message, user) -> str:
    """``message`` (lazy text) in the interface language ``user`` chose, else in the active
    one (the request's when the job runs in-process): a worker has no request to ask."""
    chosen = InterfaceLanguage.objects.filter(user=user).values_list("language", flat=True)
    language = chosen.first() if user is not None else None
    if language is None:
        return str(message)
    with translation.override(language):
        return str(message)


def _refuse_placeholder(job: ReleaseJob) -> None:
    if job.kind == ReleaseJob.Kind.OPEN:
        Release.objects.filter(pk=job.release_id, state=Release.State.OPENING).update(
            state=Release.State.REFUSED
        )


def _job_finish(job: ReleaseJob, problem: dict | None) -> ReleaseJob:
    job.step, job.problem, job.finished_at = (
        "Refused" if problem else "Done",
        problem,
        timezone.now(),
    )
    fields = ["step", "problem", "finished_at"]
    if problem is None:
        job.progress = 100
        fields.append("progress")
    job.save(update_fields=fields)
    return job


def job_start(job: ReleaseJob) -> ReleaseJob:
    """Queue ``job``'s task. Where tasks run in-process (no broker: the embedded default,
    tests) it has finished on return: a refusal is then raised as a direct call would, and a
    refused opening leaves nothing behind (its placeholder is removed)."""
    signals.release_job_due.send(None, job_id=job.pk)  # privacy.receivers queues the task
    job.refresh_from_db()
    if job.finished_at is not None and job.problem:
        problem = dict(job.problem)
        if job.kind == ReleaseJob.Kind.OPEN:
            Release.objects.filter(pk=job.release_id, state=Release.State.REFUSED).delete()
        raise Problem(problem.pop("code"), problem.pop("detail"), **problem)
    return job


def latest_job(release: Release) -> ReleaseJob | None:
    """The release's most recent job (what its page and the API show)."""
    return release.jobs.order_by("-started_at", "-pk").first()
