"""The OpenRosa endpoints. Views check the request's shape and call ``sync.services``; every
answer, errors included, is OpenRosa XML with the OpenRosa headers."""

import logging
from contextlib import contextmanager
from functools import wraps

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from forms.access import access_form_for_device, device_forms, published_version
from forms.models import FormState, FormVersion
from lib.downloads import as_download
from lib.problems import Problem, request_language
from sync import bodies, openrosa
from sync.auth import resolve_caller
from sync.quota import device_upload_quota
from sync.services import Caller, submission_receive

log = logging.getLogger(__name__)
# What a 503 asks devices to wait: a database restart or fail-over takes seconds to a minute.
RETRY_AFTER_SECONDS = 30


def openrosa_endpoint(*, require_version_header: bool, cache_device: bool = False):
    """Authenticate, check the OpenRosa header, and answer every refusal (a catalogue
    ``Problem`` from here, the services or the views) as OpenRosa XML: the one place that does."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, project_id: int, token: str | None = None, **kwargs):
            try:
                with _unavailable_while_storage_down():
                    if (
                        require_version_header
                        and request.headers.get("X-OpenRosa-Version") != "1.0"
                    ):
                        raise Problem(
                            "openrosa.version_missing",
                            _(
                                "This address is for ODK Collect, KoboCollect or Enketo "
                                "(the X-OpenRosa-Version: 1.0 header is missing)."
                            ),
                        )
                    # A submission's device may come from memory: its INSERT re-checks it.
                    cached = cache_device and request.method == "POST"
                    caller = resolve_caller(request, project_id, token, cached=cached)
                    return view(request, project_id=project_id, caller=caller, **kwargs)
            except Problem as problem:
                return openrosa.problem_response(problem, request)
            except Http404:
                raise
            except Exception:
                # Whatever else fails must not answer an HTML page: Collect shows nothing
                # useful from one. A 5xx OpenRosaResponse keeps the form on the tablet to send
                # again; the traceback goes to the error log.
                log.exception("OpenRosa request failed: %s", request.method)
                return openrosa.problem_response(
                    Problem(
                        "server.error",
                        _(
                            "The server had a problem with this request. Nothing was lost: the "
                            "form stays on the tablet. Please send it again later."
                        ),
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    ),
                    request,
                )

        return wrapper

    return decorate


@contextmanager
def _unavailable_while_storage_down():
    """A database or storage restarting, full or out of reach answers 503 with Retry-After in
    OpenRosa XML, which Collect shows and retries, instead of an HTML 500 page. A 201 is sent
    only after the commit, so the device still holds whatever failed here; a copy that did
    commit just before the connection dropped is answered "already received" when it comes
    again. Django closes the broken connection at the end of the request; the next reconnects."""
    try:
        yield
    except (OperationalError, InterfaceError, OSError, BotoCoreError, ClientError) as exc:
        # The database, or the attachment storage (a full disk, S3 out of reach).
        log.warning("storage unavailable: %s %s", type(exc).__name__, exc)
        raise Problem(
            "server.unavailable",
            _(
                "The server cannot take or send forms for a moment. Nothing was lost: the "
                "forms stay on the tablet. Please send them again in a minute."
            ),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from exc


def _prefix(request, project_id: int, caller) -> tuple[str, str]:
    """The base of the URLs handed to this caller, and the query to append (Enketo's st)."""
    if caller.token and not caller.via_query:
        path = reverse("key:form-list", args=[caller.token, project_id])
    else:
        path = reverse("account:form-list", args=[project_id])
    path = path.removesuffix("formList")
    base = settings.WAYPOINT_PUBLIC_URL.rstrip("/") if settings.WAYPOINT_PUBLIC_URL else ""
    url = f"{base}{path}" if base else request.build_absolute_uri(path)
    return url.rstrip("/"), f"?st={caller.token}" if caller.via_query else ""


@openrosa_endpoint(require_version_header=True)
@require_http_methods(["GET", "HEAD"])
def form_list(request, project_id: int, caller):
    base, query = _prefix(request, project_id, caller)
    forms = device_forms(caller.device, project_id).filter(state=FormState.OPEN).order_by("form_id")
    wanted = request.GET.get("formID")
    if wanted:
        forms = forms.filter(form_id=wanted)
    entries = []
    light_versions = FormVersion.objects.defer("xform", "source", "questions", "choices")
    for form in forms.prefetch_related(Prefetch("versions", queryset=light_versions)):
        version = published_version(form)
        if version is None:
            continue
        entry = {
            "formID": form.form_id,
            "name": version.title,
            "version": version.version,
            "hash": f"md5:{version.md5}",
            "downloadUrl": f"{base}/forms/{form.form_id}.xml{query}",
        }
        if version.media_expected:
            entry["manifestUrl"] = f"{base}/forms/{form.form_id}/manifest{query}"
        entries.append(entry)
    return openrosa.xml_response(openrosa.form_list_document(entries))


def _not_modified(request, etag: str) -> bool:
    """If-None-Match as RFC 9110 13.1.2 says: ``*`` matches any current representation, and the
    comparison is weak (``W/"x"`` matches ``"x"``), as proxies and CDNs weaken ETags."""
    header = request.headers.get("If-None-Match", "")
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


@openrosa_endpoint(require_version_header=False)
@require_http_methods(["GET", "HEAD"])
def form_download(request, project_id: int, caller, form_id: str):
    form = access_form_for_device(caller.device, project_id, form_id)
    # Closed to form managers trying it over OpenRosa too, as to devices (issue 15).
    if form.state == FormState.CLOSED:
        raise Problem("form.closed_for_download", _("This form is closed."))
    version = published_version(form)
    etag = f'"{version.md5}"'
    if _not_modified(request, etag):
        return openrosa.with_openrosa_headers(HttpResponseNotModified(headers={"ETag": etag}))
    response = HttpResponse(bytes(version.xform), content_type=openrosa.XML_CONTENT_TYPE)
    response["ETag"] = etag
    return openrosa.with_openrosa_headers(response)


@openrosa_endpoint(require_version_header=True)
@require_http_methods(["GET", "HEAD"])
def manifest(request, project_id: int, caller, form_id: str):
    form = access_form_for_device(caller.device, project_id, form_id)
    version = published_version(form)
    base, query = _prefix(request, project_id, caller)
    files = [
        {
            "filename": media.filename,
            "hash": f"md5:{media.md5}",
            "downloadUrl": f"{base}/forms/{form.form_id}/attachments/{media.filename}{query}",
        }
        for media in version.media.all()
    ]
    return openrosa.xml_response(openrosa.manifest_document(files))


@openrosa_endpoint(require_version_header=False)
@require_http_methods(["GET", "HEAD"])
def media_download(request, project_id: int, caller, form_id: str, filename: str):
    form = access_form_for_device(caller.device, project_id, form_id)
    media = get_object_or_404(published_version(form).media, filename=filename)
    etag = f'"{media.md5}"'
    if _not_modified(request, etag):
        return openrosa.with_openrosa_headers(HttpResponseNotModified(headers={"ETag": etag}))
    response = FileResponse(media.file.open("rb"), content_type=media.content_type)
    response["ETag"] = etag
    # Uploaded by a form manager: a download that can never run script in Waypoint's origin.
    return openrosa.with_openrosa_headers(as_download(response, media.filename))


@openrosa_endpoint(require_version_header=True, cache_device=True)
@require_http_methods(["HEAD", "POST"])
def submission(request, project_id: int, caller):
    if request.method == "HEAD":
        # Collect requires exactly 204 here; any other 2xx reads as a captive portal.
        return openrosa.with_openrosa_headers(HttpResponse(status=204))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > bodies.body_limit():
        raise bodies.too_large(length)
    # Charged before the body is read: one token cannot tie up every thread or fill the disk.
    with device_upload_quota(caller.device, length):
        if bodies.chunked(request):
            bodies.chunked_body_spool(request)
        xml, files = bodies.multipart_read(request)
        # What Collect counts against the limit.
        counted = len(xml) + sum(map(len, files.values()))
        if counted > settings.WAYPOINT_SUBMISSION_MAX_BYTES:
            raise bodies.too_large(counted)
        receipt = submission_receive(
            project=caller.project,
            caller=Caller(
                device=caller.device,
                user=caller.user,
                user_agent=request.headers.get("User-Agent", ""),
                device_id=request.GET.get("deviceID", ""),
            ),
            xml=xml,
            files=files,
        )
        with translation.override(request_language(request)):  # the lane skipped LocaleMiddleware
            message = str(receipt.message)
        return openrosa.openrosa_response(201, message, nature="submit_success")
