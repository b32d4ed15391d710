"""Thin views: parse the form, call one service, show the message, redirect."""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canteen import capabilities as caps
from canteen import forms, selectors, services, statements
from canteen.ledgers import LEDGERS
from canteen.legal import LEGAL_BASIS
from canteen.models import (
    CanteenDay,
    Complaint,
    CorrectiveAction,
    FollowUp,
    FoodCategory,
    Incident,
    InspectionPack,
    Meal,
    SelfInspection,
    StaffMember,
    Supplier,
    Survey,
)
from logistics.context_processors import school_url
from logistics.forms import add_service_errors, perform
from logistics.notices.reports import report_download
from logistics.scoping import get_for_school, requires
from logistics.selectors import label_map, paginate, with_labels

MONDAY = datetime.date(2024, 1, 1)


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc


def _meal(value: str) -> str:
    if value not in Meal.values:
        raise Http404
    return value


def _today_url(request: HttpRequest, date: datetime.date) -> str:
    url = reverse("canteen:today", args=[request.school.code])
    return url if date == timezone.localdate() else f"{url}?date={date.isoformat()}"


def _my_staff(request: HttpRequest) -> StaffMember | None:
    return StaffMember.objects.filter(
        school=request.school, user=request.user, is_active=True
    ).first()


def _form_page(request, form, title: str, basis: str = "", **extra) -> HttpResponse:
    return render(
        request,
        "canteen/form.html",
        {"form": form, "title": title, "basis": basis, **extra},
    )


# ---------------------------------------------------------------- the day


@requires(caps.VIEW)
def today(request: HttpRequest, school_code: str) -> HttpResponse:
    date = _day(request.GET["date"]) if request.GET.get("date") else timezone.localdate()
    board = selectors.day_board(request.school, date)
    day_base = reverse("canteen:day_review", args=[school_code, date.isoformat()])
    return render(
        request,
        "canteen/today.html",
        {
            "board": board,
            "date": date,
            "d": date.isoformat(),
            "is_today": date == timezone.localdate(),
            "previous": date - datetime.timedelta(days=1),
            "next": date + datetime.timedelta(days=1),
            # The page's links are these two and what follows them (no reverse() per entry).
            "base": reverse("canteen:today", args=[school_code]),
            "day_base": day_base,
        },
    )


