"""Moving ``Device.forms`` to ``forms.Form.devices`` loses nothing: a database at the previous
main's migrations, with a row in every table of every Waypoint app, migrates forward with every
row still there and each device still seeing the forms assigned to it.

The move is state-only (SeparateDatabaseAndState), so this also proves that the table the new
field declares is the one the old field created. It runs on SQLite and, with DATABASE_URL set,
on PostgreSQL (where the audit trail's append-only trigger is in place as in production).
"""

import datetime
import decimal
import uuid

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ForeignKey
from django.utils import timezone

WAYPOINT_APPS = ["accounts", "audit", "forms", "sync", "privacy", "results"]
# The leaf migrations at the previous main, before the move.
BEFORE = [
    ("accounts", "0002_initial"),
    ("audit", "0002_append_only_trigger"),
    ("forms", "0001_initial"),
    ("sync", "0001_initial"),
    ("privacy", "0004_disclosure_pending"),
]


def _value(field):
    """A valid value for a concrete, non-relational field of a historical model."""
    if field.choices:
        return field.choices[0][0]
    kind = field.get_internal_type()
    if kind in {"CharField", "TextField", "SlugField", "FileField", "ImageField"}:
        return ("x" * 8)[: field.max_length or 8]
    if kind == "EmailField":
        return "someone@example.org"
    if kind in {"JSONField"}:
        return {}
    if kind == "BooleanField":
        return False
    if kind.endswith("IntegerField"):
        return 5
    if kind in {"FloatField"}:
        return 1.0
    if kind == "DecimalField":
        return decimal.Decimal("1")
    if kind == "DateTimeField":
        return timezone.now()
    if kind == "DateField":
        return datetime.date(2026, 1, 1)
    if kind == "UUIDField":
        return uuid.uuid4()
    if kind == "BinaryField":
        return b"x"
    raise AssertionError(
        f"teach this test a value for {field.model.__name__}.{field.name} ({kind})"
    )


def _fill(apps) -> dict:
    """One row in every model of the Waypoint apps (and a user they point to), every field set
    (nullable ones included), every many-to-many holding one link. Returns model label -> pk."""
    models = [
        m
        for label in WAYPOINT_APPS
        if label in apps.app_configs
        for m in apps.get_app_config(label).get_models()
    ]
    user_model = apps.get_model("auth", "User")
    made = {user_model._meta.label: user_model.objects.create(username="migrator")}
    pending = list(models)
    while pending:
        progressed = False
        for model in list(pending):
            needs = [
                f.related_model._meta.label
                for f in model._meta.concrete_fields
                if isinstance(f, ForeignKey) and f.related_model is not model
            ]
            if any(label not in made for label in needs):
                continue
            values = {}
            for field in model._meta.concrete_fields:
                if field.primary_key and (
                    field.has_default() or field.get_internal_type().endswith("AutoField")
                ):
                    continue
                if isinstance(field, ForeignKey):
                    if field.related_model is model:
                        continue
                    values[field.name] = made[field.related_model._meta.label]
                elif not field.auto_created:
                    values[field.name] = _value(field)
            made[model._meta.label] = model.objects.create(**values)
            pending.remove(model)
            progressed = True
        assert progressed, f"cannot order the models: {pending}"
    for model in models:
        for field in model._meta.local_many_to_many:
            target = made[field.related_model._meta.label]
            getattr(made[model._meta.label], field.name).add(target)
    return {label: obj.pk for label, obj in made.items()}


@pytest.mark.django_db(transaction=True)
def test_every_row_survives_the_move_of_device_forms():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_device = old_apps.get_model("accounts", "Device")
    assert "forms" in {f.name for f in old_device._meta.local_many_to_many}, "not the old state"
    rows = _fill(old_apps)
    # A project stored with a k or threshold below the new bound of 2 is raised to it.
    old_apps.get_model("accounts", "Project").objects.update(k_anonymity=1, cell_threshold=0)
    links = {
        f"{m._meta.label}.{f.name}": f.remote_field.through.objects.count()
        for m in old_apps.get_models()
        for f in m._meta.local_many_to_many
        if m._meta.app_label in WAYPOINT_APPS
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    then = {m._meta.label for m in old_apps.get_models()}  # models added since were not there
    every_model = {
        m._meta.label
        for app in WAYPOINT_APPS
        for m in current_apps.get_app_config(app).get_models()
        if m._meta.label in then
    }
    assert {label for label in rows if label != "auth.User"} == every_model
    assert len(links) >= 2, links  # Device.forms and NationalSociety.networks at least
    for label, pk in rows.items():
        model = current_apps.get_model(label)
        assert model.objects.filter(pk=pk).exists(), f"{label} row {pk} was lost"
    assert all(count == 1 for count in links.values()), links
    device = current_apps.get_model("accounts", "Device").objects.get(pk=rows["accounts.Device"])
    form = current_apps.get_model("forms", "Form").objects.get(pk=rows["forms.Form"])
    assert list(device.forms.all()) == [form]
    project = current_apps.get_model("accounts", "Project").objects.get()
    assert (project.k_anonymity, project.cell_threshold) == (2, 2)
    assert list(form.devices.all()) == [device]
    networks = (
        current_apps.get_model("accounts", "NationalSociety")
        .objects.get(pk=rows["accounts.NationalSociety"])
        .networks
    )
    assert networks.count() == 1
