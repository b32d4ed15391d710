"""One upload path for every photo and scan.

The type is decided by the file's content, never by its name or the browser's claim. Images
are bounded by their declared pixel count before they are decoded, turned upright by their
EXIF orientation, then re-encoded, which drops EXIF (GPS position, camera serial) and anything
smuggled after the image data. PDFs are parsed object by object and refused when they carry
scripts, launch actions or embedded files. Files are stored under a random name outside the
static tree; an upload larger than any form accepts is cut off while the request is read.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from logistics.audit import record_event
from logistics.models import Attachment, School

# Pillow's own guard (an error at twice this) stays behind ours, which refuses at the limit.
Image.MAX_IMAGE_PIXELS = settings.ATTACHMENT_MAX_PIXELS

_PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CleanUpload:
    name: str
    content_type: str
    data: bytes


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _clean_image(data: bytes, content_type: str) -> bytes:
    limit = settings.ATTACHMENT_MAX_PIXELS
    too_large = _(
        "The image is too large: photos up to %(limit)s million pixels are accepted. "
        "Take the photo at a lower resolution."
    ) % {"limit": limit // 10**6}
    try:
        with Image.open(io.BytesIO(data)) as img:
            if _PIL_FORMATS.get(img.format or "") != content_type:
                raise ValidationError(_("The file content does not match its type."))
            # The header alone gives the size: a few KB can declare gigabytes of pixels.
            if img.width * img.height > limit:
                raise ValidationError(too_large)
            fmt = img.format
            img.load()
            # Phones store the picture sideways and say so in EXIF; apply that before EXIF
            # goes, or invoices come out lying on their side.
            img = ImageOps.exif_transpose(img)
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            out = io.BytesIO()
            # Saved without exif/info: the re-encoded file keeps pixels only.
            img.save(out, format=fmt, quality=90) if fmt != "PNG" else img.save(out, format=fmt)
            return out.getvalue()
    except Image.DecompressionBombError as exc:
        raise ValidationError(too_large) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The image is damaged or not a real image.")) from exc


# Where a PDF keeps what a viewer would run or unpack. Names are compared after pypdf has
# decoded them, so /#4A#53 is /JS, and objects inside object streams are read like any other.
_SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}  # an action's script, the names tree, XFA forms
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF"}  # the names tree, a file specification's streams
_REFUSED_ACTIONS = {"/JavaScript": "script", "/Launch": "launch", "/GoToE": "embedded"}
_PDF_MAX_OBJECTS = 200_000  # a 10 MB scan has a few thousand


def _pdf_finding(obj: DictionaryObject) -> str | None:
    keys = set(obj.keys())
    if keys & _SCRIPT_KEYS:
        return "script"
    if keys & _EMBEDDED_KEYS or obj.get("/Type") == "/EmbeddedFile":
        return "embedded"
    return _REFUSED_ACTIONS.get(str(obj.get("/S", "")))


def _pdf_findings(reader: PdfReader) -> set[str]:
    """Every object of the document, reachable or not, from the trailer and the xref
    (object streams included); dictionaries inside arrays and dictionaries included."""
    pending: list = [reader.trailer]
    pending += [
        IndirectObject(num, gen, reader) for gen, nums in reader.xref.items() for num in nums
    ]
    pending += [IndirectObject(num, 0, reader) for num in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    findings: set[str] = set()
    while pending:
        obj = pending.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > _PDF_MAX_OBJECTS:
                raise ValueError("too many objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if finding := _pdf_finding(obj):
                findings.add(finding)
            pending.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            pending.extend(obj)
    return findings


def _check_pdf(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")  # scans may carry an owner password; a user password fails
        len(reader.pages)
        findings = _pdf_findings(reader)
    except Exception as exc:  # pypdf raises many types (and plain ones) on malformed input
        raise ValidationError(_("The PDF is damaged or not a real PDF.")) from exc
    # The document's bytes are never searched for "/JS" and the like: in a scan's compressed
    # image data those bytes turn up by chance (about one 2 MB scan in eight).
    if "script" in findings or b"<html" in data[:1024].lower():
        raise ValidationError(_("PDFs with scripts or web content are not accepted."))
    if "launch" in findings:
        raise ValidationError(_("PDFs that start other programs are not accepted."))
    if "embedded" in findings:
        raise ValidationError(_("PDFs with embedded files are not accepted."))


def clean_upload(upload: UploadedFile) -> CleanUpload:
    """Validate one uploaded file; raise ValidationError with a message for the user."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    data = upload.read()
    if len(data) > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    content_type = _sniff(data[:16])
    if content_type is None:
        raise ValidationError(_("Only JPEG, PNG or WebP photos and PDF scans are accepted."))
    if content_type == "application/pdf":
        _check_pdf(data)
    else:
        data = _clean_image(data, content_type)
    # Keep only the last path component of the name, made safe; it is shown, never used
    # as a storage path.
    raw = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip(". ")
    try:
        name = get_valid_filename(raw)
    except SuspiciousFileOperation:
        name = "file"
    stem = name.rsplit(".", 1)[0][:80] or "file"
    return CleanUpload(
        name=stem + Attachment.KIND_EXTENSIONS[content_type], content_type=content_type, data=data
    )


class AttachmentField(forms.FileField):
    """A form field that runs clean_upload, so a rejected file is reported beside the field."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and isinstance(upload, UploadedFile):
            return clean_upload(upload)
        return upload


class BoundedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: stops passing a file's data on (so nothing more of it is
    kept in memory or on disk) once it passes ATTACHMENT_MAX_BYTES, the largest file any form
    accepts, and hands the form an empty stand-in that knows the real size, so the field says
    "larger than 10 MB" instead of the request failing. The reverse proxy bounds the body as
    a whole (docs/deployment.md)."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > settings.ATTACHMENT_MAX_BYTES:
            self.oversized = True
        return None if self.oversized else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.oversized:
            return None  # the next handler (memory or temporary file) has it all
        return UploadedFile(
            io.BytesIO(b""), name=self.file_name, content_type=self.content_type, size=file_size
        )


def attachment_create(
    *, school: School, actor, upload: CleanUpload, view_capability: str = "attachments.view"
) -> Attachment:
    with transaction.atomic():
        attachment = Attachment(
            school=school,
            original_name=upload.name,
            content_type=upload.content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            view_capability=view_capability,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, ContentFile(upload.data), save=False)
        attachment.full_clean(exclude=["file"])
        attachment.save()
        record_event(
            school=school,
            actor=actor,
            action="attachment.uploaded",
            obj=attachment,
            summary=upload.name,
            data={"sha256": attachment.sha256, "size": attachment.size},
        )
        # If the surrounding transaction rolls back, the stored file is left orphaned under a
        # random name that no row points to and no view can serve; harmless.
        return attachment
