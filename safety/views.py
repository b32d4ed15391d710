"""Thin views: parse the form, call one service, show the message, redirect."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from logistics.forms import add_service_errors
from logistics.notices.reports import report_download
from logistics.scoping import get_for_school, requires
from logistics.selectors import choice_labels, paginate
from safety import capabilities as caps
from safety import exports, notices, selectors, services
from safety.forms import (
    AnswerForm,
    ChecklistForm,
    ChecklistItemForm,
    DrillForm,
    DrillScheduleForm,
    DutyLogForm,
    EmergencyPlanForm,
    EquipmentForm,
    FinishForm,
    FollowUpForm,
    GateInForm,
    HazardForm,
    PlanForm,
    RectifyForm,
    RosterForm,
    ShiftForm,
    StartForm,
    SwapForm,
    VerifyForm,
)
from safety.models import (
    Area,
    Checklist,
    ChecklistItem,
    Drill,
    DutyRoster,
    DutyShift,
    EmergencyKind,
    Equipment,
    EquipmentKind,
    GateEntry,
    Hazard,
    HazardPhoto,
    HazardStatus,
    Inspection,
    InspectionItem,
    InspectionStatus,
    PlanKind,
    PlannedInspection,
    Result,
    Severity,
    ShiftKind,
)


def _flash_error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _day(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _fmt(request: HttpRequest) -> str | None:
    fmt = request.GET.get("fmt")
    return fmt if fmt in ("pdf", "xlsx") else None


# ---------------------------------------------------------------- inspections


@requires(caps.VIEW)
def inspection_list(request: HttpRequest, school_code: str) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("area", "status")}
    page = paginate(selectors.inspections(request.school, filters), request.GET.get("page"))
    return render(
        request,
        "safety/inspection_list.html",
        {
            "page": page,
            "filters": filters,
            "areas": Area.choices,
            "plans": selectors.open_plans(request.school),
            "checklists": selectors.active_checklists(request.school),
            "today": timezone.localdate(),
            "labels": choice_labels(area=Area, kind=PlanKind, status=InspectionStatus),
            # One reverse() for the rows' links instead of one per row.
            "detail_base": reverse("safety:inspection_detail", args=[school_code, 0])[:-2],
            "start_url": reverse("safety:inspection_start", args=[school_code]),
        },
    )


@requires(caps.INSPECT)
@require_POST
def inspection_start(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StartForm(request.POST, school=request.school)
    if not form.is_valid():
        raise Http404
    plan = None
    if form.cleaned_data["plan"]:
        plan = get_for_school(request, PlannedInspection, pk=form.cleaned_data["plan"])
    checklist = plan.checklist if plan else form.cleaned_data["checklist"]
    if checklist is None:
        raise Http404
    try:
        inspection = services.inspection_start(
            school=request.school, actor=request.user, checklist=checklist, plan=plan
        )
    except ValidationError as exc:
        _flash_error(request, exc)
        return redirect("safety:inspection_list", school_code)
    return redirect("safety:inspection_detail", school_code, inspection.pk)


@requires(caps.VIEW)
def inspection_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    inspection = get_for_school(
        request, Inspection.objects.select_related("inspector", "checklist"), pk=pk
    )
    items = selectors.inspection_items(inspection)
    in_progress = inspection.status == InspectionStatus.IN_PROGRESS and not inspection.is_voided
    can_answer = in_progress and caps.INSPECT in request.capabilities
    return render(
        request,
        "safety/inspection_detail.html",
        {
            "inspection": inspection,
            "items": items,
            "answered": sum(1 for i in items if i.result),
            "can_answer": can_answer,
            "finish_form": FinishForm(initial={"signed_name": request.user.get_full_name()})
            if can_answer
            else None,
        },
    )


@requires(caps.INSPECT)
def inspection_item(request: HttpRequest, school_code: str, pk: int, item: int) -> HttpResponse:
    inspection = get_for_school(request, Inspection, pk=pk)
    line = get_for_school(request, InspectionItem, pk=item, inspection=inspection)
    initial = {
        "result": line.result,
        "number": line.number,
        "answer": line.answer,
        "note": line.note,
        "severity": line.severity,
        "owner": line.owner_id,
    }
    if line.deadline:
        initial["deadline"] = line.deadline
    form = AnswerForm(
        request.POST or None,
        request.FILES or None,
        item=line,
        school=request.school,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inspection_item_answer(
                school=request.school,
                actor=request.user,
                item=line,
                result=data.get("result") or "",
                number=data.get("number"),
                answer=data.get("answer") or "",
                note=data["note"],
                photo=data.get("photo") or None,
                severity=data.get("severity") or "general",
                owner=data.get("owner"),
                deadline=data.get("deadline"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            following = (
                InspectionItem.objects.filter(
                    school=request.school, inspection=inspection, result=""
                )
                .order_by("position", "id")
                .values_list("pk", flat=True)
                .first()
            )
            if following:
                return redirect("safety:inspection_item", school_code, pk, following)
            return redirect("safety:inspection_detail", school_code, pk)
    return render(
        request,
        "safety/inspection_item.html",
        {"inspection": inspection, "item": line, "form": form, "fail": Result.FAIL},
    )


@requires(caps.INSPECT)
@require_POST
def inspection_finish(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    inspection = get_for_school(request, Inspection, pk=pk)
    form = FinishForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Sign with your name."))
        done = services.inspection_finish(
            school=request.school,
            actor=request.user,
            inspection=inspection,
            signed_name=form.cleaned_data["signed_name"],
        )
    except ValidationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(
            request,
            _("Inspection signed; %(n)s failed items became hazards.") % {"n": done.failed_count},
        )
    return redirect("safety:inspection_detail", school_code, pk)


@requires(caps.VIEW)
def inspection_report(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    inspection = get_for_school(
        request, Inspection.objects.select_related("inspector", "checklist"), pk=pk
    )
    fmt = _fmt(request)
    if fmt is None:
        raise Http404
    snapshot = exports.inspection_snapshot(inspection, selectors.inspection_items(inspection))
    return report_download(
        snapshot, school=request.school, fmt=fmt, filename=f"inspection-{inspection.pk}"
    )


# ---------------------------------------------------------------- checklists and plans


@requires(caps.VIEW)
def checklist_list(request: HttpRequest, school_code: str) -> HttpResponse:
    return render(
        request,
        "safety/checklist_list.html",
        {
            "checklists": list(selectors.checklists(request.school)),
            "form": ChecklistForm() if caps.MANAGE in request.capabilities else None,
        },
    )


@requires(caps.MANAGE)
@require_POST
def checklist_install(request: HttpRequest, school_code: str) -> HttpResponse:
    n = services.checklists_install_defaults(school=request.school, actor=request.user)
    messages.success(request, _("%(n)s default checklists installed.") % {"n": n})
    return redirect("safety:checklist_list", school_code)


@requires(caps.MANAGE)
def checklist_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_create(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("safety:checklist_detail", school_code, checklist.pk)
    return render(request, "safety/form.html", {"form": form, "title": _("New checklist")})


@requires(caps.VIEW)
def checklist_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    checklist = get_for_school(request, Checklist, pk=pk)
    form = None
    if caps.MANAGE in request.capabilities:
        form = ChecklistItemForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.checklist_item_save(
                    school=request.school,
                    actor=request.user,
                    checklist=checklist,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Item added."))
                return redirect("safety:checklist_detail", school_code, pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "safety/checklist_detail.html",
        {
            "checklist": checklist,
            "items": list(selectors.checklist_items(checklist)),
            "form": form,
        },
    )


@requires(caps.MANAGE)
def checklist_item_edit(request: HttpRequest, school_code: str, pk: int, item: int) -> HttpResponse:
    checklist = get_for_school(request, Checklist, pk=pk)
    line = get_for_school(request, ChecklistItem, pk=item, checklist=checklist)
    if request.method == "POST" and request.POST.get("delete"):
        services.checklist_item_delete(school=request.school, actor=request.user, item=line)
        messages.success(request, _("Item removed; past inspections keep it."))
        return redirect("safety:checklist_detail", school_code, pk)
    form = ChecklistItemForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_save(
                school=request.school,
                actor=request.user,
                checklist=checklist,
                item=line,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Item saved; past inspections keep their own copy."))
            return redirect("safety:checklist_detail", school_code, pk)
    return render(
        request,
        "safety/form.html",
        {"form": form, "title": checklist.name, "delete": True},
    )


@requires(caps.MANAGE)
def plan_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = PlanForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            plans = services.plan_create(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s inspections planned.") % {"n": len(plans)})
            return redirect("safety:inspection_list", school_code)
    return render(request, "safety/form.html", {"form": form, "title": _("Plan an inspection")})


# ---------------------------------------------------------------- hazards


@requires(caps.REPORT_HAZARD)
def hazard_list(request: HttpRequest, school_code: str) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("state", "area", "mine")}
    see_all = caps.VIEW in request.capabilities
    qs = selectors.hazards(request.school, request.user, filters, see_all=see_all)
    page = paginate(qs, request.GET.get("page"))
    return render(
        request,
        "safety/hazard_list.html",
        {
            "page": page,
            "filters": filters,
            "areas": Area.choices,
            "see_all": see_all,
            "today": timezone.localdate(),
            "labels": choice_labels(area=Area, severity=Severity, status=HazardStatus),
            # One reverse() for the rows' links instead of one per row.
            "detail_base": reverse("safety:hazard_detail", args=[school_code, 0])[:-2],
        },
    )


@requires(caps.REPORT_HAZARD)
def hazard_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = HazardForm(request.POST or None, request.FILES or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data.pop("photo", None)
        try:
            hazard = services.hazard_report(
                school=request.school,
                actor=request.user,
                photos=[photo] if photo else [],
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Hazard reported; the person responsible is told."))
            return redirect("safety:hazard_detail", school_code, hazard.pk)
    return render(request, "safety/form.html", {"form": form, "title": _("Report a hazard")})


def _hazard_for(request: HttpRequest, pk: int) -> Hazard:
    try:
        hazard = selectors.hazard_detail(request.school, pk)
    except Hazard.DoesNotExist as exc:
        raise Http404 from exc
    # Others' hazards are not confirmed to exist, as with another school's records.
    if caps.VIEW not in request.capabilities and request.user.pk not in (
        hazard.owner_id,
        hazard.reported_by_id,
    ):
        raise Http404
    return hazard


@requires(caps.REPORT_HAZARD)
def hazard_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk)
    photos = list(hazard.photos.all())
    may_fix = (
        hazard.status == HazardStatus.OPEN
        and hazard.owner_id == request.user.pk
        and not hazard.is_voided
    )
    may_verify = (
        hazard.status == HazardStatus.FIXED
        and caps.VERIFY in request.capabilities
        and hazard.fixed_by_id != request.user.pk
        and not hazard.is_voided
    )
    return render(
        request,
        "safety/hazard_detail.html",
        {
            "hazard": hazard,
            "found": [p for p in photos if p.stage == HazardPhoto.FOUND],
            "evidence": [p for p in photos if p.stage == HazardPhoto.EVIDENCE],
            "rectify_form": RectifyForm() if may_fix else None,
            "verify_form": VerifyForm() if may_verify else None,
            "fixer_waits": hazard.status == HazardStatus.FIXED
            and hazard.fixed_by_id == request.user.pk,
            "overdue": hazard.status != HazardStatus.CLOSED
            and hazard.deadline < timezone.localdate(),
        },
    )


@requires(caps.REPORT_HAZARD)
def hazard_rectify(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk)
    form = RectifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hazard_rectify(
                school=request.school,
                actor=request.user,
                hazard=hazard,
                rectification=form.cleaned_data["rectification"],
                evidence=[form.cleaned_data["evidence"]],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fix recorded; it waits for verification."))
            return redirect("safety:hazard_detail", school_code, pk)
    return render(request, "safety/form.html", {"form": form, "title": str(hazard)})


@requires(caps.VERIFY)
@require_POST
def hazard_verify(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to close it or send it back."))
        return redirect("safety:hazard_detail", school_code, pk)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.hazard_verify(
            school=request.school,
            actor=request.user,
            hazard=hazard,
            accept=accept,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(
            request, _("Hazard closed.") if accept else _("Sent back to the person responsible.")
        )
    return redirect("safety:hazard_detail", school_code, pk)


@requires(caps.VIEW)
def hazard_register(request: HttpRequest, school_code: str) -> HttpResponse:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    register = selectors.hazard_register(request.school, year)
    fmt = _fmt(request)
    if fmt:
        return report_download(
            exports.register_snapshot(register, year),
            school=request.school,
            fmt=fmt,
            filename=f"hazards-{year}",
        )
    return render(request, "safety/hazard_register.html", {"register": register, "year": year})


# ---------------------------------------------------------------- equipment


@requires(caps.VIEW)
def equipment_list(request: HttpRequest, school_code: str) -> HttpResponse:
    today = timezone.localdate()
    filters = {"kind": request.GET.get("kind", "")}
    page = paginate(
        selectors.equipment_rows(request.school, today.replace(day=1), filters),
        request.GET.get("page"),
    )
    return render(
        request,
        "safety/equipment_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": EquipmentKind.choices,
            "flags": selectors.equipment_flags(request.school),
            "today": today,
            "warn": today + datetime.timedelta(days=selectors.EXPIRY_WARNING_DAYS),
            "labels": choice_labels(kind=EquipmentKind),
            # One reverse() for the rows' links instead of one per row.
            "edit_base": reverse("safety:equipment_edit", args=[school_code, 0])[:-2],
        },
    )


@requires(caps.MANAGE)
def equipment_edit(request: HttpRequest, school_code: str, pk: int = 0) -> HttpResponse:
    equipment = get_for_school(request, Equipment, pk=pk) if pk else None
    form = EquipmentForm(request.POST or None, instance=equipment)
    if request.method == "POST" and form.is_valid():
        try:
            services.equipment_save(
                school=request.school,
                actor=request.user,
                equipment=equipment,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Equipment saved."))
            return redirect("safety:equipment_list", school_code)
    title = str(equipment) if equipment else _("New safety equipment")
    return render(request, "safety/form.html", {"form": form, "title": title})


@requires(caps.INSPECT)
def equipment_check(request: HttpRequest, school_code: str) -> HttpResponse:
    """This month's check on a phone: tick each item in order, or mark a fault with a note."""
    month = timezone.localdate().replace(day=1)
    filters = {"kind": request.GET.get("kind", "")}
    if request.method == "POST":
        checks = []
        # "The rest are in order": every listed item without a choice is recorded as checked.
        rest_ok = bool(request.POST.get("rest_ok"))
        for raw in request.POST.getlist("item"):
            try:
                pk = int(raw)
            except ValueError:
                continue
            state = request.POST.get(f"state-{pk}") or ("ok" if rest_ok else "")
            if state in ("ok", "fault"):
                note = request.POST.get(f"note-{pk}", "")
                checks.append(services.CheckInput(pk, state == "ok", note))
        try:
            n = services.equipment_checks_record(
                school=request.school, actor=request.user, month=month, checks=checks
            )
        except ValidationError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("%(n)s checks recorded.") % {"n": n})
            return redirect("safety:equipment_check", school_code)
    items = selectors.equipment_check_list(request.school, month, filters)
    return render(
        request,
        "safety/equipment_check.html",
        {
            "items": items,
            "month": month,
            "filters": filters,
            "kinds": EquipmentKind.choices,
            "labels": choice_labels(kind=EquipmentKind),
        },
    )


