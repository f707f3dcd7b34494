"""What accounts tells later stages. Accounts imports no app above it, so a change that other
apps must act on (anonymise free text again under a new redaction setting) is announced here,
inside the change's transaction, and those apps receive it."""

from django.dispatch import Signal

# project_id=int, changed={name: [old, new]}, user, reason: a project's privacy settings changed;
# sent inside the change's transaction, so a receiver's work commits with it.
privacy_settings_changed = Signal()
