"""The web tablet app's own words (PIN screen, form list, outbox, banners), marked here so that
Django's catalogues (locale/, `make messages`) are their one source of truth.

The page carries every language's strings, not only the one asked for: the service worker keeps
the page under its URL alone (build-sw.mjs, ``ignoreVary``), so a page rendered for one language
would pin that language offline. With all of them in the page, the volunteer's choice (kept in
the browser) applies offline too, and switching language needs no network.

Placeholders are Python's ``%(name)s``: msgfmt checks that each translation keeps them, and the
app (i18n.js) fills them in.
"""

# ruff: noqa: RUF001 - the English source text uses typographic apostrophes, as the app always did.
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

RTL = {"ar", "fa", "he", "ur", "ps", "ckb"}

STRINGS = {
    "language": _("Language"),
    "forms": _("Forms"),
    "send_now": _("Send now"),
    "online": _("Online"),
    "offline": _("Offline"),
    "offline_kept": _("Offline: forms are kept on this device"),
    "offline_ready": _("Ready to work offline"),
    "draft_saved": _("Draft saved on this device"),
    "draft_deleted": _("Draft deleted."),
    "in_outbox": _("“%(title)s” is in the outbox."),
    "pin_enter": _("Enter the PIN."),
    "pin_differ": _("The two PINs differ."),
    "pin_wrong": _("Wrong PIN."),
    "pin_short": _("A PIN needs at least 6 digits."),
    "pin_easy": _("This PIN is too easy to guess (repeated, in a row, or common). Choose another."),
    "phrase_short": _(
        "A passphrase needs at least 8 characters (or use a PIN of 6 digits or more)."
    ),
    "phrase_easy": _("This passphrase is too easy to guess. Choose another."),
    "lock_title_new": _("Choose a PIN for this tablet"),
    "lock_title": _("Enter the tablet’s PIN"),
    "lock_help_new": _(
        "Forms and drafts on this device are encrypted with it. Everyone who uses this tablet "
        "needs it; without it, unsent forms cannot be read or sent."
    ),
    "lock_help": _(
        "The forms on this device are encrypted. The app locks itself when nobody uses it for a "
        "while."
    ),
    "pin_label_new": _("PIN: 6 digits or more, or a passphrase of 8 characters or more"),
    "pin_label": _("PIN or passphrase"),
    "pin_again": _("The same PIN again"),
    "pin_letters": _("Letters (passphrase)"),
    "pin_set": _("Set PIN"),
    "unlock": _("Unlock"),
    "forgot_new": _("If the PIN is forgotten"),
    "forgot": _("Forgot the PIN?"),
    "forgot_drafts": _(
        "Nobody can open the drafts without the PIN, not even Waypoint: they are lost."
    ),
    "forgot_forms": _(
        "Finished forms waiting to be sent are also sealed for Waypoint alone. Export them for "
        "the data protection officer, who uploads the file to Waypoint; they are then stored as "
        "if this tablet had sent them."
    ),
    "export": _("Export for the data protection officer"),
    "export_count": _("Export for the data protection officer (%(count)s)"),
    "export_failed": _("Export failed: %(error)s"),
    "export_online_first": _("Open this tablet’s link online once, then export."),
    "exported": _(
        "Forms exported for the data protection officer: %(count)s. They also stay on this tablet."
    ),
    "exported_left": _(
        "Forms exported for the data protection officer: %(count)s; %(left)s more need the "
        "PIN. They also stay on this tablet."
    ),
    "waiting": _("Waiting: %(count)s"),
    "sent": _("Sent: %(count)s"),
    "failed": _("Failed: %(count)s"),
    "will_retry": _("%(title)s: will retry (%(reason)s)"),
    "network_error": _("Network error: %(detail)s"),
    "revoked": _("This tablet can no longer send forms: its access was revoked."),
    "revoked_said": _("The server said: %(reason)s"),
    "revoked_kept": _(
        "Unsent forms kept on this device: %(count)s. Do not clear the browser’s data; ask your "
        "supervisor for a new link, or export them for the data protection officer."
    ),
    "version": _("version %(version)s"),
    "continue": _("Continue"),
    "delete": _("Delete"),
    "no_forms": _("No forms yet: connect once to download them."),
    "drafts": _("Drafts (%(count)s)"),
    "no_drafts": _("No drafts."),
    # Inside a form: ODK Web Forms' own words (patched in by frontend/vite.config.js) and
    # Waypoint's audio and video control (frontend/src/media-control.js).
    "form_send": _("Send"),
    "form_add": _("Add"),
    "form_remove": _("Remove"),
    "form_change_language": _("Change language"),
    "form_take_picture": _("Take picture"),
    "form_try_again": _("Try again"),
    "form_rank_items": _("Rank items"),
    "form_save_location": _("Save location"),
    "form_required": _("This question needs an answer."),
    "form_constraint": _("This answer is not allowed."),
    "form_errors": _("Questions to correct: %(count)s"),
    "form_accuracy_good": _("Good accuracy"),
    "form_accuracy_poor": _("Poor accuracy"),
    "form_accuracy_unknown": _("Unknown accuracy"),
    "form_latitude": _("Latitude: %(value)s,"),
    "form_longitude": _("Longitude: %(value)s."),
    "form_accuracy": _("Accuracy: %(value)s m,"),
    "form_load_failed": _("An error occurred while loading this form"),
    "form_error_details": _("Technical error details"),
    "form_record_audio": _("Record audio"),
    "form_record_video": _("Record video"),
    "form_choose_file": _("Choose file"),
    # PrimeVue's date picker (the engine's date questions), through frontend/src/i18n.js; month
    # and day names and "Today" come from the browser in the app's language.
    "picker_clear": _("Clear"),
    "picker_choose_date": _("Choose a date"),
    "picker_choose_month": _("Choose a month"),
    "picker_choose_year": _("Choose a year"),
    "picker_prev_month": _("Previous month"),
    "picker_next_month": _("Next month"),
    "picker_prev_year": _("Previous year"),
    "picker_next_year": _("Next year"),
    "picker_prev_decade": _("Previous decade"),
    "picker_next_decade": _("Next decade"),
    "picker_close": _("Close"),
}


def app_strings() -> dict:
    """Every interface language's strings for the app, and the languages to offer (each named in
    itself, with its direction). English is the source text, so it is also the fallback."""
    strings = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            strings[code] = {key: str(text) for key, text in STRINGS.items()}
    languages = [
        {"code": code, "name": name, "dir": "rtl" if code in RTL else "ltr"}
        for code, name in settings.LANGUAGES
    ]
    return {"languages": languages, "strings": strings}
