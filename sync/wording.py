"""What a volunteer reads on the tablet after sending a form: the refusals and receipts of a
submission, in one place for translators (locale/). Lazy: written in the language the device
asks for (Accept-Language) when the answer is rendered (``sync.views``, ``sync.openrosa``)."""

from django.utils.translation import gettext_lazy as _

FORM_UNKNOWN = _(
    "The form “%(form_id)s” is not on this server for this device. Get the latest blank forms "
    "and fill the form again."
)
FORM_CLOSED = _(
    "The form “%(title)s” is closed and no longer accepts submissions. Keep this form on the "
    "tablet and contact your supervisor."
)
VERSION_UNKNOWN = _(
    "Version “%(version)s” of “%(title)s” is not on this server. Get the latest blank forms; "
    "this filled form stays on the tablet."
)
ENCRYPTION_REQUIRED = _(
    "This form must be encrypted on the tablet, and this copy was not. Get the latest blank "
    "forms and contact your supervisor; this filled form stays on the tablet."
)
UNREADABLE = _("The submission could not be read: %(why)s")
ATTACHMENT_UNMATCHED = _(
    "The file “%(file)s” does not match any file this form names (still waiting for "
    "“%(missing)s”). This filled form stays on the tablet; contact your supervisor."
)
EDIT_UNKNOWN = _(
    "This is an edit of a submission the server never received. Send the original first, or "
    "contact your supervisor."
)
RECOVERED_EDIT_FOREIGN = _(
    "This is an edit of a submission another device sent: a recovered tablet may only edit "
    "its own submissions. It was not stored."
)
# Receipts (201): the form is on the server.
RECEIVED = _("Thank you. Your submission was received.")
RECEIVED_BEFORE = _("This submission was already received; nothing was lost.")
RECEIVED_BEFORE_THANKS = _("Thank you. This submission was already received.")
ALL_FILES_RECEIVED = _("Thank you. All files of this submission were received.")
WAITING_FOR_FILES = _("Received. Waiting for %(count)s more file(s): %(files)s")
CONFLICT_KEPT = _(
    "A different version of this form was already received with the same ID. Both versions "
    "are kept for review; nothing was lost. You do not need to send it again."
)
