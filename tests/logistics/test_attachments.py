from __future__ import annotations

import io
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory, override_settings
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


def test_a_sideways_phone_photo_is_turned_upright_before_exif_goes():
    # Stored 40 wide and 20 high, red on the left; EXIF Orientation 6 says "turn it a quarter
    # clockwise to show", so upright it is 20 wide and 40 high, red on top.
    img = Image.new("RGB", (40, 20), "blue")
    img.paste("red", (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    cleaned = Image.open(io.BytesIO(clean_upload(_upload("发票.jpg", out.getvalue())).data))
    assert cleaned.size == (20, 40)
    red, _green, blue = cleaned.getpixel((10, 5))
    assert red > 200 and blue < 60
    assert not cleaned.getexif()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and carries almost no data: what a decompression bomb
    looks like before it is decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", [(30_000, 30_000), (6_000, 5_000)])
def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(size):
    # 30000 × 30000 trips Pillow's own guard at open; 6000 × 5000 (30 million, over our 25)
    # is refused by our check on the header, with the same message.
    data = _png_header_only(*size)
    assert len(data) < 2000
    with pytest.raises(ValidationError) as exc:
        clean_upload(_upload("bomb.png", data))
    assert "像素过多" in exc.value.messages[0] and "25 百万像素" in exc.value.messages[0]


@override_settings(ATTACHMENT_MAX_PIXELS=100 * 100)
def test_the_pixel_limit_is_a_setting():
    with pytest.raises(ValidationError, match="像素过多"):
        clean_upload(_upload("photo.png", png_bytes((101, 100))))
    assert clean_upload(_upload("photo.png", png_bytes((100, 100)))).content_type == "image/png"


@override_settings(ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_an_oversized_file_is_cut_off_while_the_request_is_read_and_reported_by_its_field():
    request = RequestFactory().post(
        "/", {"payee": "石道五金店", "scan": _upload("big.png", b"\x89PNG" + b"\x00" * 1_200_000)}
    )
    scan = request.FILES["scan"]
    assert scan.size == 1_200_004  # the real size, for the message
    assert scan.read() == b""  # but none of the data was kept
    form = ReceiptForm(data=request.POST, files=request.FILES)
    assert not form.is_valid()
    assert form.errors["scan"] == ["文件大于 1 MB。"]
    small = RequestFactory().post("/", {"scan": _upload("ok.png", png_bytes())})
    assert small.FILES["scan"].read() == png_bytes()
