"""Upgrades keep every deployment's results and verdicts.

Frozen releases (privacy 0006): what analysts read before the upgrade (released, not superseded
records, as published) becomes the frozen content of each form's latest approved release, and
running it twice adds nothing. Verdicts in a table of their own (privacy 0008): every record
keeps the verdict it had (values hidden, held back, fk), so the DPO's candidate and what a
release would publish are the same after the upgrade as before; reversing puts them back.

Both run on a database taken back to privacy 0007 (the records' verdicts then in their rows),
on SQLite and, with DATABASE_URL set, on PostgreSQL (where 0008 partitions the table by form).
"""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from privacy.models import AnonymisedRecord, ReleasedRecord
from privacy.review.snapshot import eligible
from results.released import released_records
from tests.factories import AnonymisedRecordFactory, SubmissionFactory
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)
freezing = importlib.import_module("privacy.migrations.0006_freeze_approved_releases")
BEFORE = [("privacy", "0007_release_speed")]


def old_approval(apps, form, records, user):
    """A release approved as before frozen releases: the records marked, nothing copied."""
    now = timezone.now()
    release = apps.get_model("privacy", "Release").objects.create(
        form_id=form.pk,
        state="approved",
        content_hash="x",
        record_ids=[str(r.pk) for r in records],
        risk={},
        rule_sets={},
        opened_by_id=user.pk,
        approved_by_id=user.pk,
        approved_at=now,
    )
    apps.get_model("privacy", "AnonymisedRecord").objects.filter(
        pk__in=[r.pk for r in records]
    ).update(released_at=now, release=release)
    return release


@pytest.fixture
def at_0007():
    """The database at privacy 0007 and its models; brought back to the latest at the end."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(target=None):
    """The database migrated to ``target`` (default: the latest); its executor."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target or executor.loader.graph.leaf_nodes())
    return executor


def _records(privacy_form, n=5):
    return [
        AnonymisedRecordFactory(
            submission=SubmissionFactory(version=privacy_form, xml=privacy_instance(f"uuid:m{i}"))
        )
        for i in range(n)
    ]


def test_each_forms_latest_approved_release_freezes_what_analysts_read(privacy_form, dpo, request):
    made = _records(privacy_form)
    apps = request.getfixturevalue("at_0007")
    Record = apps.get_model("privacy", "AnonymisedRecord")
    form = privacy_form.form
    first = old_approval(apps, form, made[:2], dpo)
    latest = old_approval(apps, form, made[2:4], dpo)  # made[4] was never released
    Record.objects.filter(pk=made[1].pk).update(superseded=True)  # edited since
    Record.objects.filter(pk=made[0].pk).update(published={"sex": "male"})
    read_before = {
        str(r.pk): r.published
        for r in Record.objects.filter(released_at__isnull=False, superseded=False)
    }

    for _ in range(2):  # idempotent
        freezing.freeze_approved_releases(apps, SimpleNamespace(connection=connection))
    _migrate()  # read through today's models

    assert not ReleasedRecord.objects.filter(release_id=first.pk).exists()
    frozen = {str(r.record_id): r.data for r in released_records(form)}
    assert frozen == read_before
    assert set(frozen) == {str(made[0].pk), str(made[2].pk), str(made[3].pk)}
    assert frozen[str(made[0].pk)] == {"sex": "male"}
    assert ReleasedRecord.objects.filter(release_id=latest.pk).count() == 3


