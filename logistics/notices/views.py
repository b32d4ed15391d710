from __future__ import annotations

import datetime
import hashlib
import io

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scope, scopes_disabled

from logistics.context_processors import layout_urls
from logistics.models import School
from logistics.notices import forms, importing, pdf, selectors, services, tables, tasks
from logistics.notices.kinds import FREE_TABLE, all_kinds, get_kind
from logistics.notices.models import Notice, Rendering
from logistics.notices.xlsx import write_xlsx
from logistics.scoping import get_for_school, requires

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ------------------------------------------------------------------ staff pages


@require_GET
@requires("notices.view")
def notice_list(request: HttpRequest, school_code: str) -> HttpResponse:
    status = request.GET.get("status", "")
    page = selectors.staff_notice_page(request.school, status, request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {
            "page": page,
            "status": status,
            "can_prepare": "notices.prepare" in request.capabilities,
        },
    )


def _board_labels(notices: list[Notice]) -> None:
    labels = {k.code: k.label for k in all_kinds()}
    for n in notices:
        n.kind_label = labels.get(n.kind, n.kind)


def _kinds_for(request: HttpRequest):
    return [k for k in all_kinds() if k.build is not None and k.capability in request.capabilities]


@requires("notices.prepare")
def notice_create(request: HttpRequest, school_code: str) -> HttpResponse:
    kinds = _kinds_for(request)
    form = forms.NoticeCreateForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                school=request.school,
                actor=request.user,
                kind_code=form.cleaned_data["kind"],
                start=form.cleaned_data["period_start"],
                end=form.cleaned_data["period_end"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft made; check it and submit it for approval."))
            return redirect("notices:detail", school_code, notice.pk)
    return render(request, "notices/create.html", {"form": form, "kinds": kinds})


@requires("notices.prepare")
def notice_create_table(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.TableNoticeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        notice = services.notice_create_table(
            school=request.school, actor=request.user, snapshot=form.cleaned_data["snapshot"]
        )
        messages.success(request, _("Draft made; check it and submit it for approval."))
        return redirect("notices:detail", school_code, notice.pk)
    return render(request, "notices/create_table.html", {"form": form})


@requires("notices.prepare")
def notice_replace_table(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    notice = _prepared(request, pk, kind=FREE_TABLE.code)
    snap = notice.snapshot
    form = forms.TableNoticeForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "title": snap["title"],
            "period": snap["period"],
            "notes": snap.get("notes", ""),
            "publication_days": snap.get("publication_days", 7),
            "pasted": importing.as_pasted(snap),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_replace_table(
                school=request.school,
                actor=request.user,
                notice_id=notice.pk,
                snapshot=form.cleaned_data["snapshot"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("notices:detail", school_code, notice.pk)
    return render(request, "notices/create_table.html", {"form": form, "notice": notice})


def _prepared(request: HttpRequest, pk: int, **lookup) -> Notice:
    """A notice the user may prepare: its kind's own capability, not only notices.prepare."""
    notice = get_for_school(request, Notice, pk=pk, **lookup)
    if get_kind(notice.kind).capability not in request.capabilities:
        raise PermissionDenied
    return notice


def _is_publisher(request: HttpRequest, notice: Notice) -> bool:
    return services.publish_capability(request.school, get_kind(notice.kind)) in (
        request.capabilities
    )


@require_GET
@requires("notices.view")
def notice_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    notice = get_for_school(request, Notice.objects.select_related("approval", "created_by"), pk=pk)
    kind = get_kind(notice.kind)
    # Those who prepare this kind see personal data in full; everyone else as the public does.
    full = kind.capability in request.capabilities
    editable = services.is_editable(notice)
    publisher = _is_publisher(request, notice)
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "kind": kind,
            "table": tables.table(notice.snapshot, public=not full),
            "full": full,
            "editable": editable and full and "notices.prepare" in request.capabilities,
            "can_print_draft": notice.published_at is None and (full or publisher),
            "draft_form": forms.DraftForm(
                initial={
                    "notes": notice.snapshot.get("notes", ""),
                    "publication_days": notice.snapshot.get("publication_days", 7),
                }
            ),
            "withdraw_form": forms.WithdrawForm(),
            "can_withdraw": notice.status == Notice.PUBLISHED and publisher,
            "can_correct": notice.status == Notice.PUBLISHED
            and full
            and "notices.prepare" in request.capabilities,
        },
    )


def _act(request: HttpRequest, pk: int, action, success: str, **kwargs) -> HttpResponse:
    try:
        result = action(school=request.school, actor=request.user, notice_id=pk, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("notices:detail", request.school.code, pk)
    messages.success(request, success)
    return redirect("notices:detail", request.school.code, result.pk)


@require_POST
@requires("notices.prepare")
def notice_edit(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    notice = _prepared(request, pk)
    form = forms.DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("notices:detail", school_code, notice.pk)
    return _act(
        request, notice.pk, services.notice_update_draft, _("Draft saved."), **form.cleaned_data
    )


@require_POST
@requires("notices.prepare")
def notice_submit(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    notice = _prepared(request, pk)
    return _act(request, notice.pk, services.notice_submit, _("Submitted for approval."))


@require_POST
@requires("notices.prepare")
def notice_correct(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    notice = _prepared(request, pk)
    return _act(
        request,
        notice.pk,
        services.notice_correct,
        _("A corrected version was drafted; the published one stays until it is replaced."),
    )


@require_POST
@requires("notices.view")  # the kind's publisher, checked below
def notice_withdraw(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    notice = get_for_school(request, Notice, pk=pk)
    if not _is_publisher(request, notice):
        raise PermissionDenied
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for withdrawing the notice."))
        return redirect("notices:detail", school_code, notice.pk)
    return _act(
        request,
        notice.pk,
        services.notice_withdraw,
        _("The notice was withdrawn."),
        reason=form.cleaned_data["reason"],
    )


@require_GET
@requires("notices.view")
def notice_print_draft(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    """A draft printed for checking before approval: watermarked 草稿, no verification code."""
    notice = get_for_school(request, Notice, pk=pk, published_at__isnull=True)
    if get_kind(notice.kind).capability not in request.capabilities and not _is_publisher(
        request, notice
    ):
        raise PermissionDenied
    with translation.override("zh-hans"):
        html = pdf.print_html(snapshot=notice.snapshot, school_name=request.school.name, draft=True)
    body, _pages = pdf.html_to_pdf(html)
    return HttpResponse(
        body,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="draft-{notice.pk}.pdf"'},
    )


# ------------------------------------------------------------------ public pages (no login)


def _public_school(code: str) -> School:
    return get_object_or_404(School, code=code, is_active=True)


# The board's cache key changes with every publication, so this only bounds stale memory.
BOARD_CACHE_SECONDS = 24 * 3600


@require_GET
def public_board(request: HttpRequest, code: str) -> HttpResponse:
    """Parents scan its QR code at the gate, all at once: the page is kept in the cache until
    a notice is published or withdrawn, the day changes, or the school's details change."""
    school = _public_school(code)
    month = None
    if request.GET.get("month"):
        try:
            month = datetime.date.fromisoformat(request.GET["month"] + "-01")
        except ValueError:
            raise Http404 from None
    details = hashlib.sha256(f"{school.name}\n{school.complaint_phone}".encode()).hexdigest()[:12]
    key = (
        f"board:{school.pk}:{school.board_changed_at and school.board_changed_at.timestamp()}:"
        f"{details}:{month}:{timezone.localdate()}:{get_language()}"
    )
    page = cache.get(key)
    if page is None:
        with scope(school=school.pk):
            notices = list(selectors.on_board(school, month)[:200])
            months = selectors.board_months(school)
        _board_labels(notices)
        # Rendered without the request: nothing of the visitor (login, CSRF token) may be kept.
        page = render_to_string(
            "notices/public_board.html",
            {
                "public_school": school,
                "notices": notices,
                "month": month,
                "months": months,
                "layout": layout_urls(None),
            },
        )
        cache.set(key, page, BOARD_CACHE_SECONDS)
    return HttpResponse(page)


def _published(code: str, verify_code: str) -> Notice:
    with scopes_disabled():  # the verification code names one notice across all schools
        notice = selectors.published_by_code(verify_code.upper())
    if notice is None or (code and notice.school.code != code):
        raise Http404
    return notice


def _readable(code: str, verify_code: str) -> Notice:
    """A notice whose content the public may still read: not withdrawn, and not a notice with
    personal data past its publication period (the verify page still tells its status)."""
    notice = _published(code, verify_code)
    if not selectors.is_publicly_readable(notice):
        raise Http404
    return notice


def _status_context(notice: Notice) -> dict:
    current = None
    if notice.status == Notice.SUPERSEDED:
        with scope(school=notice.school_id):
            current = selectors.current_version(notice)
    readable = selectors.is_publicly_readable(notice)
    return {
        "notice": notice,
        "public_school": notice.school,
        "table": tables.table(notice.snapshot, public=True) if readable else None,
        "current": current,
    }


@require_GET
def public_notice(request: HttpRequest, code: str, verify_code: str) -> HttpResponse:
    notice = _published(code, verify_code)
    return render(request, "notices/public_notice.html", _status_context(notice))


@require_GET
def verify(request: HttpRequest, verify_code: str) -> HttpResponse:
    notice = _published("", verify_code)
    return render(
        request, "notices/public_notice.html", {**_status_context(notice), "verifying": True}
    )


@require_GET
def public_pdf(request: HttpRequest, code: str, verify_code: str) -> HttpResponse:
    """The stored PDF; a short notice is rendered on the spot the first time, a long one only
    by the background task (this page then shows its progress)."""
    notice = _readable(code, verify_code)
    with scope(school=notice.school_id):
        rendering, _created = Rendering.objects.get_or_create(school=notice.school, notice=notice)
        if rendering.status != Rendering.DONE:
            if len(notice.snapshot["rows"]) > pdf.inline_row_limit():
                if rendering.status == Rendering.FAILED or _created:
                    Rendering.objects.filter(pk=rendering.pk).update(status=Rendering.PENDING)
                    tasks.render_notice_pdf.enqueue(rendering.pk)
                return render(
                    request,
                    "notices/pdf_progress.html",
                    {"notice": notice, "rendering": rendering, "public_school": notice.school},
                    status=202,
                )
            rendering = tasks.render_stored_pdf(rendering.pk)
    filename = f"{notice.verify_code}-v{notice.version}.pdf"
    return FileResponse(
        rendering.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=filename,
    )


@require_GET
def public_pdf_status(request: HttpRequest, code: str, verify_code: str) -> HttpResponse:
    notice = _readable(code, verify_code)
    with scope(school=notice.school_id):
        rendering = get_object_or_404(Rendering, notice=notice)
    return render(
        request,
        "notices/_pdf_status.html",
        {"notice": notice, "rendering": rendering, "public_school": notice.school},
    )


@require_GET
def public_xlsx(request: HttpRequest, code: str, verify_code: str) -> HttpResponse:
    notice = _readable(code, verify_code)
    stream = io.BytesIO()
    with translation.override("zh-hans"):
        write_xlsx(
            notice.snapshot,
            stream,
            school_name=notice.school.name,
            verify_code=notice.verify_code,
            verify_url=pdf.verify_url(notice.verify_code),
        )
    stream.seek(0)
    return FileResponse(
        stream,
        content_type=XLSX,
        as_attachment=True,
        filename=f"{notice.verify_code}-v{notice.version}.xlsx",
    )