# ---------------------------------------------------------------- gate


@requires(caps.GATE)
def gate(request: HttpRequest, school_code: str) -> HttpResponse:
    """The guard's page: log a visitor in (found again by phone), who is inside, who left."""
    today = timezone.localdate()
    phone = request.GET.get("phone", "").strip()
    visitor = selectors.visitor_by_phone(request.school, phone) if phone else None
    initial = {"phone": phone}
    if visitor:
        initial.update(name=visitor.name, unit=visitor.unit)
    form = GateInForm(initial=initial)
    reveal = caps.SEE_ID_NUMBERS in request.capabilities
    return _gate_page(request, form, visitor, today, reveal)


def _gate_page(request, form, visitor, today, reveal) -> HttpResponse:
    inside = selectors.inside_rows(request.school, today)
    return render(
        request,
        "safety/gate.html",
        {
            "form": form,
            "visitor": visitor,
            "visitor_id": selectors.mask_id(visitor.id_number) if visitor else "",
            "inside": inside,
            "entries": selectors.gate_entries(request.school, today, reveal),
            "today": today,
            # One reverse() for the log-out buttons instead of one per visitor inside.
            "out_base": reverse("safety:gate_out", args=[request.school.code, 0])[: -len("0/out/")],
        },
    )


@requires(caps.GATE)
@require_POST
def gate_in(request: HttpRequest, school_code: str) -> HttpResponse:
    form = GateInForm(request.POST)
    if form.is_valid():
        try:
            entry = services.gate_log_in(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s logged in.") % {"name": entry.name})
            return redirect("safety:gate", school_code)
    today = timezone.localdate()
    reveal = caps.SEE_ID_NUMBERS in request.capabilities
    return _gate_page(request, form, None, today, reveal)


@requires(caps.GATE)
@require_POST
def gate_out(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    entry = get_for_school(request, GateEntry, pk=pk)
    services.gate_log_out(school=request.school, actor=request.user, entry=entry)
    messages.success(request, _("%(name)s logged out.") % {"name": entry.name})
    return redirect("safety:gate", school_code)


@requires(caps.GATE)
def gate_register(request: HttpRequest, school_code: str) -> HttpResponse:
    day = _day(request.GET.get("date"))
    reveal = caps.SEE_ID_NUMBERS in request.capabilities
    entries = selectors.gate_entries(request.school, day, reveal)
    fmt = _fmt(request)
    if fmt:
        return report_download(
            exports.gate_snapshot(entries, day),
            school=request.school,
            fmt=fmt,
            filename=f"gate-{day:%Y%m%d}",
        )
    return render(
        request,
        "safety/gate_register.html",
        {
            "entries": entries,
            "day": day,
            "inside": selectors.inside_rows(request.school, day),
        },
    )


# ---------------------------------------------------------------- duty rosters


@requires(caps.DUTY)
def roster_list(request: HttpRequest, school_code: str) -> HttpResponse:
    return render(
        request, "safety/roster_list.html", {"rosters": list(selectors.rosters(request.school))}
    )


@requires(caps.MANAGE)
def roster_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = RosterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster = services.roster_create(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("safety:roster_detail", school_code, roster.pk)
    return render(request, "safety/form.html", {"form": form, "title": _("New duty roster")})


@requires(caps.DUTY)
def roster_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    roster = get_for_school(request, DutyRoster, pk=pk)
    form = None
    if caps.MANAGE in request.capabilities:
        form = ShiftForm(
            request.POST or None, school=request.school, initial={"date": roster.starts_on}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.shift_set(
                    school=request.school, actor=request.user, roster=roster, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Shift saved."))
                return redirect("safety:roster_detail", school_code, pk)
    elif request.method == "POST":
        raise Http404
    fmt = _fmt(request)
    if fmt:
        period = f"{roster.starts_on:%Y-%m-%d} — {roster.ends_on:%Y-%m-%d}"
        return report_download(
            notices.duty_snapshot(selectors.roster_shifts(roster), roster.title, period),
            school=request.school,
            fmt=fmt,
            filename=f"roster-{roster.pk}",
        )
    return render(
        request,
        "safety/roster_detail.html",
        {
            "roster": roster,
            "shifts": selectors.roster_rows(roster),
            "form": form,
            "labels": choice_labels(kind=ShiftKind),
            # One reverse() for the shifts' links instead of one per shift.
            "shift_base": reverse("safety:shift_detail", args=[school_code, 0])[:-2],
        },
    )


def _shift_for(request: HttpRequest, pk: int) -> DutyShift:
    return get_for_school(
        request, DutyShift.objects.select_related("roster", "leader", "staff"), pk=pk
    )


@requires(caps.DUTY)
def shift_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    on_duty = request.user.pk in (shift.leader_id, shift.staff_id)
    return render(
        request,
        "safety/shift_detail.html",
        {
            "shift": shift,
            "swaps": selectors.shift_swaps(shift),
            "log_form": DutyLogForm(
                initial={"handover": shift.handover, "happenings": shift.happenings}
            )
            if on_duty
            else None,
            "swap_form": SwapForm(school=request.school) if on_duty else None,
        },
    )


@requires(caps.DUTY)
def shift_log(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    form = DutyLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_log_record(
                school=request.school, actor=request.user, shift=shift, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Duty log saved."))
            return redirect("safety:shift_detail", school_code, pk)
    return render(request, "safety/form.html", {"form": form, "title": str(shift)})


@requires(caps.DUTY)
def shift_swap(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    form = SwapForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.swap_request(
                school=request.school, actor=request.user, shift=shift, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Swap requested; it waits for approval."))
            return redirect("safety:shift_detail", school_code, pk)
    return render(request, "safety/form.html", {"form": form, "title": str(shift)})


# ---------------------------------------------------------------- emergency plans and drills


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


@requires(caps.VIEW)
def emergency_plan_list(request: HttpRequest, school_code: str) -> HttpResponse:
    return render(
        request,
        "safety/emergency_plan_list.html",
        {"plans": list(selectors.emergency_plans(request.school)), "today": timezone.localdate()},
    )


@requires(caps.MANAGE)
def emergency_plan_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = EmergencyPlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_plan_add_version(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan version saved."))
            return redirect("safety:emergency_plan_list", school_code)
    return render(
        request, "safety/form.html", {"form": form, "title": _("New emergency plan version")}
    )


@requires(caps.VIEW)
def drill_list(request: HttpRequest, school_code: str) -> HttpResponse:
    """The year's drill plan (what is due, done, overdue) and the drills held."""
    year = _year(request)
    form = None
    if caps.MANAGE in request.capabilities:
        form = DrillScheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.drill_schedule_set(
                school=request.school, actor=request.user, year=year, **form.cleaned_data
            )
            messages.success(request, _("Drill planned."))
            return redirect(reverse("safety:drill_list", args=[school_code]) + f"?year={year}")
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "safety/drill_list.html",
        {
            "year": year,
            "schedule": selectors.drill_plan(request.school, year),
            "drills": selectors.drills(request.school, year),
            "form": form,
            "labels": choice_labels(kind=EmergencyKind),
            # One reverse() for the drills' links instead of one per drill.
            "detail_base": reverse("safety:drill_detail", args=[school_code, 0])[:-2],
        },
    )


@requires(caps.INSPECT)
def drill_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = DrillForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            drill = services.drill_record(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("safety:drill_detail", school_code, drill.pk)
    return render(request, "safety/form.html", {"form": form, "title": _("Record a drill")})


@requires(caps.VIEW)
def drill_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    drill = get_for_school(request, Drill.objects.select_related("plan", "recorded_by"), pk=pk)
    form = None
    if caps.INSPECT in request.capabilities and not drill.is_voided:
        form = FollowUpForm(request.POST or None, school=request.school)
        if request.method == "POST" and form.is_valid():
            try:
                hazard = services.drill_follow_up(
                    school=request.school, actor=request.user, drill=drill, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Follow-up recorded as a hazard."))
                return redirect("safety:hazard_detail", school_code, hazard.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "safety/drill_detail.html",
        {
            "drill": drill,
            "hazards": list(drill.hazards.select_related("owner").order_by("id")),
            "form": form,
        },
    )
