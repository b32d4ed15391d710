"""Staff reports (monthly statements, registers) printed and exported by the same renderers
as notices: an app builds a Snapshot from its selector and hands it here."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from django.http import HttpResponse
from django.utils import translation

from logistics.models import School
from logistics.notices import pdf, xlsx
from logistics.notices.kinds import Snapshot

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_download(
    snapshot: Snapshot | Callable[[], Snapshot], *, school: School, fmt: str, filename: str
) -> HttpResponse:
    """The report as an A4 PDF or an Excel workbook (no verification code, nothing masked).

    Pass a function that builds the snapshot, so its titles and labels are made in Chinese
    whatever the language of the person downloading it."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown report format {fmt!r}")
    # Printed papers are Chinese whatever the language of the person who downloads them.
    with translation.override("zh-hans"):
        data = (snapshot() if callable(snapshot) else snapshot).to_json()
        if fmt == "pdf":
            body, _pages = pdf.html_to_pdf(pdf.print_html(snapshot=data, school_name=school.name))
        else:
            stream = io.BytesIO()
            xlsx.write_xlsx(data, stream, school_name=school.name)
            body = stream.getvalue()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def pack_pdf(
    parts: Sequence[Snapshot],
    *,
    school: School,
    title: str,
    period: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Several reports (an inspection's ledgers) as one PDF with a table of contents."""
    with translation.override("zh-hans"):
        html = pdf.pack_html(
            parts=[part.to_json() for part in parts],
            school_name=school.name,
            title=str(title),
            period=str(period),
        )
        body, _pages = pdf.html_to_pdf(html, progress)
    return body


def pack_xlsx(parts: Sequence[Snapshot], *, school: School) -> bytes:
    """Several reports as one workbook, a sheet each."""
    stream = io.BytesIO()
    with translation.override("zh-hans"):
        xlsx.write_workbook([part.to_json() for part in parts], stream, school_name=school.name)
    return stream.getvalue()