@requires(caps.RECORD)
def sample_meal(request: HttpRequest, school_code: str, day: str, meal: str) -> HttpResponse:
    date, meal = _day(day), _meal(meal)
    board = selectors.day_board(request.school, date)
    meal_board = next(m for m in board.meals if m.meal == meal)
    dishes = meal_board.unsampled
    settings = services.settings_for(request.school)
    me = _my_staff(request)
    initial = {"sampler": me} if me else {}
    # The checker defaults to the manager or food-safety officer, else anyone else on duty.
    others = [s for s, _c in board.staff if s != me]
    reviewer = next((s for s in others if s.position in ("manager", "safety")), None) or next(
        iter(others), None
    )
    if reviewer:
        initial["reviewer"] = reviewer
    form = forms.SampleMealForm(
        request.POST or None,
        request.FILES or None,
        school=request.school,
        dishes=dishes,
        min_grams=settings.sample_min_grams,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entries = [
            services.SampleInput(d, data[f"grams_{d.pk}"], data.get(f"photo_{d.pk}") or None)
            for d in dishes
            if data.get(f"grams_{d.pk}") is not None
        ]
        try:
            samples = services.samples_record(
                school=request.school,
                actor=request.user,
                date=date,
                meal=meal,
                sampler=data["sampler"],
                reviewer=data["reviewer"],
                fridge=data["fridge"],
                entries=entries,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s samples recorded.") % {"n": len(samples)})
            return redirect(_today_url(request, date))
    return render(
        request,
        "canteen/sample_meal.html",
        {
            "form": form,
            "date": date,
            "meal_board": meal_board,
            "min_grams": settings.sample_min_grams,
            "basis": LEGAL_BASIS["sample"],
        },
    )


@requires(caps.RECORD)
def disinfection_new(request: HttpRequest, school_code: str, day: str, meal: str) -> HttpResponse:
    date, meal = _day(day), _meal(meal)
    me = _my_staff(request)
    form = forms.DisinfectionForm(
        request.POST or None, school=request.school, initial={"operator": me} if me else {}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disinfection_record(
                school=request.school,
                actor=request.user,
                date=date,
                meal=meal,
                method=data["method"],
                celsius=data["celsius"],
                mg_per_litre=data["mg_per_litre"],
                seconds=form.duration(),
                items=data["items"],
                operator=data["operator"],
                checker=data["checker"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Disinfection recorded."))
            return redirect(_today_url(request, date))
    title = _("%(meal)s tableware disinfection, %(date)s") % {
        "meal": Meal(meal).label,
        "date": date.isoformat(),
    }
    return _form_page(request, form, title, LEGAL_BASIS["disinfection"])


@requires(caps.ACCOMPANY)
def accompanied_new(request: HttpRequest, school_code: str, day: str, meal: str) -> HttpResponse:
    date, meal = _day(day), _meal(meal)
    dishes = [
        d
        for d, _s in next(
            m for m in selectors.day_board(request.school, date).meals if m.meal == meal
        ).dishes
    ]
    form = forms.AccompaniedForm(request.POST or None, dishes=dishes)
    if request.method == "POST" and form.is_valid():
        try:
            services.accompanied_record(
                school=request.school,
                actor=request.user,
                date=date,
                meal=meal,
                ratings=form.ratings(),
                companion_title=form.cleaned_data["companion_title"],
                problems=form.cleaned_data["problems"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Accompanied meal recorded."))
            return redirect(_today_url(request, date))
    title = _("%(meal)s accompanied meal, %(date)s") % {
        "meal": Meal(meal).label,
        "date": date.isoformat(),
    }
    return _form_page(request, form, title, LEGAL_BASIS["accompanied"])


@requires(caps.CHECK)
def morning_new(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    initial = {}
    if request.GET.get("staff"):
        initial["staff"] = request.GET["staff"]
    form = forms.MorningCheckForm(request.POST or None, school=request.school, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = services.morning_check_record(
                school=request.school,
                actor=request.user,
                staff=data["staff"],
                date=date,
                temperature=data["temperature"],
                hygiene_ok=data["hygiene_ok"],
                **form.symptoms(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if check.passed:
                messages.success(request, _("Morning check passed."))
            else:
                messages.warning(
                    request,
                    _("%(name)s failed the morning check and is off duty today.")
                    % {"name": check.staff.name},
                )
            return redirect(_today_url(request, date))
    title = _("Morning check, %(date)s") % {"date": date.isoformat()}
    return _form_page(request, form, title, LEGAL_BASIS["morning_check"])


@requires(caps.RECORD)
def temperature_new(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.TemperatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            log = services.temperature_record(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Temperature recorded."))
            return redirect(_today_url(request, log.date))
    return _form_page(request, form, _("Temperature reading"), LEGAL_BASIS["temperature"])


@requires(caps.RECORD)
def receiving_new(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.ReceivingForm(request.POST or None, request.FILES or None, school=request.school)
    lines = forms.ReceivingLineFormSet(request.POST or None, prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        inputs = [
            services.LineInput(
                name=ln["name"],
                category=ln["category"],
                spec=ln["spec"],
                quantity=ln["quantity"],
                unit=ln["unit"],
                weighed=ln["weighed"],
                unit_price=ln["unit_price"],
                production_date=ln["production_date"],
                batch=ln["batch"],
                shelf_life_days=ln["shelf_life_days"],
                temperature=ln["temperature"],
                accepted=not ln["rejected"],
                disposal=ln["disposal"],
            )
            for ln in lines.cleaned_data
            if ln.get("name")
        ]
        try:
            receiving = services.receiving_create(
                school=request.school,
                actor=request.user,
                date=data["date"],
                supplier=data["supplier"],
                inspector=data["inspector"],
                second_inspector=data["second_inspector"],
                lines=inputs,
                invoice_photo=data.get("invoice_photo") or None,
                quarantine_photo=data.get("quarantine_photo") or None,
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Receiving inspection recorded."))
            return redirect(_today_url(request, receiving.date))
    return render(
        request,
        "canteen/receiving_form.html",
        {"form": form, "lines": lines, "basis": LEGAL_BASIS["receiving"]},
    )


@requires(caps.CLOSE)
@require_POST
def gap_mark(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    form = forms.GapMarkForm(request.POST)
    if form.is_valid():
        try:
            services.gap_mark(
                school=request.school, actor=request.user, date=date, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Marked not applicable."))
    else:
        messages.error(request, _("Give the reason."))
    return redirect(_today_url(request, date))


@requires(caps.CLOSE)
@require_POST
def day_close(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    try:
        services.day_close(school=request.school, actor=request.user, date=date)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The day is closed and waits for the committee's review."))
    return redirect(_today_url(request, date))


@requires(caps.VIEW)
def day_review(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    board = selectors.day_board(request.school, date)
    return render(
        request,
        "canteen/day_review.html",
        {
            "board": board,
            "date": date,
            "photo_base": _photo_base(school_code),
            "review_form": forms.ReviewForm(),
            "concern_form": forms.ConcernForm(),
            "reopen_form": forms.ReasonForm(),
            "basis": LEGAL_BASIS["day_review"],
        },
    )


def _photo_base(school_code: str) -> str:
    """The samples' photo links up to their UUID: one reverse() instead of one per photo."""
    zero = uuid.UUID(int=0)
    return reverse("attachment_download", args=[school_code, zero])[: -len(f"{zero}/")]


def _review_url(request: HttpRequest, date: datetime.date) -> str:
    return reverse("canteen:day_review", args=[request.school.code, date.isoformat()])


@requires(caps.REVIEW)
@require_POST
def day_sign(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.day_review(
                school=request.school,
                actor=request.user,
                date=date,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Signed as reviewed."))
    return redirect(_review_url(request, date))


@requires(caps.REVIEW)
@require_POST
def day_concern(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    perform(
        request,
        forms.ConcernForm(request.POST),
        lambda data: services.concern_raise(
            school=request.school, actor=request.user, date=date, **data
        ),
        _("Concern sent to the canteen manager."),
    )
    return redirect(_review_url(request, date))


@requires(caps.REOPEN)
@require_POST
def day_reopen(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        services.day_reopen(
            school=request.school, actor=request.user, date=date, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The day is open for corrections."))
    else:
        messages.error(request, _("Give the reason for reopening."))
    return redirect(_review_url(request, date))


@requires(caps.VIEW)
def day_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.day_list(request.school), request.GET.get("page"))
    with_labels(page.object_list, status=CanteenDay.STATUS_CHOICES)
    # One reverse() instead of one per day.
    review_base = reverse("canteen:day_review", args=[school_code, "2000-01-01"])
    return render(
        request,
        "canteen/day_list.html",
        {
            "page": page,
            "review_base": review_base[: -len("2000-01-01/")],
            # The weekday names once (Monday first) instead of a date format per row.
            "weekdays": [date_format(MONDAY + datetime.timedelta(days=n), "D") for n in range(7)],
        },
    )


@requires(caps.VIEW)
def followup_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.followup_list(request.school), request.GET.get("page"))
    return render(
        request, "canteen/followup_list.html", {"page": page, "reply_form": forms.ReplyForm()}
    )


@requires(caps.REPLY)
@require_POST
def followup_reply(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    item = get_for_school(request, FollowUp, pk=pk)
    form = forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.concern_reply(
                school=request.school,
                actor=request.user,
                followup_id=item.pk,
                reply=form.cleaned_data["reply"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Reply sent."))
    else:
        messages.error(request, _("Write the reply."))
    return redirect("canteen:followup_list", school_code)


# ---------------------------------------------------------------- staff, suppliers, menu


@requires(caps.VIEW)
def staff_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.staff_page(request.school), request.GET.get("page"))
    today_ = timezone.localdate()
    warn = max(services.settings_for(request.school).warning_days or services.WARNING_DAYS)
    return render(
        request,
        "canteen/staff_list.html",
        {
            "page": page,
            "positions": label_map(StaffMember.Position),  # translated once for the page
            "today": today_,
            "warn_until": today_ + datetime.timedelta(days=warn),
            # The edit links from one reverse() instead of one per member.
            "staff_base": reverse("canteen:staff_edit", args=[school_code, 0])[: -len("0/edit/")],
            "basis": LEGAL_BASIS["staff"],
        },
    )


@requires(caps.MANAGE)
def staff_edit(request: HttpRequest, school_code: str, pk: int | None = None) -> HttpResponse:
    staff = get_for_school(request, StaffMember, pk=pk) if pk else None
    form = forms.StaffForm(request.POST or None, instance=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_save(
                school=request.school,
                actor=request.user,
                staff=staff,
                user=staff.user if staff else None,
                **{k: v for k, v in form.cleaned_data.items()},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("canteen:staff_list", school_code)
    return _form_page(request, form, _("Canteen staff member"), LEGAL_BASIS["staff"])


@requires(caps.VIEW)
def supplier_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.supplier_page(request.school), request.GET.get("page"))
    return render(
        request,
        "canteen/supplier_list.html",
        {
            "page": page,
            "categories": label_map(FoodCategory),  # translated once for the page's rows
            # The edit links from one reverse() instead of one per supplier.
            "edit_base": reverse("canteen:supplier_edit", args=[school_code, 0])[: -len("0/edit/")],
            "lists": list(selectors.supplier_lists(request.school)[:5]),
            "today": timezone.localdate(),
            "basis": LEGAL_BASIS["supplier"],
        },
    )


@requires(caps.MANAGE)
def supplier_edit(request: HttpRequest, school_code: str, pk: int | None = None) -> HttpResponse:
    supplier = get_for_school(request, Supplier, pk=pk) if pk else None
    initial = {}
    if supplier:
        initial = {
            f: getattr(supplier, f)
            for f in (
                "name",
                "credit_code",
                "licence_no",
                "licence_expires",
                "categories",
                "contact",
                "contract_no",
            )
        }
    form = forms.SupplierForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supplier_save(
                school=request.school,
                actor=request.user,
                supplier=supplier,
                **{k: v for k, v in data.items() if k != "contract"},
                contract=data.get("contract") or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("canteen:supplier_list", school_code)
    return _form_page(request, form, _("Supplier"), LEGAL_BASIS["supplier"])


@requires(caps.MANAGE)
def supplier_list_new(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.SupplierListForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_list_submit(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The list waits for the principal's approval."))
            return redirect("canteen:supplier_list", school_code)
    return _form_page(request, form, _("Designated-supplier list"), LEGAL_BASIS["supplier"])


def _week_start(request: HttpRequest) -> datetime.date:
    value = request.GET.get("week") or request.POST.get("week")
    day = _day(value) if value else timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


@requires(caps.VIEW)
def menu_week(request: HttpRequest, school_code: str) -> HttpResponse:
    start = _week_start(request)
    dishes = selectors.menu_week_rows(request.school, start)
    days = [start + datetime.timedelta(days=i) for i in range(7)]
    meals = [(m, str(label)) for m, label in Meal.choices]  # translated once, not per day
    rows = [(d, [(m, label, dishes.get((d, m), ())) for m, label in meals]) for d in days]
    return render(
        request,
        "canteen/menu_week.html",
        {
            "rows": rows,
            "week": start,
            "previous": start - datetime.timedelta(days=7),
            "next": start + datetime.timedelta(days=7),
            # The edit links from one reverse() instead of one per day and meal.
            "edit_base": reverse("canteen:menu_edit", args=[school_code, "d", "m"])[: -len("d/m/")],
            "basis": LEGAL_BASIS["menu"],
        },
    )


@requires(caps.MANAGE)
def menu_edit(request: HttpRequest, school_code: str, day: str, meal: str) -> HttpResponse:
    date, meal = _day(day), _meal(meal)
    current = selectors.menu_week(request.school, date - datetime.timedelta(date.weekday()))
    text = "\n".join(
        f"{d.name} {d.grams_per_student}" if d.grams_per_student else d.name
        for d in current.get((date, meal), [])
    )
    form = forms.MenuMealForm(request.POST or None, initial={"dishes": text})
    if request.method == "POST" and form.is_valid():
        try:
            services.menu_set(
                school=request.school,
                actor=request.user,
                date=date,
                meal=meal,
                dishes=form.parsed(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Menu saved."))
            return redirect(
                reverse("canteen:menu_week", args=[school_code]) + f"?week={date.isoformat()}"
            )
    title = _("Menu: %(date)s %(meal)s") % {"date": date.isoformat(), "meal": Meal(meal).label}
    return _form_page(request, form, title, LEGAL_BASIS["menu"])


@requires(caps.MANAGE)
@require_POST
def menu_copy(request: HttpRequest, school_code: str) -> HttpResponse:
    start = _week_start(request)
    try:
        n = services.menu_copy_last_week(
            school=request.school, actor=request.user, week_start=start
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s dishes copied from last week.") % {"n": n})
    return redirect(reverse("canteen:menu_week", args=[school_code]) + f"?week={start}")


@requires(caps.RECORD)
@require_POST
def sample_dispose(request: HttpRequest, school_code: str) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("sample") if i.isdigit()]
    try:
        n = services.sample_dispose(school=request.school, actor=request.user, sample_ids=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s samples disposed of.") % {"n": n})
    return redirect(reverse("canteen:ledger", args=[school_code, "samples"]))


# ---------------------------------------------------------------- ledgers


@requires(caps.VIEW)
def ledger(request: HttpRequest, school_code: str, kind: str) -> HttpResponse:
    definition = LEDGERS.get(kind)
    if definition is None:
        raise Http404
    start, end = forms.RangeForm(request.GET).period()
    fmt = request.GET.get("format")
    if fmt in ("pdf", "xlsx"):
        # Printed text is Chinese whatever the viewer's language.
        with translation.override("zh-hans"):
            snapshot = definition.snapshot(request.school, start, end)
        return report_download(
            snapshot,
            school=request.school,
            fmt=fmt,
            filename=f"{kind}-{start.isoformat()}-{end.isoformat()}",
        )
    page = paginate(definition.listed(request.school, start, end), request.GET.get("page"))
    columns = definition.columns()
    rows = definition.table(page.object_list, columns)
    # Only the sample ledger's rows say whether they may be disposed of.
    disposable = {r.id for r in page.object_list if getattr(r, "disposable", False)}
    return render(
        request,
        "canteen/ledger.html",
        {
            "ledger": definition,
            "kind": kind,
            "ledgers": LEDGERS.values(),
            # One reverse() for the tabs instead of one per ledger.
            "ledger_base": reverse("canteen:ledger", args=[school_code, "x"])[: -len("x/")],
            "columns": columns,
            "rows": rows,
            "page": page,
            "start": start,
            "end": end,
            "period": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
            "disposable": disposable,
            "pack_list_url": school_url("canteen:pack_list", school_code),
            "dispose_url": school_url("canteen:sample_dispose", school_code),
            "training_new_url": school_url("canteen:training_new", school_code),
        },
    )


@requires(caps.MANAGE)
def settings_edit(request: HttpRequest, school_code: str) -> HttpResponse:
    current = services.settings_for(request.school)
    form = forms.SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                school=request.school,
                actor=request.user,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("canteen:today", school_code)
    return _form_page(request, form, _("Canteen settings"))


# ---------------------------------------------------------------- canteen account


def _month(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        return datetime.date.fromisoformat(f"{value[:7]}-01")
    except ValueError as exc:
        raise Http404 from exc


@requires(caps.ACCOUNT)
def account(request: HttpRequest, school_code: str) -> HttpResponse:
    month = _month(request.GET.get("month"))
    summary = selectors.month_account(request.school, month)
    form = forms.IncomeForm(
        initial={"amount": summary.income.amount, "student_days": summary.income.student_days}
        if summary.income
        else None
    )
    return render(
        request,
        "canteen/account.html",
        {
            "account": summary,
            "month": month,
            "previous": (month - datetime.timedelta(days=1)).replace(day=1),
            "next": selectors.month_end(month) + datetime.timedelta(days=1),
            "form": form,
        },
    )


@requires(caps.MANAGE)
@require_POST
def income_set(request: HttpRequest, school_code: str, month: str) -> HttpResponse:
    first = _month(month)
    perform(
        request,
        forms.IncomeForm(request.POST),
        lambda data: services.income_set(
            school=request.school, actor=request.user, month=first, **data
        ),
        _("Saved."),
    )
    return redirect(reverse("canteen:account", args=[school_code]) + f"?month={first:%Y-%m}")


@requires(caps.ACCOUNT)
def statement(request: HttpRequest, school_code: str, supplier: int, month: str) -> HttpResponse:
    found = get_for_school(request, Supplier, pk=supplier)
    first = _month(month)
    fmt = request.GET.get("format")
    if fmt in ("pdf", "xlsx"):
        # Printed text is Chinese whatever the viewer's language.
        with translation.override("zh-hans"):
            snapshot = statements.statement_snapshot(request.school, found, first)
        return report_download(
            snapshot,
            school=request.school,
            fmt=fmt,
            filename=statements.statement_number(found, first),
        )
    snapshot = statements.statement_snapshot(request.school, found, first)
    return render(
        request,
        "canteen/statement.html",
        {
            "snapshot": snapshot,
            "supplier": found,
            "month": first,
            "number": statements.statement_number(found, first),
        },
    )


# ---------------------------------------------------------------- complaints


@requires(caps.VIEW)
def complaint_list(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.ComplaintForm(request.POST or None)
    if request.method == "POST":
        if caps.MANAGE not in request.capabilities:
            raise PermissionDenied
        if form.is_valid():
            services.complaint_record(
                school=request.school, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("Complaint recorded."))
            return redirect("canteen:complaint_list", school_code)
    page = paginate(selectors.complaint_page(request.school), request.GET.get("page"))
    return render(
        request,
        "canteen/complaint_list.html",
        {
            "page": page,
            "channels": label_map(Complaint.Channel),  # translated once for the page's rows
            # The reply forms' actions from one reverse() instead of one per complaint.
            "reply_base": reverse("canteen:complaint_reply", args=[school_code, 0])[
                : -len("0/reply/")
            ],
            "form": form,
            "basis": LEGAL_BASIS["complaint"],
        },
    )


@requires(caps.REPLY)
@require_POST
def complaint_reply(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    complaint = get_for_school(request, Complaint, pk=pk)
    try:
        services.complaint_reply(
            school=request.school,
            actor=request.user,
            complaint_id=complaint.pk,
            reply=request.POST.get("reply", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reply sent."))
    return redirect("canteen:complaint_list", school_code)


@requires(caps.RECORD)
def waste_new(request: HttpRequest, school_code: str, day: str) -> HttpResponse:
    date = _day(day)
    form = forms.WasteForm(request.POST or None, initial={"meal": request.GET.get("meal", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.waste_record(
                school=request.school, actor=request.user, date=date, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Waste recorded."))
            return redirect(_today_url(request, date))
    title = _("Kitchen waste and leftovers, %(date)s") % {"date": date.isoformat()}
    return _form_page(request, form, title, LEGAL_BASIS["waste"])


@requires(caps.MANAGE)
def training_new(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.TrainingForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_record(school=request.school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Training recorded."))
            return redirect(reverse("canteen:ledger", args=[school_code, "training"]))
    return _form_page(request, form, _("Training or exam"), LEGAL_BASIS["training"])


@requires(caps.VIEW)
def survey_list(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.SurveyForm(request.POST or None)
    if request.method == "POST":
        if caps.MANAGE not in request.capabilities:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.survey_record(
                    school=request.school, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("canteen:survey_list", school_code)
    page = paginate(selectors.survey_page(request.school), request.GET.get("page"))
    for survey in page.object_list:
        survey.share = Survey.share_of(survey.satisfied, survey.respondents)
        survey.meets_target = survey.share >= Survey.TARGET
    return render(request, "canteen/survey_list.html", {"page": page, "form": form})


# ------------------------------------------------ self-inspection (日管控·周排查·月调度)

# Who records each kind: the food-safety officer the checklists, the committee and the school
# doctor their own inspections.
INSPECTION_CAPABILITY = {
    "daily": caps.INSPECT,
    "weekly": caps.INSPECT,
    "committee": caps.REVIEW,
    "doctor": caps.REVIEW,
}


@requires(caps.VIEW)
def inspection_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.inspection_page(request.school), request.GET.get("page"))
    actions = selectors.actions_open(request.school)
    return render(
        request,
        "canteen/inspection_list.html",
        {
            "page": page,
            "findings": selectors.inspection_findings(
                request.school, [i.id for i in page.object_list]
            ),
            "actions": actions,
            "minutes": list(selectors.minutes_recent(request.school)[:6]),
            "new_kinds": [
                (school_url("canteen:inspection_new", school_code, k), label)
                for k, label in SelfInspection.Kind.choices
                if INSPECTION_CAPABILITY[k] in request.capabilities
            ],
            "minutes_new_url": school_url("canteen:minutes_new", school_code),
            # Labels translated once for the page's rows.
            "kinds": label_map(SelfInspection.Kind),
            "statuses": label_map(CorrectiveAction.STATUS_CHOICES),
            # The forms drawn in each action's card, made only when there is one.
            "fix_form": forms.ActionFixForm() if actions else None,
            "verify_form": forms.ActionVerifyForm() if actions else None,
            "today": timezone.localdate(),
            "basis": LEGAL_BASIS["self_inspection"],
        },
    )


@requires(caps.VIEW)
def inspection_new(request: HttpRequest, school_code: str, kind: str) -> HttpResponse:
    if kind not in INSPECTION_CAPABILITY:
        raise Http404
    if INSPECTION_CAPABILITY[kind] not in request.capabilities:
        raise PermissionDenied
    form = forms.InspectionForm(request.POST or None, kind=kind, school=request.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_record(
                school=request.school,
                actor=request.user,
                kind=kind,
                date=data["date"],
                items=form.items(),
                owner=data["owner"],
                deadline=data["deadline"],
                summary=data["summary"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            failed = sum(1 for i in inspection.items.all() if not i.passed)
            messages.success(
                request,
                _("Inspection recorded; %(n)s corrective actions opened.") % {"n": failed},
            )
            return redirect("canteen:inspection_list", school_code)
    basis = LEGAL_BASIS[
        "self_inspection" if kind in ("daily", "weekly") else "committee_inspection"
    ]
    return render(
        request,
        "canteen/inspection_form.html",
        {"form": form, "title": SelfInspection.Kind(kind).label, "basis": basis},
    )


@requires(caps.VIEW)
@require_POST
def action_fix(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    action = get_for_school(request, CorrectiveAction, pk=pk)
    perform(
        request,
        forms.ActionFixForm(request.POST, request.FILES),
        lambda data: services.action_fix(
            school=request.school,
            actor=request.user,
            action_id=action.pk,
            note=data["fix_note"],
            evidence=data["evidence"],
        ),
        _("Reported fixed; it waits for verification."),
    )
    return redirect("canteen:inspection_list", school_code)


@requires(caps.INSPECT)
@require_POST
def action_verify(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    action = get_for_school(request, CorrectiveAction, pk=pk)
    perform(
        request,
        forms.ActionVerifyForm(request.POST),
        lambda data: services.action_verify(
            school=request.school,
            actor=request.user,
            action_id=action.pk,
            accepted=data["accepted"],
            note=data["verify_note"],
        ),
        _("Saved."),
    )
    return redirect("canteen:inspection_list", school_code)


@requires(caps.MANAGE)
def minutes_new(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.MinutesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_submit(school=request.school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes wait for the principal's signature."))
            return redirect("canteen:inspection_list", school_code)
    return _form_page(
        request, form, _("Monthly food-safety meeting minutes"), LEGAL_BASIS["self_inspection"]
    )


# ---------------------------------------------------------------- incidents (食物中毒)


@requires(caps.VIEW)
def incident_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.incident_list(request.school), request.GET.get("page"))
    return render(
        request,
        "canteen/incident_list.html",
        {"page": page, "basis": LEGAL_BASIS["incident"]},
    )


@requires(caps.INCIDENT)
def incident_new(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.IncidentForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_open(
                school=request.school,
                actor=request.user,
                discovered_at=data["discovered_at"],
                description=data["description"],
                people_affected=data["people_affected"],
                stopped=data["stopped"],
                measures=data["measures"],
                sample_ids=[s.pk for s in data["samples"]],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.warning(request, _("Incident recorded. Report it to the authorities now."))
            return redirect("canteen:incident_detail", school_code, incident.pk)
    return _form_page(request, form, _("Food-safety incident"), LEGAL_BASIS["incident"])


@requires(caps.VIEW)
def incident_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    incident = get_for_school(request, Incident, pk=pk)
    return render(
        request,
        "canteen/incident_detail.html",
        {
            "incident": incident,
            "samples": selectors.incident_samples(request.school, incident),
            "report_form": forms.IncidentReportForm(),
            "close_form": forms.IncidentCloseForm(),
            "basis": LEGAL_BASIS["incident"],
        },
    )


@requires(caps.INCIDENT)
@require_POST
def incident_report(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    incident = get_for_school(request, Incident, pk=pk)
    perform(
        request,
        forms.IncidentReportForm(request.POST),
        lambda data: services.incident_report(
            school=request.school, actor=request.user, incident_id=incident.pk, **data
        ),
        _("Report recorded."),
    )
    return redirect("canteen:incident_detail", school_code, incident.pk)


@requires(caps.INCIDENT)
@require_POST
def incident_close(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    incident = get_for_school(request, Incident, pk=pk)
    perform(
        request,
        forms.IncidentCloseForm(request.POST),
        lambda data: services.incident_close(
            school=request.school,
            actor=request.user,
            incident_id=incident.pk,
            note=data["closing_note"],
        ),
        _("Incident closed."),
    )
    return redirect("canteen:incident_detail", school_code, incident.pk)


# ---------------------------------------------------------------- inspection pack


@requires(caps.VIEW)
def pack_list(request: HttpRequest, school_code: str) -> HttpResponse:
    form = forms.PackForm(request.POST or None)
    if request.method == "POST":
        if caps.MANAGE not in request.capabilities:
            raise PermissionDenied
        if form.is_valid():
            try:
                pack = services.pack_request(
                    school=request.school, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("canteen:pack_detail", school_code, pack.pk)
    page = paginate(selectors.pack_list(request.school), request.GET.get("page"))
    return render(request, "canteen/pack_list.html", {"page": page, "form": form})


@requires(caps.VIEW)
def pack_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    pack = get_for_school(request, InspectionPack, pk=pk)
    # The status block alone, asked for every 2 s by the page while the worker runs.
    template = "canteen/_pack_status.html" if request.GET.get("part") else "canteen/pack.html"
    return render(request, template, {"pack": pack})


@requires(caps.VIEW)
def pack_download(request: HttpRequest, school_code: str, pk: int, fmt: str) -> HttpResponse:
    pack = get_for_school(request, InspectionPack, pk=pk, status=InspectionPack.DONE)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    stored = pack.pdf if fmt == "pdf" else pack.xlsx
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"canteen-pack-{pack.start:%Y%m%d}-{pack.end:%Y%m%d}.{fmt}",
    )
