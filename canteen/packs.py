"""The inspection pack (迎检资料): every ledger of a date range in one PDF with a table of
contents and one workbook with a sheet per ledger, made by the background worker.

A month of a boarding school is thousands of rows, so it is never made inside a request; the
page shows the worker's progress and then the two downloads.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from django_tasks import task

from canteen.ledgers import LEDGERS
from canteen.models import InspectionPack
from logistics.notices.reports import pack_pdf, pack_xlsx

# A pack covers at most a semester and a bit: an inspection asks for the recent records.
MAX_DAYS = 200


def period_text(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}"


def build_pack(pack_id: int) -> InspectionPack:
    """Make the pack's two files and store them under the school (a no-op once done)."""
    with scopes_disabled():  # a task runs outside any request's school scope
        pack = InspectionPack.objects.select_related("school").get(pk=pack_id)
        if pack.status == InspectionPack.DONE:
            return pack
        school = pack.school

        def progress(percent: int) -> None:
            InspectionPack.objects.filter(pk=pack_id).update(
                status=InspectionPack.RUNNING, progress=percent
            )

        progress(5)
        # Printed in Chinese whatever the language of whoever asked for it.
        with translation.override("zh-hans"):
            parts = [ledger.snapshot(school, pack.start, pack.end) for ledger in LEDGERS.values()]
            progress(20)
            title = _("Canteen food-safety inspection pack")
            pdf = pack_pdf(
                parts,
                school=school,
                title=title,
                period=period_text(pack.start, pack.end),
                # The layout is most of the work: 20–90 %.
                progress=lambda p: progress(20 + p * 70 // 100),
            )
            workbook = pack_xlsx(parts, school=school)
        name = f"{school.code}/{pack.start:%Y%m%d}-{pack.end:%Y%m%d}-{pack.pk}"
        pack.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        pack.xlsx.save(f"{name}.xlsx", ContentFile(workbook), save=False)
        pack.status, pack.progress, pack.error = InspectionPack.DONE, 100, ""
        pack.finished_at = timezone.now()
        pack.save()
        return pack


@task()
def build_pack_task(pack_id: int) -> None:
    try:
        build_pack(pack_id)
    except Exception as exc:
        with scopes_disabled():
            InspectionPack.objects.filter(pk=pack_id).update(
                status=InspectionPack.FAILED, error=str(exc)[:500]
            )
        raise
