"""The two lookups every OpenRosa POST makes, served from this process's memory: the device
holding a token and the form version a submission names (issue 19: together half of a POST's
wall time, and most of its Python time building the queries).

Nothing here is trusted for long or on its own: an entry lives ``TTL_SECONDS`` at most, and the
INSERT that stores a submission re-checks, in the same statement, everything a cached entry
vouched for (``admitted_form``): the device is not revoked and still holds this token, service
point and form, and the form is not closed. A device revoked or a form closed in any process
is therefore refused on its very next POST, whatever this cache holds; the refused INSERT
drops the entries and the request is judged again on fresh lookups."""

import threading
import time

from django.db import connection
from django.db.models import AutoField, Exists, Model, Q, Subquery
from django.db.models.signals import post_save, pre_save

from accounts.models import Device, hash_device_token
from accounts.provisioning import device_for_token
from forms.models import Form, FormState, FormVersion

TTL_SECONDS = 30.0
MAX_ENTRIES = 4096  # a bound on memory, whatever the number of tablets and forms

_devices: dict[str, tuple[float, Device]] = {}
_versions: dict[tuple, tuple[float, FormVersion]] = {}
_lock = threading.Lock()


def _get(table: dict, key):
    hit = table.get(key)
    if hit is None or hit[0] < time.monotonic():
        return None
    return hit[1]


def _put(table: dict, key, value) -> None:
    with _lock:
        if len(table) >= MAX_ENTRIES:
            table.clear()
        table[key] = (time.monotonic() + TTL_SECONDS, value)


def device_for_token_cached(token: str) -> Device | None:
    """``device_for_token``, remembered for an active device (a refused token is looked up
    every time: nothing an attacker sends can fill this)."""
    key = hash_device_token(token)
    device = _get(_devices, key)
    if device is None:
        device = device_for_token(token)
        if device is not None:
            _put(_devices, key, device)
    return device


def version_cached(key: tuple, lookup) -> FormVersion:
    """The form version for ``key`` (device, project, form id, version), from ``lookup()`` when
    not remembered; ``lookup`` raises the refusal for a missing or closed form."""
    version = _get(_versions, key)
    if version is None:
        version = lookup()
        _put(_versions, key, version)
    return version


def forget(*, device: Device | None = None, version_key: tuple | None = None) -> None:
    """Drop what a refused INSERT showed to be stale (or what a caller changed)."""
    with _lock:
        if device is not None:
            _devices.pop(device.token_hash, None)
        if version_key is not None:
            _versions.pop(version_key, None)


def clear() -> None:
    with _lock:
        _devices.clear()
        _versions.clear()


def admitted_form(version: FormVersion, device: Device | None, project_pk: int) -> Subquery:
    """The value stored as the submission's form: the form's id if the form is still not closed
    and, for a device, the device is still active with this token, service point and access to
    the form; otherwise NULL, which the NOT NULL column refuses (an ``IntegrityError``). Part of
    the INSERT itself, so it costs no round trip and no other process's change can slip past.
    The version must still be the one remembered (a restored database may reuse its id)."""
    forms = Form.objects.filter(
        Exists(FormVersion.objects.filter(pk=version.pk, created_at=version.created_at)),
        pk=version.form_id,
        project_id=project_pk,
    ).exclude(state=FormState.CLOSED)
    if device is not None:
        holder = Device.objects.filter(
            Q(all_forms=True) | Q(forms__pk=version.form_id),
            pk=device.pk,
            token_hash=device.token_hash,
            revoked_at__isnull=True,
            project_id=project_pk,
            service_point_id=device.service_point_id,
        )
        forms = forms.filter(Exists(holder))
    return Subquery(forms.values("pk")[:1])


# ``admitted_form`` as SQL, for ``insert_admitted``: the same conditions, written once.
GUARD_SQL = (
    "(SELECT f.id FROM forms_form f WHERE f.id = %s AND f.project_id = %s AND f.state <> %s"
    " AND EXISTS (SELECT 1 FROM forms_formversion v WHERE v.id = %s AND v.created_at = %s)"
    " AND EXISTS (SELECT 1 FROM accounts_device d WHERE d.id = %s AND d.token_hash = %s"
    " AND d.revoked_at IS NULL AND d.project_id = %s AND d.service_point_id = %s"
    " AND (d.all_forms OR EXISTS (SELECT 1 FROM accounts_device_forms a"
    " WHERE a.device_id = d.id AND a.form_id = f.id))))"
)
_insert_sql: dict[type, str] = {}


def insert_admitted(row: Model, version: FormVersion, device: Device, project_pk: int) -> bool:
    """INSERT ``row`` (a new submission) with ``GUARD_SQL`` as its form, in one statement whose
    SQL is built once per process: Django compiling the INSERT and its subquery for every POST
    was most of the request's Python time. Returns False, having done nothing, where the ORM
    must do it (not PostgreSQL, or a pre_save/post_save receiver to honour)."""
    model = type(row)
    if connection.vendor != "postgresql" or any(
        signal.has_listeners(model) for signal in (pre_save, post_save)
    ):
        return False
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
    sql = _insert_sql.get(model)
    if sql is None:
        quote = connection.ops.quote_name
        values = [GUARD_SQL if f.attname == "form_id" else "%s" for f in fields]
        # Names from the model's metadata; every value is a parameter.
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(values)}) "
            f"RETURNING {quote(model._meta.pk.column)}"
        )
        _insert_sql[model] = sql
    created = FormVersion._meta.get_field("created_at")
    guard = [
        version.form_id, project_pk, FormState.CLOSED, version.pk,
        created.get_db_prep_value(version.created_at, connection),
        device.pk, device.token_hash, project_pk, device.service_point_id,
    ]  # fmt: skip
    params: list = []
    for field in fields:
        if field.attname == "form_id":
            params.extend(guard)
        else:
            params.append(field.get_db_prep_save(field.pre_save(row, True), connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row.pk = cursor.fetchone()[0]
    row._state.adding = False
    row._state.db = connection.alias
    return True
