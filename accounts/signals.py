"""What accounts tells later stages. Accounts imports no app above it, so a change that other
apps must act on (anonymise free text again under a new redaction setting) is announced here,
after the change commits, and those apps receive it."""

from django.dispatch import Signal

# project_id=int, changed={name: [old, new]}: a project's privacy settings changed (committed).
privacy_settings_changed = Signal()
