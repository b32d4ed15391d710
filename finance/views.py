"""Thin views: parse the form, call one service, show the message, redirect."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance import capabilities as caps
from finance import exports, selectors, services
from finance.forms import (
    AidEditForm,
    AidForm,
    BookForm,
    BudgetLineForm,
    ExpenseEditForm,
    ExpenseFilterForm,
    ExpenseForm,
    FeeEntryForm,
    FeeItemForm,
    FundForm,
    InvoiceForm,
    OverrideForm,
    PayForm,
    QuoteFormSet,
    StudentImportForm,
)
from finance.models import (
    AidApplication,
    AidStatus,
    Expense,
    ExpenseStatus,
    FeeEntry,
    FeeItem,
)
from finance.money import amount_in_words
from logistics.approvals import ApprovalError
from logistics.context_processors import school_url
from logistics.forms import add_service_errors
from logistics.models import Approval
from logistics.privacy import record_personal_view
from logistics.scoping import get_for_school, requires
from logistics.selectors import paginate


def _quotes(formset) -> list[services.QuoteInput]:
    return [
        services.QuoteInput(q["supplier"], q["amount"], q.get("photo") or None)
        for q in formset.cleaned_data
        if q.get("supplier")
    ]


def _detail(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect("finance:expense_detail", request.school.code, pk)


def _usage_rows(request: HttpRequest) -> list:
    """Budget, spent, committed and remaining, shown wherever an expense is entered."""
    year = timezone.localdate().year
    funds = selectors.funds_with_balances(request.school).filter(year__gte=year - 1)
    return list(selectors.budget_lines_with_usage(request.school, [f.pk for f in funds]))


# ---------------------------------------------------------------- expenses


def _query_without(request: HttpRequest, *names: str) -> str:
    """The page's query string without `names` (page links and exports keep the filters)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _year(request: HttpRequest) -> int | None:
    """The school year picked on a report (?year=2022); anything else means every year."""
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None


def _year_context(request: HttpRequest, year: int | None) -> dict:
    """The year picker of a report: the school years that have funds, newest first."""
    years = selectors.fund_years(request.school)
    return {
        "year": year,
        "years": years,
        "query": _query_without(request, "page", "format"),
    }


@requires(caps.REQUEST)
def expense_list(request: HttpRequest, school_code: str) -> HttpResponse:
    school, sees_all = request.school, caps.VIEW in request.capabilities
    # Translated once per language and process, for the rows and the filters' options.
    labels = selectors.expense_labels()
    form = ExpenseFilterForm(
        request.GET,
        choices=selectors.expense_filter_choices(school, sees_all),
        labels=labels,
        sees_all=sees_all,
    )
    filters = form.filters()
    if request.GET.get("format") in EXPORT_FORMATS:
        rows = selectors.expense_list(school, request.user, request.capabilities, filters)
        return exports.expenses(request.GET["format"], school, list(rows[: exports.MAX_ROWS]))
    expenses = selectors.expense_page(school, request.user, request.capabilities, filters)
    # A text search is not counted (docs/performance.md): the page reads one row more.
    page = paginate(expenses, request.GET.get("page"), counted="q" not in filters)
    return render(
        request,
        "finance/expense_list.html",
        {
            "page": page,
            "form": form,
            "query": _query_without(request, "page", "format"),
            "labels": labels,
            "create_url": school_url("finance:expense_create", school_code),
            # The rows' links: one cached reverse() instead of one per row.
            "detail_base": school_url("finance:expense_detail", school_code, 0)[:-2],
        },
    )


