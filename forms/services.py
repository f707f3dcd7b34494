"""Publishing forms: upload and conversion, versions, media, privacy rules and states.

A broken upload changes nothing: every check runs before the single transaction that stores the
version, its rules and its generated media.
"""

import hashlib
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Project
from forms.conversion import SurveyRow, convert_xlsform, validate_xform
from forms.models import (
    Form,
    FormState,
    FormVersion,
    MediaFile,
    PrivacyRule,
    PrivacyRuleSet,
)
from forms.privacy_rules import privacy_rules, rules_flagged_audit
from forms.problems import Finding, FormRejected
from forms.xform import NotAnXForm, XFormInfo, read_xform
from lib.problems import Problem, interpolate
from lib.safexml import UnsafeOrMalformedXML

FORM_ID = re.compile(r"^[\w.\-]+$")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_KINDS = (
    ("xl/workbook.xml", None),
    ("word/document.xml", _("a Word document (.docx)")),
    ("ppt/presentation.xml", _("a PowerPoint presentation (.pptx)")),
    ("content.xml", _("an OpenDocument file: open it and save it as an Excel workbook (.xlsx)")),
)
# A workbook unpacks to a few times its size; a zip bomb to thousands of times. Refuse before
# openpyxl inflates anything (zipfile never inflates an entry past the size it declares).
MAX_UNPACKED_RATIO = 10


@dataclass
class UploadResult:
    version: FormVersion
    created: bool


def read_form_file(upload) -> bytes:
    """Read an uploaded form, never more than one byte past the limit (enough to refuse it)."""
    return upload.read(settings.WAYPOINT_FORM_MAX_BYTES + 1)


def read_media_file(upload) -> bytes:
    return upload.read(settings.WAYPOINT_MEDIA_MAX_BYTES + 1)


def _reject(code: str, message: Any) -> FormRejected:
    """The status comes with the code, from the catalogue (lib.problems)."""
    return FormRejected([Finding(code, message)])


def detect_kind(filename: str, data: bytes) -> str:
    """'xlsx', 'xls' or 'xml', judged by the bytes rather than the file name alone."""
    if not data:
        raise _reject("upload.empty", _("The file is empty. Upload the XLSForm (.xlsx) itself."))
    if data[:4] == b"PK\x03\x04":
        try:
            entries = zipfile.ZipFile(BytesIO(data)).infolist()
        except zipfile.BadZipFile as exc:
            raise _reject(
                "upload.corrupt",
                _("The file looks like an Excel workbook but is damaged or cut short."),
            ) from exc
        limit = settings.WAYPOINT_FORM_MAX_BYTES * MAX_UNPACKED_RATIO
        if sum(entry.file_size for entry in entries) > limit:
            raise _reject(
                "upload.too_large",
                interpolate(
                    _(
                        "“%(file)s” unpacks to more than %(limit).0f MB, far more than any "
                        "XLSForm. Move images and long lists into media files."
                    ),
                    file=filename,
                    limit=limit / 1e6,
                ),
            )
        names = {entry.filename for entry in entries}
        for marker, what in ZIP_KINDS:
            if marker in names:
                if what is None:
                    return "xlsx"
                raise _reject(
                    "upload.wrong_kind",
                    interpolate(
                        _(
                            "“%(file)s” is %(what)s, not an XLSForm. Upload an Excel workbook "
                            "(.xlsx or .xls) with survey, choices and settings sheets, or an "
                            "XForm (.xml)."
                        ),
                        file=filename,
                        what=what,
                    ),
                )
        raise _reject(
            "upload.wrong_kind",
            interpolate(_("“%(file)s” is a zip archive, not an XLSForm."), file=filename),
        )
    if data[:8] == OLE2_MAGIC:
        return "xls"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return "xml"
    raise _reject(
        "upload.wrong_kind",
        interpolate(
            _("“%(file)s” is not an Excel workbook (.xlsx, .xls) or an XForm (.xml)."),
            file=filename,
        ),
    )


