"""A project's privacy settings: the DPO's (and admins') alone, changed with a reason, audited
old -> new, within bounds.

k and the cell threshold protect every person in the data; below 2 they protect no one (a
group of one is the person). Their defaults (5) may be lowered only with a reason, which the
DPO's sign-off page shows beside every release approved under the lower value. The pair levels
(where two questions are cross-tabulated) change the size of the protected lattice, not the
protection of any cell: finer ones publish more tables and withhold more cells.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import signals
from accounts.access import is_admin, project_roles
from accounts.models import Project, Role
from audit.models import AuditEvent
from audit.services import audit_record
from lib.problems import Problem, interpolate

SETTINGS = (
    "k_anonymity",
    "cell_threshold",
    "disclosure_mode",
    "missing_values",
    "retention_days",
    "pair_geography",
    "pair_time",
    "everyday_names",
)
MINIMUM = {"k_anonymity": 2, "cell_threshold": 2, "retention_days": 1}
DEFAULTS = {"k_anonymity": 5, "cell_threshold": 5}
NONE_LEFT_OUT = {"records": 0, "purged": 0, "encrypted": 0}
CHOICES = {
    "disclosure_mode": set(Project.DisclosureMode.values),
    "missing_values": set(Project.MissingValues.values),
    # The levels cross-tabulations of two questions are published at: a lattice freezes them
    # when it is built, so a change applies from the next approved release.
    "pair_geography": set(Project.PairGeography.values),
    "pair_time": set(Project.PairTime.values),
    # Free text is anonymised again under the new choice (privacy.receivers).
    "everyday_names": set(Project.EverydayNames.values),
}


def settings_check(values: dict[str, Any]) -> None:
    """Refuse (``settings.out_of_bounds``) a value no project may have."""
    for name, value in values.items():
        if name in MINIMUM and (
            isinstance(value, bool) or not isinstance(value, int) or not MINIMUM[name] <= value
        ):
            raise Problem(
                "settings.out_of_bounds",
                interpolate(
                    _(
                        "%(field)s must be a whole number of at least %(minimum)s; %(value)s is "
                        "not."
                    ),
                    field=name,
                    minimum=MINIMUM[name],
                    value=repr(value),
                ),
                field=name,
                minimum=MINIMUM[name],
            )
        if name in MINIMUM and value > 32767:
            raise Problem(
                "settings.out_of_bounds",
                interpolate(_("%(field)s is too large."), field=name),
                field=name,
                maximum=32767,
            )
        if name in CHOICES and value not in CHOICES[name]:
            raise Problem(
                "settings.out_of_bounds",
                interpolate(
                    _("%(field)s must be one of %(choices)s."),
                    field=name,
                    choices=", ".join(sorted(CHOICES[name])),
                ),
                field=name,
                choices=sorted(CHOICES[name]),
            )


def may_change_settings(user, project: Project | None) -> bool:
    """DPOs of the project, and admins; nobody else (form managers create with defaults)."""
    if is_admin(user):
        return True
    return project is not None and Role.DPO in project_roles(user, project)


def settings_changes(project: Project, values: dict[str, Any]) -> dict:
    """Which of ``values`` differ from ``project``'s: {name: [old, new]}."""
    return {
        name: [getattr(project, name), value]
        for name, value in values.items()
        if getattr(project, name) != value
    }


def settings_at_stake(*, project: Project, changed: dict) -> dict:
    """What ``changed`` ({name: [old, new]}) would leave out of every later release for good,
    told before it is made: records anonymised under the rules it replaces whose raw data is
    gone (``records``, of which ``purged`` and ``encrypted``; ``detail`` for a person, empty if
    none). Accounts cannot count them: the apps that would lose them answer
    (``signals.privacy_settings_at_stake``)."""
    total = dict(NONE_LEFT_OUT)
    details = []
    answers = signals.privacy_settings_at_stake.send(
        sender=Project, project_id=project.pk, changed=changed
    )
    for __, answer in answers:
        if answer and answer["records"]:
            total = {name: total[name] + answer[name] for name in total}
            details.append(answer["detail"])
    return {**total, "detail": format_lazy(" ".join(["{}"] * len(details)), *details)}


@dataclass(frozen=True)
class SettingsChanged:
    """What ``settings_change`` did: ``changed`` ({name: [old, new]}, empty if nothing), and
    ``left_out``, the counts counted under the lock and audited (what the caller tells the
    person, rather than a count it took earlier)."""

    changed: dict = field(default_factory=dict)
    left_out: dict = field(default_factory=lambda: dict(NONE_LEFT_OUT))


