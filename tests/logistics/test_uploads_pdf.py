"""PDF scans: refused for what a viewer would run or unpack, however it is encoded; accepted
otherwise, whatever bytes their compressed images happen to contain."""

from __future__ import annotations

import io
import random
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from logistics.attachments import clean_upload


def _name(value: str) -> NameObject:
    return NameObject(value)


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _clean(data: bytes):
    return clean_upload(SimpleUploadedFile("scan.pdf", data))


def _action(kind: str) -> DictionaryObject:
    if kind == "javascript":
        return DictionaryObject(
            {_name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject("app.alert(1)")}
        )
    return DictionaryObject(
        {
            _name("/S"): _name("/Launch"),
            _name("/F"): TextStringObject("cmd.exe"),
            _name("/Win"): DictionaryObject({_name("/F"): TextStringObject("cmd.exe")}),
        }
    )


def _open_action(kind: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer._root_object[_name("/OpenAction")] = _action(kind)
    return _written(writer)


def _page_additional_action(kind: str) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    page[_name("/AA")] = DictionaryObject({_name("/O"): _action(kind)})
    return _written(writer)


def _link_annotation(kind: str) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    link = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Link"),
            _name("/Rect"): ArrayObject([NumberObject(0), NumberObject(0)] * 2),
            _name("/A"): _action(kind),
        }
    )
    page[_name("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def _names_tree_script() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    scripts = DictionaryObject(
        {
            _name("/Names"): ArrayObject(
                [TextStringObject("x"), writer._add_object(_action("javascript"))]
            )
        }
    )
    writer._root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): scripts})
    return _written(writer)


def _embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    return _written(writer)


def _object_stream_with_escaped_names() -> bytes:
    """Catalog, pages and page inside a Flate-compressed object stream, found through a
    cross-reference stream; the OpenAction's names are #-escaped and its script hex-encoded,
    so neither "/JS" nor "JavaScript" appears in the file's bytes."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction"
        b" << /S /#4A#61vaScript /#4A#53 <6170702e616c657274283129> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
    ]
    body = b""
    offsets = []
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(b"%d %d" % (num, off) for num, off in zip((1, 2, 3), offsets)) + b"\n"
    packed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += (
        b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
    )
    out += packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    rows += [b"\x02" + (4).to_bytes(4, "big") + i.to_bytes(2, "big") for i in range(3)]
    rows += [b"\x01" + at.to_bytes(4, "big") + b"\x00\x00" for at in (stream_at, xref_at)]
    table = b"".join(rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(
        table
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _open_action("javascript"), "脚本"),
        (lambda: _page_additional_action("javascript"), "脚本"),
        (lambda: _link_annotation("javascript"), "脚本"),
        (_names_tree_script, "脚本"),
        (_object_stream_with_escaped_names, "脚本"),
        (lambda: _open_action("launch"), "启动其他程序"),
        (lambda: _link_annotation("launch"), "启动其他程序"),
        (_embedded_file, "嵌入文件"),
    ],
    ids=[
        "javascript-open-action",
        "javascript-page-additional-action",
        "javascript-link-annotation",
        "javascript-names-tree",
        "javascript-in-object-stream-with-escaped-names",
        "launch-open-action",
        "launch-link-annotation",
        "embedded-file",
    ],
)
def test_a_pdf_that_would_run_or_unpack_something_is_refused(make, message):
    with pytest.raises(ValidationError) as exc:
        _clean(make())
    assert message in " ".join(exc.value.messages)


def test_the_object_stream_sample_hides_its_script_from_a_byte_search():
    data = _object_stream_with_escaped_names()
    assert b"/JS" not in data and b"JavaScript" not in data
    assert b"app.alert" not in data


def test_a_scan_whose_compressed_image_bytes_contain_js_is_accepted():
    # Random pixels do not compress, so deflate stores them as they are: the "/JS" and
    # "/JavaScript" put among them are in the file's bytes, as they turn up by chance in scans.
    rng = random.Random(8)
    pixels = bytearray(rng.randbytes(64 * 64))
    pixels[100:103] = b"/JS"
    pixels[2000:2011] = b"/JavaScript"
    raw = DecodedStreamObject()
    raw.set_data(bytes(pixels))
    image = raw.flate_encode(level=9)
    image.update(
        {
            _name("/Type"): _name("/XObject"),
            _name("/Subtype"): _name("/Image"),
            _name("/Width"): NumberObject(64),
            _name("/Height"): NumberObject(64),
            _name("/ColorSpace"): _name("/DeviceGray"),
            _name("/BitsPerComponent"): NumberObject(8),
        }
    )
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    page[_name("/Resources")] = DictionaryObject(
        {_name("/XObject"): DictionaryObject({_name("/Im0"): writer._add_object(image)})}
    )
    content = DecodedStreamObject()
    content.set_data(b"q 100 0 0 100 0 0 cm /Im0 Do Q")
    page[_name("/Contents")] = writer._add_object(content)
    page[_name("/UserUnit")] = FloatObject(1)
    data = _written(writer)
    assert b"/JS" in data and b"/JavaScript" in data
    assert _clean(data).content_type == "application/pdf"
