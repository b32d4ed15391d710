from __future__ import annotations

import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from logistics.attachments import AttachmentField, attachment_create, clean_upload
from logistics.models import Attachment
from logistics.services import record_void
from tests.logistics.factories import png_bytes


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (8, 8), "blue")
    exif = Image.Exif()
    exif[0x010F] = "SchoolCam"  # Make
    exif[0x010E] = "23.07N 113.2E"  # ImageDescription standing in for a position
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(name: str, data: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_exif_is_stripped_from_photos():
    original = _jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()
    cleaned = clean_upload(_upload("photo.jpg", original, "image/jpeg"))
    assert cleaned.content_type == "image/jpeg"
    assert not Image.open(io.BytesIO(cleaned.data)).getexif()
    assert b"SchoolCam" not in cleaned.data


def test_type_comes_from_content_not_name():
    cleaned = clean_upload(_upload("invoice.pdf", png_bytes(), "application/pdf"))
    assert cleaned.content_type == "image/png" and cleaned.name == "invoice.png"


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "只接受"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, "只接受"),
        # A polyglot: JPEG magic bytes in front of an HTML page.
        ("x.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>", "图片已损坏"),
        # A "PDF" that is really a web page.
        ("x.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "PDF"),
    ],
)
def test_wrong_and_polyglot_files_are_refused(name, data, message):
    with pytest.raises(ValidationError) as exc:
        clean_upload(_upload(name, data))
    assert message in " ".join(exc.value.messages)


def test_pdf_with_javascript_is_refused():
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError, match="脚本"):
        clean_upload(_upload("x.pdf", out.getvalue()))


def test_a_real_pdf_is_accepted():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    assert clean_upload(_upload("扫描件.pdf", out.getvalue())).content_type == "application/pdf"


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_oversized_files_are_refused():
    with pytest.raises(ValidationError, match="文件大于"):
        clean_upload(_upload("big.png", png_bytes((200, 200)) + b"\x00" * 2048))


def test_path_in_the_name_is_dropped():
    cleaned = clean_upload(_upload("../../etc/passwd.png", png_bytes()))
    assert cleaned.name == "passwd.png"
    cleaned = clean_upload(_upload("..\\..\\发票 2022.png", png_bytes()))
    assert cleaned.name == "发票_2022.png"
    assert clean_upload(_upload(" . ", png_bytes())).name == "file.png"


class ReceiptForm(forms.Form):
    payee = forms.CharField()
    scan = AttachmentField()


def test_a_rejected_upload_keeps_the_rest_of_the_form_and_says_why():
    form = ReceiptForm(
        data={"payee": "石道五金店"}, files={"scan": _upload("a.txt", b"plain text")}
    )
    assert not form.is_valid()
    assert form.cleaned_data["payee"] == "石道五金店"
    assert "只接受" in form.errors["scan"][0]
    html = form.as_div()
    assert 'value="石道五金店"' in html and "只接受" in html


def test_stored_under_a_random_name_and_served_only_through_the_checked_view(world, login):
    with scopes_disabled():
        attachment = attachment_create(
            school=world.school,
            actor=world.user("director"),
            upload=clean_upload(_upload("../发票.png", png_bytes())),
        )
    assert "发票" not in attachment.file.name and ".." not in attachment.file.name
    assert attachment.file.name.startswith(f"attachments/{world.school.pk}/")
    response = login("director").get(reverse("attachment_download", args=["sdcz", attachment.uuid]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == attachment.file.open("rb").read()


def test_an_attachment_needing_a_stricter_capability_is_hidden(world, login):
    with scopes_disabled():
        attachment = attachment_create(
            school=world.school,
            actor=world.user("director"),
            upload=clean_upload(_upload("证明.png", png_bytes())),
            view_capability="audit.view",
        )
    url = reverse("attachment_download", args=["sdcz", attachment.uuid])
    assert login("teacher").get(url).status_code == 404
    assert login("director").get(url).status_code == 200


def test_attachments_are_voided_not_deleted(world):
    with scopes_disabled():
        attachment = attachment_create(
            school=world.school,
            actor=world.user("director"),
            upload=clean_upload(_upload("a.png", png_bytes())),
        )
        with pytest.raises(ValidationError):
            record_void(
                school=world.school, actor=world.user("director"), record=attachment, reason=" "
            )
        voided = record_void(
            school=world.school, actor=world.user("director"), record=attachment, reason="传错了"
        )
        assert voided.is_voided and voided.void_reason == "传错了"
        with pytest.raises(Exception, match="Cannot delete"), transaction.atomic():
            Attachment.objects.filter(pk=attachment.pk).delete()
        assert Attachment.objects.filter(pk=attachment.pk).exists()
