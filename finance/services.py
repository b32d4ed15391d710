"""Every finance write. Keyword-only `<entity>_<verb>(*, school, actor, ...)` in a transaction.

An expense carries two documents of the approval engine:
- `finance.expense`: the pre-purchase chain. Above the school's threshold (strictly greater,
  in Decimal): 经办人 → 理财小组成员 → 校长 → 中心校长; otherwise the principal alone.
- `finance.booking`: the principal's sign-off before booking (每一笔支出必须经校长签字后方能下账).
The handler's step is signed by filing the request, as on the paper form.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance import capabilities as caps
from finance.models import (
    COMMITTED_STATUSES,
    FIRM_STATUSES,
    AidApplication,
    AidStatus,
    BudgetLine,
    Category,
    Expense,
    ExpenseDocument,
    ExpenseStatus,
    FeeEntry,
    FeeItem,
    FinanceSettings,
    Fund,
    FundKind,
    PaymentMethod,
    Quote,
    Student,
)
from finance.notices import AID_KIND
from logistics import approvals
from logistics.approvals import Step
from logistics.attachments import CleanUpload, attachment_create
from logistics.audit import record_event
from logistics.models import Approval, Membership, School
from logistics.roles import capabilities_for

EXPENSE_DOC = "finance.expense"
BOOKING_DOC = "finance.booking"
AID_DOC = "finance.aid"
# A change of any of these after a signature voids the signatures: the signers agreed to pay
# this much, from this fund, for this, to this payee, this way.
MATERIAL_FIELDS = ("amount", "fund", "category", "payee", "payment_method")


def _require(actor, school: School, capability: str) -> None:
    if capability not in (capabilities_for(actor, school) or ()):
        raise PermissionDenied(capability)


def settings_for(school: School) -> FinanceSettings:
    found = FinanceSettings.objects.filter(school=school).first()
    return found or FinanceSettings(school=school)


# ---------------------------------------------------------------- funds and budgets


def fund_create(
    *,
    school: School,
    actor,
    year: int,
    kind: str,
    name: str,
    amount: Decimal,
    purpose: str = "",
    allowed_categories: list[str] | None = None,
) -> Fund:
    with transaction.atomic():
        allowed = list(allowed_categories or [])
        if kind == FundKind.MEAL:
            allowed = [Category.FOOD.value]
        fund = Fund(
            school=school,
            year=year,
            kind=kind,
            name=name,
            purpose=purpose,
            allowed_categories=allowed,
            amount=amount,
        )
        fund.full_clean()
        fund.save()
        record_event(
            school=school, actor=actor, action="finance.fund.created", obj=fund, summary=str(fund)
        )
        return fund


def budget_line_set(
    *, school: School, actor, fund: Fund, category: str, amount: Decimal
) -> BudgetLine:
    """Create or change the budget of one category of a fund."""
    if fund.school_id != school.pk:
        raise ValidationError({"fund": _("Choose a fund of this school.")})
    if not fund.allows(category):
        raise ValidationError({"category": _("This fund may not pay for this category.")})
    with transaction.atomic():
        line = BudgetLine.objects.filter(school=school, fund=fund, category=category).first()
        line = line or BudgetLine(school=school, fund=fund, category=category)
        old = line.amount
        line.amount = amount
        line.full_clean()
        line.save()
        record_event(
            school=school,
            actor=actor,
            action="finance.budget.set",
            obj=line,
            summary=str(line),
            data={"old": old, "new": amount},
        )
        return line


@dataclass(frozen=True)
class Usage:
    budget: Decimal | None
    spent: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal | None:
        if self.budget is None:
            return None
        return self.budget - self.spent - self.committed


def budget_usage(
    school: School,
    fund: Fund,
    category: str,
    exclude_id: int | None = None,
    committed_statuses: tuple[str, ...] = COMMITTED_STATUSES,
) -> Usage:
    line = BudgetLine.objects.filter(school=school, fund=fund, category=category).first()
    rows = Expense.objects.filter(school=school, fund=fund, category=category)
    if exclude_id:
        rows = rows.exclude(pk=exclude_id)
    sums = rows.aggregate(
        spent=Sum("amount", filter=Q(status=ExpenseStatus.PAID)),
        committed=Sum("amount", filter=Q(status__in=committed_statuses)),
    )
    return Usage(
        budget=line.amount if line else None,
        spent=sums["spent"] or Decimal("0.00"),
        committed=sums["committed"] or Decimal("0.00"),
    )


# ---------------------------------------------------------------- policies


def _capabilities_of_others(school: School, user) -> set[str]:
    """Capabilities held in `school` by anyone but `user` (one query)."""
    rows = (
        Membership.roles.through.objects.filter(
            Q(membership__school=school)
            | Q(membership__school_id=school.parent_id, role__reaches_members=True)
        )
        .exclude(membership__user=user)
        .filter(membership__user__is_active=True)
        .values_list("role__capabilities", flat=True)
    )
    held: set[str] = set()
    for role_caps in rows:
        held.update(role_caps)
    return held


def _escalated(school: School, requester, wanted: list[Step]) -> list[Step]:
    """A step whose role nobody but the requester holds goes to the central school.

    Nobody signs their own document (the engine refuses it) unless the step names them, so
    without this such a chain could never be signed. The central-school principal then signs
    it; since one person signs one step, a chain that already ends with the central
    principal's step keeps that one step, labelled with both roles.
    """
    held = _capabilities_of_others(school, requester)
    steps: list[Step] = []
    escalated: list[str] = []
    central_label = ""
    for step in wanted:
        if step.capability == caps.SIGN_CENTRAL:
            central_label = str(step.label)
        elif step.capability == caps.REQUEST or step.capability in held:
            steps.append(step)
        else:
            escalated.append(_("%(role)s (by the central school)") % {"role": step.label})
    if escalated or central_label:
        label = "、".join(x for x in [*escalated, central_label] if x)
        steps.append(Step(caps.SIGN_CENTRAL, label))
    return steps


def expense_policy(school: School, expense: Expense) -> list[Step]:
    if expense.amount > school.large_expense_threshold:
        wanted = [
            Step(caps.REQUEST, _("Handler"), user_id=expense.requested_by_id),
            Step(caps.SIGN_FINANCE_TEAM, _("Finance-team member")),
            Step(caps.SIGN_PRINCIPAL, _("Principal")),
            Step(caps.SIGN_CENTRAL, _("Central-school principal")),
        ]
    elif settings_for(school).small_chain == FinanceSettings.FINANCE_AND_PRINCIPAL:
        wanted = [
            Step(caps.SIGN_FINANCE_TEAM, _("Finance-team member")),
            Step(caps.SIGN_PRINCIPAL, _("Principal")),
        ]
    else:
        wanted = [Step(caps.SIGN_PRINCIPAL, _("Principal"))]
    return _escalated(school, expense.requested_by, wanted)


def booking_policy(school: School, expense: Expense) -> list[Step]:
    return _escalated(
        school, expense.requested_by, [Step(caps.SIGN_PRINCIPAL, _("Principal (booking sign-off)"))]
    )


def _expense_of(approval: Approval, field: str) -> Expense | None:
    return Expense.objects.filter(school=approval.school_id, **{field: approval}).first()


def on_expense_finished(approval: Approval) -> None:
    """Runs inside the transaction of the last signature (or the rejection, withdrawal)."""
    expense = _expense_of(approval, "approval")
    if expense is None:
        return
    if approval.status == Approval.APPROVED and expense.status == ExpenseStatus.PENDING:
        _lock_budget_line(expense)
        # Requests approved since this one was filed may have used up the line: without the
        # principal's override, the last signature leaves it waiting for one.
        if expense.override_by_id is None and _is_over_budget(
            approval.school, expense, committed_statuses=FIRM_STATUSES
        ):
            expense.status, expense.over_budget = ExpenseStatus.HELD, True
            expense.save(update_fields=["status", "over_budget"])
            record_event(
                school=approval.school,
                actor=None,
                action="finance.expense.held",
                obj=expense,
                summary=expense.purpose,
                data={"amount": expense.amount},
            )
            return
    new = {
        Approval.APPROVED: ExpenseStatus.APPROVED,
        Approval.REJECTED: ExpenseStatus.REJECTED,
        Approval.WITHDRAWN: ExpenseStatus.WITHDRAWN,
    }.get(approval.status)
    if new and expense.status == ExpenseStatus.PENDING:
        expense.status = new
        expense.save(update_fields=["status"])


def on_booking_finished(approval: Approval) -> None:
    expense = _expense_of(approval, "booking_approval")
    if expense is None or expense.status != ExpenseStatus.SIGNOFF:
        return
    new = {
        Approval.APPROVED: ExpenseStatus.READY,
        Approval.REJECTED: ExpenseStatus.REJECTED,
        Approval.WITHDRAWN: ExpenseStatus.APPROVED,
    }.get(approval.status)
    if new:
        expense.status = new
        expense.save(update_fields=["status"])


def aid_policy(school: School, application: AidApplication) -> list[Step]:
    return _escalated(
        school,
        application.created_by,
        [
            Step(caps.AID_REVIEW, _("Class-teacher review")),
            Step(caps.AID_APPROVE, _("Aid leading group")),
        ],
    )


def on_aid_finished(approval: Approval) -> None:
    application = AidApplication.objects.filter(
        school=approval.school_id, approval=approval
    ).first()
    if application is None or application.status != AidStatus.APPLIED:
        return
    if approval.status == Approval.APPROVED:
        application.status, application.approved_at = AidStatus.APPROVED, timezone.now()
    elif approval.status == Approval.REJECTED:
        application.status = AidStatus.REJECTED
    elif approval.status == Approval.WITHDRAWN:
        application.status = AidStatus.WITHDRAWN
    application.save(update_fields=["status", "approved_at"])


# ---------------------------------------------------------------- expense rules


def _check_fund_rule(*, school: School, actor, fund: Fund, category: str, purpose: str) -> None:
    """Refuse a category the fund may not pay for, and keep the refused attempt on record.

    The event is written before (outside) the transaction that would have saved the expense,
    so the refusal stays in the audit log although nothing else is saved.
    """
    if fund.school_id != school.pk:
        raise ValidationError({"fund": _("Choose a fund of this school.")})
    if fund.allows(category):
        return
    if fund.kind == FundKind.MEAL:
        message = _(
            "Student meal fees pay for food ingredients only; choose another fund for this expense."
        )
    else:
        message = _("The fund “%(fund)s” may not pay for “%(category)s”.") % {
            "fund": fund.name,
            "category": Category(category).label,
        }
    record_event(
        school=school,
        actor=actor,
        action="finance.expense.refused",
        obj=fund,
        summary=f"{purpose} · {Category(category).label}"[:300],
        data={"fund": fund.pk, "fund_kind": fund.kind, "category": category},
    )
    raise ValidationError({"category": message})


def _check_rules(
    *,
    school: School,
    amount: Decimal,
    payment_method: str,
    cash_reason: str,
    quote_count: int,
    quote_reason: str,
) -> tuple[bool, bool]:
    """The rules of a request; returns (is_large, cash_flagged)."""
    settings = settings_for(school)
    errors: dict[str, str] = {}
    is_large = amount > school.large_expense_threshold
    cash_flagged = payment_method == PaymentMethod.CASH and amount > settings.cash_limit
    if cash_flagged and not cash_reason.strip():
        errors["cash_reason"] = _(
            "Cash is for small sundries up to ¥%(limit)s; give the reason for paying cash."
        ) % {"limit": settings.cash_limit}
    if is_large and quote_count < settings.min_quotes and not quote_reason.strip():
        errors["quote_reason"] = _(
            "Purchases above ¥%(threshold)s need %(n)s supplier quotes, "
            "or a written reason for fewer."
        ) % {"threshold": school.large_expense_threshold, "n": settings.min_quotes}
    if errors:
        raise ValidationError(errors)
    return is_large, cash_flagged


def _lock_budget_line(expense: Expense) -> None:
    """Take the budget line's row lock: whoever checks the same line next waits for this
    transaction, and then counts this expense."""
    list(
        BudgetLine.objects.select_for_update()
        .filter(school=expense.school_id, fund=expense.fund_id, category=expense.category)
        .values_list("pk", flat=True)
    )


def _is_over_budget(
    school: School, expense: Expense, committed_statuses: tuple[str, ...] = COMMITTED_STATUSES
) -> bool:
    usage = budget_usage(
        school,
        expense.fund,
        expense.category,
        exclude_id=expense.pk,
        committed_statuses=committed_statuses,
    )
    remaining = usage.remaining if usage.budget is not None else Decimal("0.00")
    return expense.amount > remaining


def _sign_handler_step(school: School, expense: Expense, approval: Approval) -> Approval:
    if approval.steps and approval.steps[0]["capability"] == caps.REQUEST:
        return approvals.approval_sign(
            school=school, actor=expense.requested_by, approval_id=approval.pk, step=0
        )
    return approval


def _start_expense_chain(school: School, expense: Expense) -> None:
    # The handler is the requester whoever starts the chain (the principal's override too):
    # the handler withdraws and edits it, and never signs a step that does not name them.
    approval = approvals.approval_start(
        school=school,
        actor=expense.requested_by,
        doc_type=EXPENSE_DOC,
        obj=expense,
        title=expense.purpose,
        amount=expense.amount,
    )
    expense.approval = approval
    expense.status = ExpenseStatus.PENDING
    expense.save(update_fields=["approval", "status"])
    _sign_handler_step(school, expense, approval)


@dataclass(frozen=True)
class QuoteInput:
    supplier: str
    amount: Decimal
    photo: CleanUpload | None = None


def expense_create(
    *,
    school: School,
    actor,
    fund: Fund,
    category: str,
    purpose: str,
    amount: Decimal,
    payee: str,
    payment_method: str = PaymentMethod.TRANSFER,
    cash_reason: str = "",
    quote_reason: str = "",
    quotes: list[QuoteInput] | None = None,
    documents: list[CleanUpload] | None = None,
) -> Expense:
    """File a request. It goes to its chain at once, or waits for the principal's override
    when it would overspend its budget line."""
    quotes = quotes or []
    _check_fund_rule(school=school, actor=actor, fund=fund, category=category, purpose=purpose)
    is_large, cash_flagged = _check_rules(
        school=school,
        amount=amount,
        payment_method=payment_method,
        cash_reason=cash_reason,
        quote_count=len(quotes),
        quote_reason=quote_reason,
    )
    with transaction.atomic():
        expense = Expense(
            school=school,
            fund=fund,
            category=category,
            purpose=purpose,
            amount=amount,
            payee=payee,
            payment_method=payment_method,
            cash_reason=cash_reason,
            cash_flagged=cash_flagged,
            quote_reason=quote_reason,
            is_large=is_large,
            requested_by=actor,
            status=ExpenseStatus.HELD,
        )
        expense.full_clean()
        expense.save()
        for q in quotes:
            photo = (
                attachment_create(school=school, actor=actor, upload=q.photo) if q.photo else None
            )
            quote = Quote(
                school=school, expense=expense, supplier=q.supplier, amount=q.amount, photo=photo
            )
            quote.full_clean()
            quote.save()
        for upload in documents or []:
            ExpenseDocument.objects.create(
                school=school,
                expense=expense,
                kind=ExpenseDocument.OTHER,
                attachment=attachment_create(school=school, actor=actor, upload=upload),
            )
        _lock_budget_line(expense)
        expense.over_budget = _is_over_budget(school, expense)
        expense.save(update_fields=["over_budget"])
        record_event(
            school=school,
            actor=actor,
            action="finance.expense.requested",
            obj=expense,
            summary=purpose,
            data={"amount": amount, "fund": fund.pk, "category": category, "large": is_large},
        )
        if not expense.over_budget:
            _start_expense_chain(school, expense)
        return expense


def _locked_expense(school: School, expense_id: int) -> Expense:
    return (
        Expense.objects.select_for_update().select_related("fund").get(pk=expense_id, school=school)
    )


def expense_budget_override(*, school: School, actor, expense_id: int, reason: str) -> Expense:
    """The principal lets an over-budget request go to its chain, with a reason (logged)."""
    _require(actor, school, caps.OVERRIDE)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for exceeding the budget.")})
    with transaction.atomic():
        expense = _locked_expense(school, expense_id)
        if expense.status != ExpenseStatus.HELD:
            if expense.override_by_id == actor.pk:
                return expense  # a repeated POST
            raise ValidationError(_("This request is not waiting for a budget override."))
        expense.override_reason = reason.strip()[:300]
        expense.override_by = actor
        expense.save(update_fields=["override_reason", "override_by"])
        record_event(
            school=school,
            actor=actor,
            action="finance.expense.budget_overridden",
            obj=expense,
            summary=reason[:300],
            data={"amount": expense.amount},
        )
        if expense.approval_id and expense.approval.status == Approval.APPROVED:
            # Held at its last signature: the chain is complete, the override lets it through.
            expense.status = ExpenseStatus.APPROVED
            expense.save(update_fields=["status"])
        elif expense.approval_id:
            approvals.approval_restart(
                school=school,
                actor=actor,
                approval_id=expense.approval_id,
                obj=expense,
                reason=_("Budget override"),
                title=expense.purpose,
                amount=expense.amount,
            )
            expense.status = ExpenseStatus.PENDING
            expense.save(update_fields=["status"])
            _sign_handler_step(school, expense, expense.approval)
        else:
            _start_expense_chain(school, expense)
        return expense


EDITABLE_STATUSES = (
    ExpenseStatus.HELD,
    ExpenseStatus.PENDING,
    ExpenseStatus.APPROVED,
    ExpenseStatus.SIGNOFF,
    ExpenseStatus.READY,
)


def expense_update(
    *,
    school: School,
    actor,
    expense_id: int,
    resubmit: bool = False,
    new_quotes: list[QuoteInput] | None = None,
    **changes: Any,
) -> Expense:
    """The handler changes a request (and may add quotes). Changing a material field (amount,
    fund, category, payee, payment method) after any signature voids every signature and
    restarts the chain (visibly: the engine logs the restart and the page lists the voided
    signatures)."""
    expense = Expense.objects.select_related("fund").get(pk=expense_id, school=school)
    _check_editable(expense, actor)
    fund = changes.get("fund", expense.fund)
    category = changes.get("category", expense.category)
    purpose = changes.get("purpose", expense.purpose)
    if "fund" in changes or "category" in changes:
        _check_fund_rule(school=school, actor=actor, fund=fund, category=category, purpose=purpose)
    with transaction.atomic():
        expense = _locked_expense(school, expense_id)
        # Again under the row lock: the expense may have been booked since the first read.
        _check_editable(expense, actor)
        material = [
            f for f in MATERIAL_FIELDS if f in changes and changes[f] != getattr(expense, f)
        ]
        for name, value in changes.items():
            setattr(expense, name, value)
        for q in new_quotes or []:
            photo = (
                attachment_create(school=school, actor=actor, upload=q.photo) if q.photo else None
            )
            quote = Quote(
                school=school, expense=expense, supplier=q.supplier, amount=q.amount, photo=photo
            )
            quote.full_clean()
            quote.save()
        is_large, cash_flagged = _check_rules(
            school=school,
            amount=expense.amount,
            payment_method=expense.payment_method,
            cash_reason=expense.cash_reason,
            quote_count=expense.quotes.count(),
            quote_reason=expense.quote_reason,
        )
        expense.is_large, expense.cash_flagged = is_large, cash_flagged
        expense.full_clean()
        expense.save()
        record_event(
            school=school,
            actor=actor,
            action="finance.expense.changed",
            obj=expense,
            summary=expense.purpose,
            data={
                "changed": sorted(changes),
                "material": material,
                "new_quotes": len(new_quotes or []),
            },
        )
        approval = expense.approval
        if material:
            _lock_budget_line(expense)
            expense.over_budget = _is_over_budget(school, expense)
            expense.override_reason, expense.override_by = "", None
            if expense.over_budget:
                expense.status = ExpenseStatus.HELD
            expense.save(update_fields=["over_budget", "override_reason", "override_by", "status"])
            reason = _("Changed after signing: %(fields)s") % {
                "fields": ", ".join(str(Expense._meta.get_field(f).verbose_name) for f in material)
            }
            if expense.booking_approval_id and expense.booking_approval.status in (
                Approval.PENDING,
                Approval.APPROVED,
                Approval.RETURNED,
            ):
                _void_booking(school, actor, expense, reason)
            if approval is not None:
                approval = approvals.approval_restart(
                    school=school,
                    actor=actor,
                    approval_id=approval.pk,
                    obj=expense,
                    reason=reason,
                    title=expense.purpose,
                    amount=expense.amount,
                )
                if expense.over_budget:
                    # Nobody signs a request the principal has not let exceed its budget:
                    # the chain waits, withdrawn, until the override restarts it.
                    approvals.approval_withdraw(school=school, actor=actor, approval_id=approval.pk)
                else:
                    expense.status = ExpenseStatus.PENDING
                    expense.save(update_fields=["status"])
                    _sign_handler_step(school, expense, approval)
            elif not expense.over_budget:
                _start_expense_chain(school, expense)
        elif resubmit and approval is not None and approval.status == Approval.RETURNED:
            approval = approvals.approval_resubmit(
                school=school, actor=actor, approval_id=approval.pk, obj=expense
            )
            _sign_handler_step(school, expense, approval)
        return expense


def _check_editable(expense: Expense, actor) -> None:
    if expense.requested_by_id != actor.pk:
        raise PermissionDenied("only the handler edits a request")
    if expense.status not in EDITABLE_STATUSES:
        raise ValidationError(_("This expense can no longer be changed."))


def _void_booking(school: School, actor, expense: Expense, reason: str) -> None:
    """The booking sign-off no longer holds: void its signatures; the invoice is resent later."""
    approvals.approval_restart(
        school=school,
        actor=actor,
        approval_id=expense.booking_approval_id,
        obj=expense,
        reason=reason,
        amount=expense.amount,
    )


def expense_submit_invoice(
    *, school: School, actor, expense_id: int, upload: CleanUpload | None
) -> Expense:
    """After the purchase: attach the invoice and ask for the principal's booking sign-off.

    A sign-off returned for revision comes back here too: a corrected invoice (or none, when
    the one on file stands) and the sign-off is asked for again."""
    with transaction.atomic():
        expense = _locked_expense(school, expense_id)
        booking = expense.booking_approval
        returned = (
            expense.status == ExpenseStatus.SIGNOFF
            and booking is not None
            and booking.status == Approval.RETURNED
        )
        if expense.status == ExpenseStatus.SIGNOFF and not returned and upload is None:
            return expense  # a repeated POST
        if expense.status != ExpenseStatus.APPROVED and not returned:
            raise ValidationError(_("The invoice is attached after the purchase is approved."))
        if expense.requested_by_id != actor.pk:
            _require(actor, school, caps.VIEW)
        if upload is not None:
            ExpenseDocument.objects.create(
                school=school,
                expense=expense,
                kind=ExpenseDocument.INVOICE,
                attachment=attachment_create(school=school, actor=actor, upload=upload),
            )
        elif not expense.documents.filter(kind=ExpenseDocument.INVOICE).exists():
            raise ValidationError({"invoice": _("Attach the invoice or receipt.")})
        expense.status = ExpenseStatus.SIGNOFF
        expense.save(update_fields=["status"])
        if returned:
            approvals.approval_resubmit(
                school=school, actor=actor, approval_id=booking.pk, obj=expense
            )
        elif expense.booking_approval_id is None:
            expense.booking_approval = approvals.approval_start(
                school=school,
                # The handler is the requester (see _start_expense_chain), also when the
                # accountant attaches the invoice for them.
                actor=expense.requested_by,
                doc_type=BOOKING_DOC,
                obj=expense,
                title=_("Booking: %(purpose)s") % {"purpose": expense.purpose},
                amount=expense.amount,
            )
            expense.save(update_fields=["booking_approval"])
        else:
            approvals.approval_restart(
                school=school,
                actor=actor,
                approval_id=expense.booking_approval_id,
                obj=expense,
                reason=_("Invoice submitted again"),
                amount=expense.amount,
            )
        record_event(
            school=school,
            actor=actor,
            action="finance.expense.invoice_submitted",
            obj=expense,
            summary=expense.purpose,
        )
        return expense


def _both_chains_approved(expense: Expense) -> bool:
    ids = [expense.approval_id, expense.booking_approval_id]
    if None in ids:
        return False
    return (
        Approval.objects.filter(
            school=expense.school_id, pk__in=ids, status=Approval.APPROVED
        ).count()
        == 2
    )


def expense_book(*, school: School, actor, expense_id: int, voucher_no: str) -> Expense:
    """下账: the accountant books a signed-off expense under a voucher number."""
    _require(actor, school, caps.BOOK)
    voucher_no = voucher_no.strip()
    if not voucher_no:
        raise ValidationError({"voucher_no": _("Enter the voucher number.")})
    with transaction.atomic():
        expense = _locked_expense(school, expense_id)
        if expense.status in (ExpenseStatus.BOOKED, ExpenseStatus.PAID):
            if expense.voucher_no == voucher_no:
                return expense  # a repeated POST
            raise ValidationError(_("This expense is already booked."))
        if expense.status != ExpenseStatus.READY or not _both_chains_approved(expense):
            raise ValidationError(_("Only an expense signed off by the principal can be booked."))
        expense.voucher_no = voucher_no
        expense.booked_at = timezone.now()
        expense.booked_by = actor
        expense.status = ExpenseStatus.BOOKED
        expense.full_clean()
        expense.save(update_fields=["voucher_no", "booked_at", "booked_by", "status"])
        record_event(
            school=school,
            actor=actor,
            action="finance.expense.booked",
            obj=expense,
            summary=f"{voucher_no} {expense.purpose}",
            data={"amount": expense.amount, "voucher_no": voucher_no},
        )
        return expense


def expense_pay(
    *, school: School, actor, expense_id: int, method: str, cash_reason: str = ""
) -> Expense:
    """Record the payment; cash above the school's limit needs a reason and is flagged."""
    _require(actor, school, caps.PAY)
    with transaction.atomic():
        expense = _locked_expense(school, expense_id)
        if expense.status == ExpenseStatus.PAID:
            return expense
        if expense.status != ExpenseStatus.BOOKED:
            raise ValidationError(_("An expense is paid after it is booked."))
        limit = settings_for(school).cash_limit
        flagged = method == PaymentMethod.CASH and expense.amount > limit
        if flagged and not cash_reason.strip():
            raise ValidationError(
                {
                    "cash_reason": _(
                        "Cash is for small sundries up to ¥%(limit)s; give the reason "
                        "for paying cash."
                    )
                    % {"limit": limit}
                }
            )
        expense.payment_method = method
        expense.cash_flagged = flagged
        if method == PaymentMethod.CASH:
            expense.cash_reason = cash_reason.strip()[:200] or expense.cash_reason
        expense.status = ExpenseStatus.PAID
        expense.paid_at = timezone.now()
        expense.paid_by = actor
        expense.full_clean()
        expense.save()
        record_event(
            school=school,
            actor=actor,
            action="finance.expense.paid",
            obj=expense,
            summary=expense.purpose,
            data={"amount": expense.amount, "method": method, "cash_flagged": flagged},
        )
        return expense