def settings_change(
    *,
    project: Project,
    user,
    values: dict[str, Any],
    reason: str,
    confirm_left_out: int | None = None,
) -> SettingsChanged:
    """Apply ``values`` (a subset of ``SETTINGS``) to ``project``: what changed, old -> new,
    and what that left out (``SettingsChanged``).

    Nothing changes unless all of it is allowed: the user's role, the bounds, a reason
    whenever a value actually changes, and, when the change would leave records out of every
    later release for good (``settings_at_stake``: a new ``everyday_names`` and raw data
    purged on schedule or encrypted on the device), ``confirm_left_out``: the number of
    records the person agreed to leave out, the count they were shown. A purge since then
    leaves more out than they agreed to, so a count above it is refused again with the new
    count; the audit records the count the change actually left out."""
    unknown = set(values) - set(SETTINGS)
    assert not unknown, f"Not privacy settings: {sorted(unknown)}; pass only {SETTINGS}."
    assert confirm_left_out is None or (
        isinstance(confirm_left_out, int) and not isinstance(confirm_left_out, bool)
    ), "confirm_left_out is a number of records (the count refused with), not a yes."
    if not values:  # a change of name or description only: any form manager may make it
        return SettingsChanged()
    if not may_change_settings(user, project):
        raise Problem(
            "settings.dpo_only",
            _(
                "Only a data protection officer of this project (or an admin) changes its "
                "privacy settings."
            ),
        )
    settings_check(values)
    changed = settings_changes(project, values)
    if not changed:
        return SettingsChanged()
    if not reason.strip():
        raise Problem(
            "settings.reason_required",
            _(
                "Give a reason for changing privacy settings; it is kept in the audit log and "
                "shown on the sign-off page."
            )
            if any(lowered_below_default(name, new) for name, (__, new) in changed.items())
            else _("Give a reason for changing privacy settings; it is kept in the audit log."),
            fields=sorted(changed),
        )
    with transaction.atomic():
        # Judged again on the row as it is, locked: two DPOs saving at once are applied one
        # after the other, and the audit's old values are the ones each replaced.
        current = Project.objects.select_for_update().get(pk=project.pk)
        changed = {
            name: [getattr(current, name), new]
            for name, (__, new) in changed.items()
            if getattr(current, name) != new
        }
        if not changed:
            return SettingsChanged()
        # Counted under the lock, on the settings as they are: the count refused with, or
        # audited, is this change's.
        at_stake = settings_at_stake(project=current, changed=changed)
        counts = {name: at_stake[name] for name in NONE_LEFT_OUT}
        if counts["records"] > (confirm_left_out or 0):
            raise Problem(
                "settings.left_out_unconfirmed",
                interpolate(
                    _(
                        "%(at_stake)s To make the change anyway, send it again with "
                        "confirm_left_out set to %(count)s."
                    ),
                    at_stake=at_stake["detail"],
                    count=counts["records"],
                ),
                fields=sorted(changed),
                left_out=counts,
            )
        for name, (__, new) in changed.items():
            setattr(project, name, new)
        project.save(update_fields=sorted(changed))
        audit_record(
            actor=user,
            action="project.settings",
            project=project,
            target=f"project {project.pk} privacy settings",
            reason=reason.strip(),
            details={
                "changed": changed,
                "below_default": sorted(
                    n for n, (__, v) in changed.items() if lowered_below_default(n, v)
                ),
                **({"left_out": counts} if counts["records"] else {}),
            },
        )
        # In this transaction: what later stages do about it (a re-run under a new redaction
        # setting) commits with the change or not at all.
        signals.privacy_settings_changed.send(
            sender=Project, project_id=project.pk, changed=changed, user=user, reason=reason.strip()
        )
    return SettingsChanged(changed=changed, left_out=counts)


def lowered_below_default(name: str, value: Any) -> bool:
    return name in DEFAULTS and isinstance(value, int) and value < DEFAULTS[name]


def below_defaults(project: Project) -> list[dict]:
    """The settings of ``project`` now below their default, each with the reason given when it
    was lowered (the latest such audit event), for the DPO's sign-off page."""
    lowered = []
    events = None
    for name, default in DEFAULTS.items():
        value = getattr(project, name)
        if value >= default:
            continue
        if events is None:  # a project's few settings changes, newest first
            events = list(
                AuditEvent.objects.filter(project=project, action="project.settings").order_by(
                    "-at", "-pk"
                )
            )
        event = next((e for e in events if name in e.details.get("below_default", [])), None)
        lowered.append(
            {
                "name": name,
                "value": value,
                "default": default,
                "reason": event.reason if event else "",
                "by": event.actor_label if event else "",
                "at": event.at if event else None,
            }
        )
    return lowered
