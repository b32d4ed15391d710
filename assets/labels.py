"""A4 sheets of QR labels in common label-paper layouts. Each code holds the item's page URL:
a phone's camera opens it (login required; another school's item answers 404)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from assets.models import Asset
from logistics.models import School
from logistics.notices.pdf import FONT_FAMILY, html_to_pdf

MAX_LABELS = 1000  # one sheet request; more is done by filtering


@dataclass(frozen=True)
class Layout:
    code: str
    label: str
    columns: int
    rows: int
    width_mm: float
    height_mm: float
    qr_mm: float


LAYOUTS = {
    layout.code: layout
    for layout in [
        Layout("3x8", "A4 3×8（70×37 mm）", 3, 8, 70, 37, 28),
        Layout("4x10", "A4 4×10（48.5×25.4 mm）", 4, 10, 48.5, 25.4, 20),
        Layout("2x7", "A4 2×7（99.1×38.1 mm）", 2, 7, 99.1, 38.1, 30),
    ]
}


def label_url(asset: Asset) -> str:
    return settings.SITE_URL + reverse("assets:asset_detail", args=[asset.school.code, asset.pk])


def qr_png_uri(url: str) -> str:
    """A one-module-per-pixel PNG (a few hundred bytes), printed scaled up without smoothing:
    small images keep a 500-label sheet fast to lay out. The mask is fixed: choosing the best
    of eight took nine tenths of the encoding time, and any mask scans."""
    return segno.make(url, error="m", mask=4).png_data_uri(scale=1, border=1)


def label_sheet(school: School, assets: Sequence[Asset], layout: Layout) -> bytes:
    labels = [{"asset": a, "qr": qr_png_uri(label_url(a))} for a in assets]
    rows = [labels[i : i + layout.columns] for i in range(0, len(labels), layout.columns)]
    pages = [rows[i : i + layout.rows] for i in range(0, len(rows), layout.rows)]
    html = render_to_string(
        "assets/print/labels.html",
        {
            "school": school,
            "pages": pages,
            "layout": layout,
            "font_family": FONT_FAMILY,
            "margin_top": round((297 - layout.rows * layout.height_mm) / 2, 1),
            "sheet_width": round(layout.columns * layout.width_mm, 1),
        },
    )
    return html_to_pdf(html)[0]