def expense_sign(*, school: School, actor, expense_id: int, which: str, step: int) -> Approval:
    """Sign the expense's current chain from a list (the principal's to-do)."""
    expense = Expense.objects.get(pk=expense_id, school=school)
    approval_id = expense.approval_id if which == "expense" else expense.booking_approval_id
    if approval_id is None:
        raise approvals.ApprovalError(_("This document is not waiting for signatures."))
    return approvals.approval_sign(school=school, actor=actor, approval_id=approval_id, step=step)


# ---------------------------------------------------------------- fees


def student_create(
    *, school: School, actor, class_name: str, name: str, number: str = ""
) -> Student:
    with transaction.atomic():
        student = Student(school=school, class_name=class_name, name=name, number=number)
        student.full_clean()
        student.save()
        return student


def students_import(*, school: School, actor, text: str) -> int:
    """Add students from pasted lines "class name [number]" (tabs, spaces or commas, as
    copied from a spreadsheet). Students already on file are skipped; returns how many were
    added."""
    wanted: list[tuple[str, str, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in re.split(r"[\t,，\s]+", line.strip()) if p]
        if not parts:
            continue
        if len(parts) not in (2, 3):
            raise ValidationError(
                {
                    "text": _("Line %(n)s: write the class, the name and optionally the number.")
                    % {"n": n}
                }
            )
        wanted.append((parts[0][:40], parts[1][:40], parts[2][:40] if len(parts) == 3 else ""))
    with transaction.atomic():
        existing = set(
            Student.objects.filter(school=school).values_list("class_name", "name", "number")
        )
        new = [
            Student(school=school, class_name=c, name=name, number=number)
            for c, name, number in dict.fromkeys(wanted)
            if (c, name, number) not in existing
        ]
        Student.objects.bulk_create(new)
        record_event(
            school=school,
            actor=actor,
            action="finance.students.imported",
            summary=_("%(n)s students added") % {"n": len(new)},
            data={"added": len(new), "lines": len(wanted)},
        )
        return len(new)


def _fee_amount(amount: Decimal) -> Decimal:
    """A fee amount: yuan and fen, 0 or more (also checked by the database)."""
    try:
        value = Decimal(amount)
    except (ArithmeticError, TypeError, ValueError):
        value = Decimal("NaN")
    if (
        not value.is_finite()
        or value < 0
        or value >= Decimal("1e10")
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ValidationError({"amount": _("Enter an amount of 0 or more, in yuan and fen.")})
    return value


def fee_item_create(
    *,
    school: School,
    actor,
    name: str,
    direction: str,
    term: str,
    term_end,
    amount: Decimal,
    class_name: str = "",
) -> FeeItem:
    """A fee item with the same amount for every student of a class (or of the school);
    single amounts are corrected afterwards with fee_entry_set."""
    amount = _fee_amount(amount)
    with transaction.atomic():
        item = FeeItem(
            school=school,
            name=name,
            direction=direction,
            term=term,
            term_end=term_end,
            created_by=actor,
        )
        item.full_clean()
        item.save()
        students = Student.objects.filter(school=school)
        if class_name:
            students = students.filter(class_name=class_name)
        FeeEntry.objects.bulk_create(
            [FeeEntry(school=school, item=item, student=s, amount=amount) for s in students]
        )
        record_event(
            school=school,
            actor=actor,
            action="finance.fee.created",
            obj=item,
            summary=str(item),
            data={"amount": amount, "class": class_name},
        )
        return item


def fee_entry_set(*, school: School, actor, entry_id: int, amount: Decimal) -> FeeEntry:
    amount = _fee_amount(amount)
    with transaction.atomic():
        entry = FeeEntry.objects.select_for_update().get(pk=entry_id, school=school)
        old, entry.amount = entry.amount, amount
        entry.full_clean()
        entry.save(update_fields=["amount"])
        record_event(
            school=school,
            actor=actor,
            action="finance.fee.entry_changed",
            obj=entry,
            data={"old": old, "new": amount},
        )
        return entry


# ---------------------------------------------------------------- student aid


def aid_apply(
    *,
    school: School,
    actor,
    student: Student,
    year: int,
    category: str,
    amount: Decimal,
    id_number: str = "",
    family_situation: str = "",
    evidence: CleanUpload | None = None,
) -> AidApplication:
    _require(actor, school, caps.AID)
    if student.school_id != school.pk:
        raise ValidationError({"student": _("Choose a student of this school.")})
    with transaction.atomic():
        application = AidApplication(
            school=school,
            student=student,
            year=year,
            category=category,
            amount=amount,
            id_number=id_number.strip(),
            family_situation=family_situation,
            created_by=actor,
        )
        if evidence is not None:
            # Evidence is personal data: only aid handlers may download it.
            application.evidence = attachment_create(
                school=school, actor=actor, upload=evidence, view_capability=caps.AID
            )
        application.full_clean()
        application.save()
        # The title carries no name: approval titles appear in the audit log and to-do lists.
        application.approval = approvals.approval_start(
            school=school,
            actor=actor,
            doc_type=AID_DOC,
            obj=application,
            title=_("Student aid application #%(n)s") % {"n": application.pk},
            amount=amount,
        )
        application.save(update_fields=["approval"])
        return application


AID_EDITABLE_FIELDS = ("category", "amount", "id_number", "family_situation")


def aid_resubmit(*, school: School, actor, application_id: int, **changes: Any) -> AidApplication:
    """Send a returned application to the review group again, with its corrections
    (category, amount, ID number, family situation, a new evidence scan as `evidence`)."""
    _require(actor, school, caps.AID)
    evidence: CleanUpload | None = changes.pop("evidence", None)
    unknown = set(changes) - set(AID_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        application = AidApplication.objects.select_for_update().get(
            pk=application_id, school=school
        )
        if application.approval_id is None or application.status != AidStatus.APPLIED:
            raise ValidationError(_("This application is not waiting for review."))
        if application.approval.status == Approval.PENDING and not (changes or evidence):
            return application  # a repeated POST
        if application.approval.status != Approval.RETURNED:
            raise ValidationError(_("Only a returned application can be changed and sent again."))
        changed = [f for f in changes if changes[f] != getattr(application, f)]
        for name in changed:
            setattr(application, name, changes[name])
        application.id_number = application.id_number.strip()
        if evidence is not None:
            application.evidence = attachment_create(
                school=school, actor=actor, upload=evidence, view_capability=caps.AID
            )
            changed.append("evidence")
        application.full_clean()
        application.save()
        # Field names only: the values are personal data and stay out of the audit log.
        record_event(
            school=school,
            actor=actor,
            action="finance.aid.changed",
            obj=application,
            summary=_("Student aid application #%(n)s") % {"n": application.pk},
            data={"changed": sorted(changed)},
        )
        approvals.approval_resubmit(
            school=school, actor=actor, approval_id=application.approval_id, obj=application
        )
        return application


def aid_publication_ended(school: School, application: AidApplication) -> bool:
    """Whether a published aid list covering the application's approval day has left the
    board (公示期满): only then may the aid be paid."""
    from logistics.notices.models import Notice

    if application.approved_at is None:
        return False
    day = timezone.localdate(application.approved_at)
    return Notice.objects.filter(
        school=school,
        kind=AID_KIND,
        status=Notice.PUBLISHED,
        period_start__lte=day,
        period_end__gte=day,
        public_until__lt=timezone.localdate(),
    ).exists()


def aid_pay(*, school: School, actor, application_id: int) -> AidApplication:
    _require(actor, school, caps.AID)
    with transaction.atomic():
        application = AidApplication.objects.select_for_update().get(
            pk=application_id, school=school
        )
        if application.status == AidStatus.PAID:
            return application
        if application.status != AidStatus.APPROVED:
            raise ValidationError(_("Only approved aid can be paid."))
        if not aid_publication_ended(school, application):
            raise ValidationError(
                _(
                    "Aid is paid after the aid list naming it has been published and its "
                    "publication period has ended."
                )
            )
        application.status = AidStatus.PAID
        application.paid_at = timezone.now()
        application.paid_by = actor
        application.save(update_fields=["status", "paid_at", "paid_by"])
        record_event(
            school=school,
            actor=actor,
            action="finance.aid.paid",
            obj=application,
            summary=_("Student aid application #%(n)s") % {"n": application.pk},
            data={"amount": application.amount},
        )
        return application


def aid_anonymise(before: datetime.date) -> int:
    """Blank the ID numbers and family details of aid applications filed before `before`
    (personal-data retention); amounts, statuses and the audit chain stay as they are."""
    start = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    total = 0
    with transaction.atomic():
        old = AidApplication.objects.filter(created_at__lt=start).exclude(
            id_number="", family_situation=""
        )
        for school_id in old.values_list("school", flat=True).distinct():
            count = old.filter(school=school_id).update(id_number="", family_situation="")
            record_event(
                school=School.objects.get(pk=school_id),
                actor=None,
                action="finance.aid.anonymised",
                summary=_("%(n)s student aid applications anonymised") % {"n": count},
                data={"before": before.isoformat(), "count": count},
            )
            total += count
    return total