def form_upload(*, project: Project, filename: str, data: bytes, user=None) -> UploadResult:
    """Convert and publish an XLSForm or XForm as a new version of its form."""
    limit = settings.WAYPOINT_FORM_MAX_BYTES
    if len(data) > limit:
        raise _reject(
            "upload.too_large",
            interpolate(
                _(
                    "The file is %(size).1f MB; forms may be at most %(limit).0f MB. Move "
                    "images and long lists into media files."
                ),
                size=len(data) / 1e6,
                limit=limit / 1e6,
            ),
        )
    kind = detect_kind(filename, data)
    warnings: list[Finding] = []
    itemsets = None
    rows: dict[str, SurveyRow] = {}
    if kind == "xml":
        xform = data
        info = _read(xform)  # defusedxml first: a bomb never reaches ODK Validate's parser
        validate_xform(xform)
    else:
        converted = convert_xlsform(data, file_type=f".{kind}")
        xform, warnings, rows, itemsets = (
            converted.xform,
            converted.warnings,
            converted.rows,
            converted.itemsets_csv,
        )
        info = _read(xform)
    if not FORM_ID.match(info.form_id):
        raise FormRejected(
            [
                Finding(
                    "settings.form_id",
                    interpolate(
                        _(
                            "The form_id “%(form_id)s” may only hold letters, digits, '_', '-' "
                            "and '.'; devices put it in URLs."
                        ),
                        form_id=info.form_id,
                    ),
                    sheet="settings",
                    column="form_id",
                )
            ]
        )
    rules, rule_warnings = privacy_rules(info, rows)
    try:
        return _publish(
            project=project,
            info=info,
            xform=xform,
            filename=filename,
            source=data,
            warnings=warnings + rule_warnings,
            rules=rules,
            itemsets=itemsets,
            user=user,
        )
    except IntegrityError as exc:
        # Two uploads of the same new form or version raced; the other one won.
        raise _reject(
            "form.version_exists",
            _("This form version was published by another upload a moment ago. Reload to see it."),
        ) from exc


def _read(xform: bytes) -> XFormInfo:
    try:
        return read_xform(xform)
    except (UnsafeOrMalformedXML, NotAnXForm) as exc:
        raise _reject("xform.invalid", str(exc)) from exc


@transaction.atomic
def _publish(
    *, project, info, xform, filename, source, warnings, rules, itemsets, user
) -> UploadResult:
    md5 = hashlib.md5(xform).hexdigest()  # noqa: S324 - OpenRosa's form hash is md5
    form, _created = Form.objects.select_for_update().get_or_create(
        project=project, form_id=info.form_id, defaults={"title": info.title}
    )
    existing = form.versions.filter(version=info.version).first()
    if existing is not None:
        if existing.md5 == md5:
            return UploadResult(existing, created=False)
        raise FormRejected(
            [
                Finding(
                    "form.version_exists",
                    interpolate(
                        _(
                            "Version “%(version)s” of “%(form_id)s” is already published with "
                            "different content. Versions never change once devices may hold "
                            "them: change `version` on the settings sheet (for example to "
                            "today's date, 2026112701) and upload again."
                        ),
                        version=info.version or _("(none)"),
                        form_id=info.form_id,
                    ),
                    sheet="settings",
                    column="version",
                )
            ]
        )
    version = FormVersion.objects.create(
        form=form,
        version=info.version,
        title=info.title,
        xform=xform,
        md5=md5,
        source_filename=PurePosixPath(filename).name[:255],
        source=source,
        source_sha256=hashlib.sha256(source).hexdigest(),
        default_language=info.default_language,
        languages=info.languages,
        public_key=info.public_key,
        questions=[q.as_dict() for q in info.questions],
        choices=info.choices,
        media_expected=info.media,
        warnings=[w.as_dict() for w in warnings],
        created_by=user,
    )
    rule_set = PrivacyRuleSet.objects.create(
        version=version, number=1, reason="From the form's privacy column", created_by=user
    )
    created = PrivacyRule.objects.bulk_create(
        PrivacyRule(
            rule_set=rule_set,
            path=path,
            name=name,
            question_type=qtype,
            classification=rule.classification,
            generalisers=list(rule.generalisers),
            source=rule_source,
            position=position,
        )
        for position, (path, name, qtype, rule, rule_source) in enumerate(rules)
    )
    rules_flagged_audit(version=version, rules=created, user=user)
    if itemsets is not None:
        _store_media(version=version, filename="itemsets.csv", data=itemsets, user=user)
    if form.title != info.title:
        form.title = info.title
        form.save(update_fields=["title", "updated_at"])
    return UploadResult(version, created=True)