@requires(caps.REQUEST)
def expense_create(request: HttpRequest, school_code: str) -> HttpResponse:
    school = request.school
    form = ExpenseForm(request.POST or None, request.FILES or None, school=school)
    quotes = QuoteFormSet(request.POST or None, request.FILES or None, prefix="quote")
    if request.method == "POST" and form.is_valid() and quotes.is_valid():
        data = form.cleaned_data
        try:
            expense = services.expense_create(
                school=school,
                actor=request.user,
                fund=data["fund"],
                category=data["category"],
                purpose=data["purpose"],
                amount=data["amount"],
                payee=data["payee"],
                payment_method=data["payment_method"],
                cash_reason=data["cash_reason"],
                quote_reason=data["quote_reason"],
                quotes=_quotes(quotes),
                documents=[data["document"]] if data.get("document") else [],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if expense.status == ExpenseStatus.HELD:
                messages.warning(
                    request, _("Over budget: the request waits for the principal's override.")
                )
            else:
                messages.success(request, _("Request filed; it is waiting for signatures."))
            return _detail(request, expense.pk)
    return render(
        request,
        "finance/expense_form.html",
        {
            "form": form,
            "quotes": quotes,
            "usage": _usage_rows(request),
            "threshold": school.large_expense_threshold,
        },
    )


def _expense_for(request: HttpRequest, pk: int) -> Expense:
    try:
        expense = selectors.expense_detail(request.school, pk)
    except Expense.DoesNotExist as exc:
        raise Http404 from exc
    # Others' requests are not confirmed to exist, as with another school's records.
    if (
        caps.VIEW not in request.capabilities
        and expense.requested_by_id != request.user.pk
        and not _may_sign(request, expense)
    ):
        raise Http404
    return expense


def _may_sign(request: HttpRequest, expense: Expense) -> bool:
    return any(
        a is not None and a.current_capability in request.capabilities
        for a in (expense.approval, expense.booking_approval)
    )


@requires(caps.REQUEST)
def expense_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    expense = _expense_for(request, pk)
    usage = services.budget_usage(request.school, expense.fund, expense.category, expense.pk)
    is_handler = expense.requested_by_id == request.user.pk
    voided = selectors.voided_signatures(
        request.school, [expense.approval_id, expense.booking_approval_id]
    )
    booking_returned = (
        expense.status == ExpenseStatus.SIGNOFF
        and expense.booking_approval is not None
        and expense.booking_approval.status == Approval.RETURNED
    )
    return render(
        request,
        "finance/expense_detail.html",
        {
            "expense": expense,
            "usage": usage,
            "voided": voided,
            "is_handler": is_handler,
            "invoice_form": InvoiceForm(required=not booking_returned)
            if expense.status == ExpenseStatus.APPROVED or booking_returned
            else None,
            "booking_returned": booking_returned,
            "booking_return_comment": selectors.last_return_comment(
                request.school, expense.booking_approval
            )
            if booking_returned
            else "",
            "book_form": BookForm() if expense.status == ExpenseStatus.READY else None,
            "pay_form": PayForm(initial={"method": expense.payment_method})
            if expense.status == ExpenseStatus.BOOKED
            else None,
            "override_form": OverrideForm() if expense.status == ExpenseStatus.HELD else None,
            "can_edit": is_handler and expense.status in services.EDITABLE_STATUSES,
        },
    )


@requires(caps.REQUEST)
def expense_print(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    """支出审批单: the approval form for the paper voucher file, printed from the browser."""
    expense = _expense_for(request, pk)
    signatures = selectors.current_signatures(
        request.school, [expense.approval_id, expense.booking_approval_id]
    )
    with translation.override("zh-hans"):
        return render(
            request,
            "finance/print/expense_form.html",
            {
                "expense": expense,
                "chain": [s for s in signatures if s.approval_id == expense.approval_id],
                "booking": [s for s in signatures if s.approval_id == expense.booking_approval_id],
                "amount_words": amount_in_words(expense.amount),
                "printed_at": timezone.localtime(),
            },
        )


@requires(caps.REQUEST)
def expense_edit(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    expense = _expense_for(request, pk)
    if expense.requested_by_id != request.user.pk:
        raise PermissionDenied
    initial = {
        f: getattr(expense, f)
        for f in (
            "purpose",
            "amount",
            "fund",
            "category",
            "payee",
            "payment_method",
            "cash_reason",
            "quote_reason",
        )
    }
    form = ExpenseEditForm(request.POST or None, initial=initial, school=request.school)
    quotes = QuoteFormSet(request.POST or None, request.FILES or None, prefix="quote")
    if request.method == "POST" and form.is_valid() and quotes.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        try:
            services.expense_update(
                school=request.school,
                actor=request.user,
                expense_id=expense.pk,
                resubmit=True,
                new_quotes=_quotes(quotes),
                **changes,
            )
        except (ValidationError, ApprovalError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _detail(request, expense.pk)
    return render(
        request,
        "finance/expense_form.html",
        {"form": form, "quotes": quotes, "expense": expense, "usage": _usage_rows(request)},
    )


@require_POST
@requires(caps.REQUEST)
def expense_invoice(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    expense = _expense_for(request, pk)
    # Asked again after a returned sign-off, the invoice on file may stand.
    form = InvoiceForm(
        request.POST, request.FILES, required=expense.status != ExpenseStatus.SIGNOFF
    )
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _detail(request, expense.pk)
    try:
        services.expense_submit_invoice(
            school=request.school,
            actor=request.user,
            expense_id=expense.pk,
            upload=form.cleaned_data["invoice"],
        )
        messages.success(request, _("Invoice attached; waiting for the principal's sign-off."))
    except (ValidationError, PermissionDenied, ApprovalError) as exc:
        messages.error(request, _message(exc))
    return _detail(request, expense.pk)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("You may not do this.")


@require_POST
@requires(caps.BOOK)
def expense_book(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    expense = get_for_school(request, Expense, pk=pk)
    form = BookForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter the voucher number."))
        services.expense_book(
            school=request.school,
            actor=request.user,
            expense_id=expense.pk,
            voucher_no=form.cleaned_data["voucher_no"],
        )
        messages.success(request, _("Booked."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return _detail(request, expense.pk)


@require_POST
@requires(caps.PAY)
def expense_pay(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    expense = get_for_school(request, Expense, pk=pk)
    form = PayForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the payment method."))
        services.expense_pay(
            school=request.school,
            actor=request.user,
            expense_id=expense.pk,
            method=form.cleaned_data["method"],
            cash_reason=form.cleaned_data["cash_reason"],
        )
        messages.success(request, _("Payment recorded."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return _detail(request, expense.pk)


@require_POST
@requires(caps.OVERRIDE)
def expense_override(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    expense = get_for_school(request, Expense, pk=pk)
    try:
        expense = services.expense_budget_override(
            school=request.school,
            actor=request.user,
            expense_id=expense.pk,
            reason=request.POST.get("reason", ""),
        )
        if expense.status == ExpenseStatus.APPROVED:  # held at its last signature
            messages.success(
                request, _("Budget exceeded with your reason; the request is approved.")
            )
        else:
            messages.success(request, _("Budget exceeded with your reason; the chain has started."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return _detail(request, expense.pk)


@require_POST
@requires(caps.REQUEST)  # the engine checks the step's own capability
def expense_sign(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    expense = get_for_school(request, Expense, pk=pk)
    step = request.POST.get("step", "")
    try:
        if not step.isdigit():
            # A tampered or truncated form: a message, never Python's ValueError text.
            raise ApprovalError(_("The form was incomplete; reload the page and try again."))
        services.expense_sign(
            school=request.school,
            actor=request.user,
            expense_id=expense.pk,
            which="booking" if request.POST.get("which") == "booking" else "expense",
            step=int(step),
        )
        messages.success(request, _("Signed: %(purpose)s") % {"purpose": expense.purpose})
    except ApprovalError as exc:
        messages.error(request, _message(exc))
    if request.POST.get("next") == "todo":
        return redirect("finance:sign_todo", request.school.code)
    return _detail(request, expense.pk)


@requires(caps.REQUEST)
def sign_todo(request: HttpRequest, school_code: str) -> HttpResponse:
    """What waits for my signature, with amount, purpose, fund balance and quotes."""
    expenses, total = selectors.expenses_to_sign(request.school, request.user, request.capabilities)
    return render(
        request,
        "finance/sign_todo.html",
        {
            "expenses": expenses,
            "more": total - len(expenses),
            "base": reverse("finance:expense_detail", args=[school_code, 0])[:-2],
        },
    )


# ---------------------------------------------------------------- funds and budgets


@requires(caps.VIEW)
def fund_list(request: HttpRequest, school_code: str) -> HttpResponse:
    year = _year(request)
    return render(
        request,
        "finance/fund_list.html",
        {
            "funds": selectors.fund_page(request.school, year),
            "labels": selectors.labels("fund"),
            **_year_context(request, year),
        },
    )


@requires(caps.MANAGE)
def fund_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = FundForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_create(school=request.school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fund created."))
            return redirect("finance:fund_list", request.school.code)
    return render(request, "finance/simple_form.html", {"form": form, "title": _("New fund")})


@requires(caps.MANAGE)
def budget_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = BudgetLineForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_set(school=request.school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Budget saved."))
            return redirect("finance:fund_list", request.school.code)
    return render(request, "finance/simple_form.html", {"form": form, "title": _("Budget line")})


# ---------------------------------------------------------------- reports


EXPORT_FORMATS = ("xlsx", "pdf")


@requires(caps.VIEW)
def report_monthly(request: HttpRequest, school_code: str) -> HttpResponse:
    try:
        month = datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = timezone.localdate().replace(day=1)
    lines = selectors.monthly_statement(request.school, month.year, month.month)
    if request.GET.get("format") in EXPORT_FORMATS:
        return exports.monthly(request.GET["format"], request.school, month, lines)
    return render(
        request,
        "finance/report_monthly.html",
        {
            "lines": lines,
            "month": month,
            "totals": {
                key: sum((getattr(x, key) for x in lines), selectors.ZERO_D)
                for key in ("opening", "income", "spent", "closing")
            },
        },
    )


@requires(caps.VIEW)
def report_large(request: HttpRequest, school_code: str) -> HttpResponse:
    year = _year(request)
    expenses = selectors.large_expense_register(request.school, year)
    if request.GET.get("format") in EXPORT_FORMATS:
        return exports.large(request.GET["format"], request.school, expenses)
    return render(
        request,
        "finance/report_large.html",
        {"expenses": expenses, **_year_context(request, year)},
    )


@requires(caps.VIEW)
def report_cash(request: HttpRequest, school_code: str) -> HttpResponse:
    year = _year(request)
    if request.GET.get("format") in EXPORT_FORMATS:
        rows = selectors.cash_payments(request.school, year)[: exports.MAX_ROWS]
        return exports.cash(request.GET["format"], request.school, list(rows))
    page = paginate(selectors.cash_page(request.school, year), request.GET.get("page"))
    return render(
        request,
        "finance/report_cash.html",
        {"page": page, "labels": selectors.expense_labels(), **_year_context(request, year)},
    )


# ---------------------------------------------------------------- fees


@requires(caps.FEES)
def fee_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.fee_item_page(request.school), request.GET.get("page"))
    return render(
        request, "finance/fee_list.html", {"page": page, "labels": selectors.labels("fee")}
    )


@requires(caps.FEES)
def fee_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = FeeItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.fee_item_create(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Fee item created for %(n)s students.") % {"n": item.entries.count()}
            )
            return redirect("finance:fee_detail", request.school.code, item.pk)
    return render(request, "finance/simple_form.html", {"form": form, "title": _("New fee item")})


@requires(caps.FEES)
def fee_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    item = get_for_school(request, FeeItem, pk=pk)
    page = paginate(selectors.fee_entries(request.school, item), request.GET.get("page"))
    base = reverse("finance:fee_entry_edit", args=[school_code, item.pk, 0])[:-2]
    return render(request, "finance/fee_detail.html", {"item": item, "page": page, "base": base})


@requires(caps.FEES)
def student_list(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StudentImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.students_import(
                school=request.school, actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s students added.") % {"n": n})
            return redirect("finance:student_list", request.school.code)
    page = paginate(selectors.student_page(request.school), request.GET.get("page"))
    return render(request, "finance/student_list.html", {"page": page, "form": form})


@require_POST
@requires(caps.FEES)
def fee_entry_edit(request: HttpRequest, school_code: str, pk: int, entry: int) -> HttpResponse:
    item = get_for_school(request, FeeItem, pk=pk)
    entry_obj = get_for_school(request, FeeEntry, pk=entry, item=item)
    form = FeeEntryForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter an amount of 0 or more, in yuan and fen."))
        services.fee_entry_set(
            school=request.school,
            actor=request.user,
            entry_id=entry_obj.pk,
            amount=form.cleaned_data["amount"],
        )
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        messages.error(request, _message(exc))
    url = reverse("finance:fee_detail", args=[school_code, pk])
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


# ---------------------------------------------------------------- student aid


@requires(caps.AID)
def aid_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.aid_page(request.school), request.GET.get("page"))
    return render(
        request, "finance/aid_list.html", {"page": page, "labels": selectors.labels("aid")}
    )


@requires(caps.AID)
def aid_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = AidForm(
        request.POST or None,
        request.FILES or None,
        school=request.school,
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.aid_apply(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Application filed for review."))
            return redirect("finance:aid_detail", request.school.code, application.pk)
    return render(
        request, "finance/simple_form.html", {"form": form, "title": _("New aid application")}
    )


def _aid_for(request: HttpRequest, pk: int) -> AidApplication:
    """Aid handlers see every application; class teachers (the review step) see one while it
    waits for review, and nothing else of this personal data."""
    application = get_for_school(
        request, AidApplication.objects.select_related("student", "approval", "evidence"), pk=pk
    )
    if caps.AID in request.capabilities:
        return application
    if caps.AID_REVIEW not in request.capabilities:
        raise PermissionDenied
    if application.status != AidStatus.APPLIED:
        raise Http404
    return application


@requires(caps.REQUEST)  # and aid handling or review, checked in _aid_for
def aid_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    application = _aid_for(request, pk)
    if application.id_number or application.family_situation:
        record_personal_view(
            request,
            what=_("Student aid application #%(n)s: ID number and family situation")
            % {"n": application.pk},
            obj=application,
        )
    return render(
        request,
        "finance/aid_detail.html",
        {
            "application": application,
            "can_pay": application.status == AidStatus.APPROVED
            and caps.AID in request.capabilities,
            "publication_ended": application.status == AidStatus.APPROVED
            and services.aid_publication_ended(request.school, application),
        },
    )


@requires(caps.AID)
def aid_edit(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    """Correct a returned application and send it to the review again."""
    application = _aid_for(request, pk)
    if application.approval is None or application.approval.status != Approval.RETURNED:
        messages.error(request, _("Only a returned application can be changed and sent again."))
        return redirect("finance:aid_detail", request.school.code, application.pk)
    fields = ("category", "amount", "id_number", "family_situation")
    form = AidEditForm(
        request.POST or None,
        request.FILES or None,
        initial={f: getattr(application, f) for f in fields},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.aid_resubmit(
                school=request.school,
                actor=request.user,
                application_id=application.pk,
                evidence=data.pop("evidence") or None,
                **data,
            )
        except (ValidationError, ApprovalError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sent to the review again."))
            return redirect("finance:aid_detail", request.school.code, application.pk)
    return render(
        request,
        "finance/simple_form.html",
        {"form": form, "title": _("Change the aid application")},
    )


@require_POST
@requires(caps.AID)
def aid_resubmit(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    application = get_for_school(request, AidApplication, pk=pk)
    try:
        services.aid_resubmit(
            school=request.school, actor=request.user, application_id=application.pk
        )
        messages.success(request, _("Sent to the review group again."))
    except (ValidationError, PermissionDenied, ApprovalError) as exc:
        messages.error(request, _message(exc))
    return redirect("finance:aid_detail", request.school.code, application.pk)


@require_POST
@requires(caps.AID)
def aid_pay(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    application = get_for_school(request, AidApplication, pk=pk)
    try:
        services.aid_pay(school=request.school, actor=request.user, application_id=application.pk)
        messages.success(request, _("Payment recorded."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return redirect("finance:aid_detail", request.school.code, application.pk)