def test_every_record_keeps_its_verdict_across_the_move_to_a_table_of_its_own(
    privacy_form, request
):
    made = _records(privacy_form, 4)
    apps = request.getfixturevalue("at_0007")
    Record = apps.get_model("privacy", "AnonymisedRecord")
    hidden = Record.objects.get(pk=made[1].pk)
    without_age = {k: v for k, v in hidden.data.items() if k != "age"}
    Record.objects.filter(pk=made[1].pk).update(
        suppressed=["age"], published=without_age, fk=5, held=False
    )
    Record.objects.filter(pk=made[2].pk).update(held=True)
    Record.objects.filter(pk=made[3].pk).update(held=False, suppressed=[], published=hidden.data)
    before = {r.pk: (r.published, r.suppressed, r.held, r.fk) for r in Record.objects.all()}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = {
        r.pk: (r.published, r.suppressed, r.held, r.fk)
        for r in AnonymisedRecord.objects.select_related("verdict")
    }
    assert after == before
    assert after[made[1].pk] == (without_age, ["age"], False, 5)
    shown = {r.pk for r in eligible(privacy_form.form)}
    assert shown == {pk for pk, (_, _, held, _) in before.items() if not held}
    assert {made[1].pk, made[3].pk} <= shown


def test_reversing_never_turns_an_unchecked_record_into_a_checked_one(privacy_form, request):
    """Downgrading past 0008 puts each verdict back only on the content it judged: a record
    edited since its last check, or never checked, comes back held with every quasi-identifier
    suppressed, so the old code cannot release its values unchecked."""
    from privacy.models import RecordVerdict

    made = _records(privacy_form, 3)
    RecordVerdict.objects.filter(record_id=made[0].pk).update(held=False, suppressed=[])
    RecordVerdict.objects.filter(record_id=made[1].pk).update(content_key=0)  # content changed
    RecordVerdict.objects.filter(record_id=made[2].pk).delete()  # never checked
    quasi = sorted(AnonymisedRecord.objects.get(pk=made[1].pk).quasi)
    assert quasi

    apps = request.getfixturevalue("at_0007")
    rows = {r.pk: r for r in apps.get_model("privacy", "AnonymisedRecord").objects.all()}

    assert rows[made[0].pk].held is False
    assert rows[made[0].pk].published == rows[made[0].pk].data
    for pk in (made[1].pk, made[2].pk):
        assert rows[pk].held is True
        assert sorted(rows[pk].suppressed) == sorted(rows[pk].quasi)
        assert not set(rows[pk].published) & set(rows[pk].quasi)


def test_records_waiting_for_their_first_check_get_no_verdict_on_the_upgrade(privacy_form, request):
    """A verdict means disclosure control checked the content: records of a form still waiting
    for its run are not given one by the upgrade, so no candidate takes them before the run."""
    from privacy.models import RecordVerdict

    made = _records(privacy_form, 2)
    apps = request.getfixturevalue("at_0007")
    apps.get_model("privacy", "DisclosurePending").objects.get_or_create(
        form_id=privacy_form.form_id
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert not RecordVerdict.objects.filter(record_id__in=[r.pk for r in made]).exists()
    assert not set(eligible(privacy_form.form)) & set(made)


def test_a_release_keeps_its_record_count_when_its_id_list_goes(privacy_form, dpo, request):
    """Privacy 0010 keeps the number of records the DPO and the pages see for each release."""
    from privacy.models import Release

    made = _records(privacy_form, 3)
    apps = request.getfixturevalue("at_0007")
    old = old_approval(apps, privacy_form.form, made[:2], dpo)

    _migrate()

    assert Release.objects.get(pk=old.pk).record_count == 2


def test_reversing_the_count_lists_an_approved_releases_records_again(privacy_form, dpo):
    """Back before 0010, an approved release lists the ids of exactly the records it froze."""
    from tests.factories.privacy import ReleaseFactory

    release = ReleaseFactory(records=_records(privacy_form, 3), approved_by=dpo)
    frozen = {str(pk) for pk in release.frozen.values_list("record_id", flat=True)}
    assert len(frozen) == 3
    target = [("privacy", "0009_release_columns")]
    try:
        apps = _migrate(target).loader.project_state(target).apps
        listed = apps.get_model("privacy", "Release").objects.get(pk=release.pk).record_ids
        assert set(listed) == frozen
    finally:
        _migrate()
