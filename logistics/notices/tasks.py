"""PDF rendering of published notices, in the background (django-tasks, database backend).

A published snapshot never changes, so its PDF is made once and stored. Long notices are
only ever rendered here, never inside a request that could time out.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from django_tasks import task

from logistics.notices import pdf
from logistics.notices.models import Rendering


def render_stored_pdf(rendering_id: int, *, report_progress: bool = False) -> Rendering:
    """Render the notice's PDF and store it (a no-op when it is already there)."""
    with scopes_disabled():  # a task runs outside any request's school scope
        rendering = Rendering.objects.select_related("notice__school").get(pk=rendering_id)
        if rendering.status == Rendering.DONE:
            return rendering
        notice = rendering.notice
        school = notice.school

        def progress(percent: int) -> None:
            if report_progress:
                Rendering.objects.filter(pk=rendering_id).update(
                    status=Rendering.RUNNING, progress=percent, updated_at=timezone.now()
                )

        progress(10)
        # Printed in Chinese whatever the language of the visitor who asked first.
        with translation.override("zh-hans"):
            html = pdf.print_html(
                snapshot=notice.snapshot,
                school_name=school.name,
                complaint_phone=school.complaint_phone,
                verify_code=notice.verify_code,
                version=notice.version,
                published_on=timezone.localdate(notice.published_at),
            )
        progress(20)
        data, pages = pdf.html_to_pdf(html, progress if report_progress else None)
        rendering.file.save(
            f"{school.code}/{notice.verify_code}-v{notice.version}.pdf",
            ContentFile(data),
            save=False,
        )
        rendering.status, rendering.progress, rendering.pages = Rendering.DONE, 100, pages
        rendering.error = ""
        rendering.save()
        return rendering


@task()
def render_notice_pdf(rendering_id: int) -> None:
    try:
        render_stored_pdf(rendering_id, report_progress=True)
    except Exception as exc:
        with scopes_disabled():
            Rendering.objects.filter(pk=rendering_id).update(
                status=Rendering.FAILED, error=str(exc)[:2000]
            )
        raise
