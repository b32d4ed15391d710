"""One upload path for every photo and scan.

The type is decided by the file's content, never by its name or the browser's claim. Images
are decoded and re-encoded, which drops EXIF (GPS position, camera serial) and anything
smuggled after the image data; PDFs must parse and carry no scripts. Files are stored under
a random name outside the static tree.
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
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from logistics.audit import record_event
from logistics.models import Attachment, School

Image.MAX_IMAGE_PIXELS = 50_000_000  # refuse decompression bombs

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
    try:
        with Image.open(io.BytesIO(data)) as img:
            if _PIL_FORMATS.get(img.format or "") != content_type:
                raise ValidationError(_("The file content does not match its type."))
            img.load()
            fmt = img.format
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            out = io.BytesIO()
            # Saved without exif/info: the re-encoded file keeps pixels only.
            img.save(out, format=fmt, quality=90) if fmt != "PNG" else img.save(out, format=fmt)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The image is damaged or not a real image.")) from exc


def _check_pdf(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(_("The PDF is damaged or not a real PDF.")) from exc
    if b"/JavaScript" in data or b"/JS" in data or b"<html" in data.lower():
        raise ValidationError(_("PDFs with scripts or web content are not accepted."))


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
