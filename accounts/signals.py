"""What accounts tells later stages. Accounts imports no app above it, so a change that other
apps must act on (anonymise free text again under a new redaction setting) is announced here,
inside the change's transaction, and those apps receive it. Before it is made, they are asked
what it would cost (records left out of releases for good), so the person can be warned."""

from django.dispatch import Signal

# project_id=int, changed={name: [old, new]}, user, reason: a project's privacy settings changed;
# sent inside the change's transaction, so a receiver's work commits with it.
privacy_settings_changed = Signal()

# project_id=int, changed={name: [old, new]}: asked before a change of privacy settings is made;
# a receiver answers what the change would leave out of every later release for good, as
# {"records", "purged", "encrypted": int, "detail": text for a person}, or None.
privacy_settings_at_stake = Signal()
