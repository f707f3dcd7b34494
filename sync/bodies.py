"""Reading a submission's body: chunked or not, within the size limit, and leaving no plaintext
behind when the reading fails.

gunicorn de-chunks a ``Transfer-Encoding: chunked`` body but, rightly, sends no Content-Length;
Django then reads the body as empty. Such a body is read here into a private spool (memory,
then an unnamed file in the upload folder), counting against the same limit, and handed to
Django's parser as if its length had been sent.
"""

import logging
import tempfile
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.core.handlers.wsgi import LimitedStream
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _

from lib.problems import Problem, interpolate

log = logging.getLogger(__name__)
# Collect fills a POST up to X-OpenRosa-Accept-Content-Length counting only the XML and file
# bytes; the multipart boundaries and part headers (a few hundred bytes a file) come on top.
MULTIPART_FRAMING_ALLOWANCE = 256 * 1024
BLOCK = 64 * 1024


def too_large(size: int) -> Problem:
    return Problem(
        "submission.too_large",
        interpolate(
            _(
                "This submission is %(size).2f MB; the server accepts up to %(limit).2f MB at a "
                "time. Update ODK Collect so that it splits large submissions."
            ),
            size=size / 1e6,
            limit=settings.WAYPOINT_SUBMISSION_MAX_BYTES / 1e6,
        ),
    )


def body_limit() -> int:
    return settings.WAYPOINT_SUBMISSION_MAX_BYTES + MULTIPART_FRAMING_ALLOWANCE


def chunked(request) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not (
        request.META.get("CONTENT_LENGTH")
    )


def chunked_body_spool(request) -> None:
    """Read a chunked body (at most the limit, else 413) and let Django parse it as usual."""
    limit = body_limit()
    source = request.environ["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - handed over to the request
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    size = 0
    try:
        while block := source.read(BLOCK):
            size += len(block)
            if size > limit:
                raise too_large(size)
            spool.write(block)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    # Past the memory threshold the spool is an unnamed file (unlinked at creation): nothing
    # stays on disk, even if the process dies; it is closed with the request's stream.
    request.META["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(spool, size)


class _Discarding:
    """Keeps every file an upload handler opened, so that a failed parse deletes them now, not
    whenever the garbage collector breaks the exception's reference cycle."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[misc]
        self.__dict__.setdefault("opened", []).append(getattr(self, "file", None))

    def discard(self) -> None:
        for upload in self.__dict__.get("opened", []):
            try:
                if upload is not None:
                    upload.close()  # a temporary upload file is deleted when closed
            except OSError:
                continue


class DiscardingTemporaryFileUploadHandler(_Discarding, TemporaryFileUploadHandler):
    pass


class DiscardingMemoryFileUploadHandler(_Discarding, MemoryFileUploadHandler):
    pass


def multipart_read(request) -> tuple[bytes, dict[str, bytes]]:
    """The XML part and the attachments by their file names as sent (``sync.names`` matches
    them to the XML's). The client going away is a 400 it will not see; a full or failing
    upload folder is the server's trouble, an OSError the caller answers 503."""
    handlers = [
        DiscardingMemoryFileUploadHandler(request),
        DiscardingTemporaryFileUploadHandler(request),
    ]
    request.upload_handlers = handlers
    xml = None
    files: dict[str, bytes] = {}
    try:
        for field_name, uploads in request.FILES.lists():
            for upload in uploads:
                if field_name == "xml_submission_file":
                    xml = upload.read()
                else:
                    files[upload.name] = upload.read()
        if xml is None and request.POST.get("xml_submission_file"):
            xml = request.POST["xml_submission_file"].encode("utf-8")
    except (
        MultiPartParserError,
        RequestDataTooBig,
        SuspiciousOperation,
        UnreadablePostError,
        ValueError,
    ) as exc:
        log.info("unreadable submission body: %s", type(exc).__name__)
        raise Problem(
            "submission.unreadable",
            _("The submission arrived incomplete or damaged. Please send it again."),
        ) from exc
    finally:
        for handler in handlers:
            handler.discard()
    if xml is None:
        raise Problem(
            "submission.no_xml",
            _("The submission has no xml_submission_file part. Please send it again."),
        )
    return xml, files