def media_upload(*, version: FormVersion, filename: str, data: bytes, user=None) -> MediaFile:
    """Attach a media file the form version refers to; a new upload of a name replaces it."""
    name = filename.strip()
    if not name or name != PurePosixPath(name.replace("\\", "/")).name or name.startswith("."):
        raise _reject(
            "media.bad_name",
            interpolate(_("“%(file)s” is not a plain file name."), file=filename),
        )
    if name not in version.media_expected:
        expected = ", ".join(version.media_expected) or _("no media files")
        raise _reject(
            "media.unexpected",
            interpolate(
                _(
                    "This form version does not use “%(file)s”. It uses: %(expected)s. Check "
                    "the file name matches the form exactly (names are case-sensitive)."
                ),
                file=name,
                expected=expected,
            ),
        )
    if media_content_type(name) is None:
        raise _reject(
            "media.bad_type",
            interpolate(
                _(
                    "“%(file)s” is not a kind of file forms use. Media files may be images (PNG, "
                    "JPEG, GIF, WebP), audio, video, CSV, GeoJSON or XML."
                ),
                file=name,
            ),
        )
    limit = settings.WAYPOINT_MEDIA_MAX_BYTES
    if len(data) > limit:
        raise _reject(
            "media.too_large",
            interpolate(_("Media files may be at most %(limit).0f MB."), limit=limit / 1e6),
        )
    if not data:
        raise _reject("media.empty", interpolate(_("“%(file)s” is empty."), file=name))
    with transaction.atomic():
        return _store_media(version=version, filename=name, data=data, user=user)


# What XLSForm media are: images, audio and video labels; CSV, GeoJSON and XML for
# select_one_from_file, pulldata and search(). Nothing a browser would run as a page or script
# (HTML, SVG, JavaScript): media are served from Waypoint's own origin (lib/downloads.py).
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    ".amr": "audio/amr",
    ".3gp": "video/3gpp",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
    ".csv": "text/csv",
    ".geojson": "application/geo+json",
    ".xml": "application/xml",
}


def media_content_type(filename: str) -> str | None:
    """The content type a media file is stored and served with, None for a refused kind."""
    return MEDIA_TYPES.get(PurePosixPath(filename).suffix.lower())


def _store_media(*, version: FormVersion, filename: str, data: bytes, user) -> MediaFile:
    md5 = hashlib.md5(data).hexdigest()  # noqa: S324 - the OpenRosa manifest hash is md5
    media = MediaFile.objects.filter(version=version, filename=filename).first()
    if media is not None and media.md5 == md5:
        return media
    old_file = media.file.name if media is not None else None
    media = media or MediaFile(version=version, filename=filename)
    media.content_type = media_content_type(filename) or "application/octet-stream"
    media.size = len(data)
    media.md5 = md5
    media.uploaded_by = user
    media.file.save(filename, ContentFile(data), save=False)
    media.save()
    if old_file:
        transaction.on_commit(lambda: media.file.storage.delete(old_file))
    return media


def form_set_state(*, form: Form, state: str) -> Form:
    if state not in FormState.values:
        raise Problem(
            "form.bad_state",
            interpolate(_("State must be one of %(states)s."), states=", ".join(FormState.values)),
        )
    if form.state != state:
        form.state = state
        form.save(update_fields=["state", "updated_at"])
    return form
