"""The catalogue of refusals: every "no" Waypoint gives has a stable dotted code, an HTTP status
and a message a person can act on, as ODK Central's problem catalogue does.

Domain code raises ``Problem(code, message, **details)`` with the message marked for translation
(``gettext_lazy``, and ``interpolate`` for one with values in it): it stays lazy until a renderer
writes it in the language of the request it answers (``request_language``). The code and the
English ``title`` (the catalogue's meaning) never change with the language; clients branch on
the code. Each way of answering has one renderer: JSON for the API
(``lib.api_errors.exception_handler``, DRF's EXCEPTION_HANDLER), ``<OpenRosaResponse>`` XML
for devices (``sync.openrosa.problem_response``, used by ``sync.views.openrosa_endpoint``) and
pages (``ProblemPageMiddleware`` below, and
``flash_problems`` for form posts that come back to the page they were sent from).

Codes are ``area.what``. DRF's own generic codes (``invalid``, ``not_found``...) keep DRF's
names: every API client already branches on them. docs/problems.md lists every code; a test
keeps it and ``CATALOGUE`` in step.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.functional import Promise, lazy


@dataclass(frozen=True)
class Entry:
    status: int
    meaning: str


ENTRIES = [
    # DRF's generic refusals, for any API operation (DRF's own names: clients branch on them).
    ("invalid", 400, "Invalid input; `errors` lists the errors of each field."),
    ("parse_error", 400, "The request body could not be parsed."),
    ("not_authenticated", 401, "Not signed in."),
    ("authentication_failed", 401, "The credentials were not accepted."),
    ("permission_denied", 403, "Your role in this project does not allow it."),
    ("not_found", 404, "No such object, or not in a project you hold a role in."),
    ("method_not_allowed", 405, "Method not allowed."),
    ("not_acceptable", 406, "No representation in the format asked for."),
    ("unsupported_media_type", 415, "The body is not in a media type this reads."),
    ("throttled", 429, "Too many attempts; wait and try again."),
    # Any request (backend.request_guard), before any view.
    ("request.nul_byte", 400, "A NUL character in the query string or the credentials."),
    ("account.sign_in_limited", 429, "Sign-ins for this name or address are paused a while."),
    # Uploads of forms and media (forms.services, forms.conversion): `problems` lists every
    # finding with its sheet, row and column; the answer's code is the first finding's.
    ("upload.empty", 400, "The uploaded file is empty."),
    ("upload.corrupt", 400, "The file is damaged (not a readable workbook)."),
    ("upload.wrong_kind", 400, "Not an XLSForm (.xlsx, .xls) or XForm (.xml)."),
    ("upload.unreadable", 400, "The upload arrived incomplete or damaged."),
    ("upload.no_file", 400, "No `file` part in a multipart/form-data body."),
    ("xlsform.unreadable", 400, "The workbook could not be read."),
    ("xlsform.invalid", 400, "pyxform refused the XLSForm."),
    ("xlsform.unknown_type", 400, "A question type pyxform does not know."),
    ("xlsform.formula_without_value", 400, "A formula cell was saved without its value."),
    ("xlsform.no_type", 400, "A survey row has a name or label but no type."),
    ("xlsform.duplicate_name", 400, "Two questions in the same group share a name."),
    (
        "xlsform.unknown_choice_list",
        400,
        "A select question names a choice list the choices sheet lacks.",
    ),
    ("xlsform.no_label", 400, "A question shown to volunteers has no label."),
    ("xlsform.no_calculation", 400, "A calculate has no calculation."),
    (
        "xlsform.unknown_reference",
        400,
        "An expression refers to ${name} and no question has that name.",
    ),
    ("odk_validate.invalid", 400, "ODK Validate (Collect's JavaRosa engine) refused the form."),
    ("xform.invalid", 400, "The XForm is not well-formed, unsafe, or not an XForm."),
    ("settings.form_id", 400, "The form_id holds characters devices cannot put in URLs."),
    ("privacy.invalid", 400, "A value in the `privacy` column is not understood."),
    ("media.bad_name", 400, "A media file name that is not a plain file name."),
    ("media.unexpected", 400, "A media file the form version does not use."),
    ("media.empty", 400, "The media file is empty."),
    ("media.bad_type", 400, "Not a kind of file forms use (images, audio, video, CSV, ...)."),
    ("form.bad_state", 400, "Not a form state (open, closing, closed)."),
    ("form.rejected", 400, "The form was refused (no problem was named)."),
    ("pyxform.*", 400, "pyxform refused the XLSForm: `pyxform.` and pyxform's own code."),
    ("form.version_exists", 409, "That version is published with different content."),
    ("upload.too_large", 413, "The form file is over the size limit."),
    ("media.too_large", 413, "The media file is over the size limit."),
    # OpenRosa (sync): answered as <OpenRosaResponse>, the message for the volunteer.
    ("openrosa.version_missing", 400, "The X-OpenRosa-Version: 1.0 header is missing."),
    ("submission.unreadable", 400, "The multipart body arrived incomplete or damaged."),
    ("submission.no_xml", 400, "No xml_submission_file part."),
    ("xml.invalid", 400, "The submission XML is not well-formed, unsafe or not an instance."),
    ("submission.encryption_required", 400, "Plaintext sent for a form version with a public key."),
    ("submission.attachment_unmatched", 400, "A file part matches no file the XML still awaits."),
    ("account.sign_in", 401, "HTTP Basic credentials needed; WWW-Authenticate is sent."),
    ("device.token_invalid", 403, "The device token is revoked or mistyped."),
    ("device.wrong_project", 403, "The device belongs to another project."),
    ("account.not_collector", 403, "The account is not a form manager of this project."),
    ("form.closed_for_download", 403, "A device asked for a closed form."),
    ("form.unknown", 404, "The form is not on this server for this device."),
    ("form.version_unknown", 404, "The form version is not on this server."),
    ("edit.unknown_original", 404, "An edit (deprecatedID) of a submission never received."),
    ("form.closed", 409, "The form is closed and refuses submissions."),
    ("submission.too_large", 413, "The submission is over the advertised size limit."),
    ("submission.rate_limited", 429, "The device sent too much this minute; Retry-After."),
    ("server.error", 500, "An unexpected server fault, answered as OpenRosa XML; retry later."),
    ("server.unavailable", 503, "Database or storage unavailable; Retry-After is sent."),
    # Raw data (sync.selectors, the DPO's API).
    ("submission.reason_required", 400, "Raw data is read only with a reason (audited)."),
    ("submission.not_encrypted", 400, "The submission is not device-encrypted."),
    ("submission.decrypt_failed", 400, "The private key does not open this submission."),
    # A revoked web tablet's recovery file, uploaded by the DPO (webforms.recovery).
    ("recovery.not_a_recovery_file", 400, "Not a recovery file exported by a Waypoint web tablet."),
    ("recovery.truncated", 400, "The recovery file is cut short: nothing was stored."),
    ("recovery.tampered", 400, "The recovery file was altered after export: nothing was stored."),
    ("recovery.wrong_project", 400, "The recovery file comes from a tablet of another project."),
    ("recovery.unknown_device", 400, "The file names no web tablet of this project."),
    ("recovery.key_retired", 400, "Sealed with a recovery key no configured quarantine key makes."),
    ("recovery.too_large", 413, "The recovery file is over WAYPOINT_RECOVERY_MAX_BYTES."),
    ("recovery.edit_of_another_device", 409, "A recovered edit of another device's submission."),
    ("recovery.item_failed", 500, "One recovered submission failed unexpectedly (logged)."),
    # Review and release (privacy).
    ("rules.invalid", 400, "The privacy rule change is refused."),
    ("audit.bad_filter", 400, "An audit log filter that cannot be applied."),
    ("release.nothing_new", 409, "There are no new records to release."),
    ("release.changed", 409, "The candidate changed, or is not the one approved."),
    ("release.rules_rerunning", 409, "Records are still being re-anonymised under new rules."),
    ("release.checking", 409, "Records arrived while the candidate was built: try again."),
    ("release.not_open", 409, "The candidate was already approved, or replaced by a newer one."),
    ("release.stale_hash", 409, "The hash approved is not the candidate's: review it again."),
    ("release.busy", 409, "A release of this form is being opened or approved: wait for it."),
    ("release.failed", 500, "Opening or approving a release failed; nothing changed: try again."),
    # Privacy settings of a project (accounts.settings): the DPO's, with a reason, audited.
    ("settings.dpo_only", 403, "Only a DPO or an admin changes privacy settings."),
    ("settings.reason_required", 400, "A change of privacy settings needs a reason (audited)."),
    ("settings.out_of_bounds", 400, "A privacy setting out of bounds (k and threshold >= 2)."),
    (
        "settings.left_out_unconfirmed",
        409,
        "The change would leave records out of releases for good; confirm with their count.",
    ),
    ("record.withhold_refused", 409, "The record cannot be withheld as things stand."),
    ("record.undo_refused", 409, "The record is not withheld: nothing to undo."),
    ("rules.unapproved", 409, "A version's privacy rules await a DPO's approval."),
    ("rules.approve_refused", 409, "The rule set was approved already, or is not current."),
    ("microdata.refused", 409, "The microdata file cannot be approved as things stand."),
    ("microdata.not_approved", 403, "No DPO approved row-level records for this release."),
    # Results.
    ("table.unknown_variable", 400, "A variable the form does not have."),
    ("table.refused", 400, "A table these variables cannot make."),
    ("table.no_columns", 400, "Linked tables need at least one column."),
    ("table.too_many_columns", 400, "More columns than one download may link (10)."),
    ("table.repeated_column", 400, "A column given twice."),
    ("results.unknown_filter_value", 400, "A filter value the release does not have."),
    ("results.range_not_published", 400, "A month range that is not a published period."),
    ("results.table_not_published", 400, "A table the release's lattice does not protect."),
    ("results.retry_refused", 409, "The release's tables are built or being computed."),
    ("results.being_rebuilt", 503, "Results are being rebuilt for a new release; Retry-After."),
    (
        "results.preview_refused",
        409,
        "The candidate's tables are current or being computed, its records changed, or it is "
        "not open.",
    ),
    # Projects and service points (accounts).
    ("service_point.name_taken", 400, "The project has a service point of that name."),
]
CATALOGUE: dict[str, Entry] = {code: Entry(status, meaning) for code, status, meaning in ENTRIES}
# Families: a code under one of these prefixes takes the family's entry.
FAMILIES = {"pyxform.": "pyxform.*"}


def entry(code: str) -> Entry:
    for prefix, family in FAMILIES.items():
        if code.startswith(prefix):
            return CATALOGUE[family]
    assert code in CATALOGUE, f"Add “{code}” to lib.problems.CATALOGUE and docs/problems.md."
    return CATALOGUE[code]


def request_language(request: HttpRequest | None) -> str | None:
    """The language a refusal to ``request`` is written in. Pages and the API have it from the
    middleware (``LocaleMiddleware``: the language switch's cookie, else Accept-Language;
    ``accounts.interface_language``: the person's own choice); a device's submission skips that
    middleware (``backend.openrosa_lane``) and a few refusals come before it, so for them it is
    read here, from Accept-Language (ODK Collect sends the phone's language). None without a
    request: the language active now."""
    if request is None:
        return None
    chosen: str | None = getattr(request, "LANGUAGE_CODE", None)
    return chosen or str(translation.get_language_from_request(request))


def _format(message: Any, values: dict[str, Any]) -> str:
    return str(message % values)  # a plural (ngettext_lazy) picks its form from ``values`` here


_format_lazy = lazy(_format, str)


def interpolate(message: Any, /, **values: Any) -> str:
    """``message % values``, written out only when read, so in the reader's language:
    ``interpolate(_("Link at most %(limit)s columns."), limit=10)``. ``message`` may be
    ``gettext_lazy`` or ``ngettext_lazy(..., "name")`` (the plural form follows ``values``)."""
    text: str = _format_lazy(message, values)
    return text


def _written(value: Any) -> Any:
    """``value`` with every lazy text in it written out in the active language."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: _written(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_written(item) for item in value]
    return value


class Problem(Exception):
    """A refusal from the catalogue. ``details`` go into the JSON body beside ``detail`` and
    ``code`` (``problems`` for an upload); ``headers`` into every rendering (``Retry-After``).
    ``message`` may be lazy (``gettext_lazy``): ``text`` and ``as_json`` write it out."""

    def __init__(
        self, code: str, message: str = "", *, headers: dict[str, str] | None = None, **details: Any
    ) -> None:
        self.code = code
        self.status = entry(code).status
        self.message = message or entry(code).meaning
        self.headers = headers or {}
        self.details = details
        super().__init__(self.message)

    @property
    def title(self) -> str:
        """The catalogue's meaning of the code, in English whatever the request's language: as
        stable as the code, for logs and clients that match on text."""
        return entry(self.code).meaning

    def text(self, language: str | None = None) -> str:
        """The message in ``language`` (a code of ``settings.LANGUAGES``; None: the active one)."""
        if language is None:
            return str(self.message)
        with translation.override(language):
            return str(self.message)

    def as_json(self, language: str | None = None) -> dict[str, Any]:
        """The API's body: ``detail`` in ``language``, ``code`` and ``title`` as they always are."""
        with translation.override(language or translation.get_language()):
            return {
                "detail": str(self.message),
                "code": self.code,
                "title": self.title,
                **_written(self.details),
            }


class ProblemPageMiddleware:
    """Pages: a problem nothing else answered is shown on the error page, with its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Problem):
            return None
        response = render(request, "problem.html", {"problem": exception}, status=exception.status)
        for name, value in exception.headers.items():
            response[name] = value
        return response


View = Callable[..., HttpResponse]


def flash_problems(viewname: str, *url_kwargs: str) -> Callable[[View], View]:
    """A form post refused with a problem comes back to ``viewname`` (built from the view's
    ``url_kwargs``) with the message shown there, as the page's other messages are."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except Problem as problem:
                if request.method != "POST":
                    raise
                messages.error(request, problem.message)
                return redirect(viewname, *(kwargs[name] for name in url_kwargs))

        return wrapper

    return decorate
