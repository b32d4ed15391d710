"""Notices as printed A4 PDFs (WeasyPrint), with a QR code and verification code on every page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from logistics.notices import tables

# One family on body and @page: otherwise the page footer embeds a second CJK font.
FONT_FAMILY = "WenQuanYi Micro Hei"
LANDSCAPE_FROM_COLUMNS = 7
STATIC_ROOT_DIRS = [Path(d).resolve() for d in settings.STATICFILES_DIRS]


class StaticOnlyFetcher(URLFetcher):
    """Reads data: URIs and our own static files; anything else (the network, /etc) is refused."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            # Decoded the way the file opener will decode it (so "..%2f" is a "../"), then
            # resolved; what is opened is the checked path itself, never the URL as given.
            path = Path(url2pathname(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in STATIC_ROOT_DIRS):
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"notice PDFs may not fetch {url}")


def verify_url(verify_code: str) -> str:
    return settings.SITE_URL + reverse("notices:verify", args=[verify_code])


def qr_data_uri(url: str) -> str:
    # PNG rather than SVG so the code survives as an image a scanner (and our test) can read.
    return segno.make(url, error="m").png_data_uri(scale=4, border=2)


def print_html(
    *,
    snapshot: dict,
    school_name: str,
    complaint_phone: str = "",
    verify_code: str = "",
    version: int = 1,
    published_on=None,
    draft: bool = False,
) -> str:
    """The print HTML of a snapshot. With a verification code it is a public notice (QR code,
    publication period, complaint phone, masked personal data); without, a staff report."""
    is_notice = bool(verify_code)
    table = tables.table(snapshot, public=is_notice)
    url = verify_url(verify_code) if is_notice else ""
    return render_to_string(
        "notices/print.html",
        {
            "table": table,
            "school_name": school_name,
            "complaint_phone": complaint_phone,
            "verify_code": verify_code,
            "verify_url": url,
            "qr": qr_data_uri(url) if is_notice else "",
            "version": version,
            "published_on": published_on,
            "printed_on": timezone.localdate(),
            "landscape": len(table.headers) >= LANDSCAPE_FROM_COLUMNS,
            "font_family": FONT_FAMILY,
            "draft": draft,
        },
    )


def pack_html(*, parts: list[dict], school_name: str, title: str, period: str) -> str:
    """Several staff reports in one print: a cover, a table of contents with page numbers,
    then each report from a new page (landscape where it is wide)."""
    return render_to_string(
        "notices/print_pack.html",
        {
            "tables": [tables.table(part, public=False) for part in parts],
            "school_name": school_name,
            "title": title,
            "period": period,
            "printed_on": timezone.localdate(),
            "landscape": False,
            "landscape_from": LANDSCAPE_FROM_COLUMNS,
            "font_family": FONT_FAMILY,
        },
    )


def html_to_pdf(html: str, progress: Callable[[int], None] | None = None) -> tuple[bytes, int]:
    """Lay out and write the PDF; returns (bytes, page count). Progress: layout 70%, write 100%."""
    static = STATIC_ROOT_DIRS[0].as_uri() + "/"
    document = HTML(string=html, base_url=static, url_fetcher=StaticOnlyFetcher()).render()
    if progress:
        progress(70)
    data = document.write_pdf()
    if progress:
        progress(100)
    return data, len(document.pages)


def inline_row_limit() -> int:
    """Up to this many rows a PDF may be rendered inside a request (about two pages)."""
    return settings.NOTICE_INLINE_PDF_ROWS
