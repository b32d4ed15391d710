"""Funds, budget lines, expenses and their two approval chains, fees, and student aid.

Money is Decimal(12, 2) in yuan. The rules that must hold whatever code writes the rows are
also in the database: the meal-fee and earmarked-fund rules and "never booked without both
chains approved" are triggers, the cash flag needs a reason by a check constraint.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.models import Approval, Attachment, SchoolOwned

MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0.00"))]


class Category(models.TextChoices):
    # A context: other apps translate the same words differently ("Equipment": 设备).
    FOOD = "food", pgettext_lazy("expense category", "Food ingredients")
    OFFICE = "office", pgettext_lazy("expense category", "Office supplies")
    EQUIPMENT = "equipment", pgettext_lazy("expense category", "Equipment")
    TEACHING = "teaching", pgettext_lazy("expense category", "Books and teaching equipment")
    REPAIR = "repair", pgettext_lazy("expense category", "Repairs and maintenance")
    CONSTRUCTION = "construction", pgettext_lazy("expense category", "Construction works")
    SAFETY = "safety", pgettext_lazy("expense category", "Safety installations")
    UTILITIES = "utilities", pgettext_lazy("expense category", "Water, electricity, fuel")
    TRAINING = "training", pgettext_lazy("expense category", "Training")
    SERVICES = "services", pgettext_lazy("expense category", "Labour and services")
    FEES = "fees", pgettext_lazy("expense category", "Fees passed on for parents")
    OTHER = "other", pgettext_lazy("expense category", "Other")


# 严禁非伙食支出在学生伙食费中列支: meal fees pay for food ingredients only.
MEAL_CATEGORIES = (Category.FOOD,)


class FundKind(models.TextChoices):
    PUBLIC = "public", _("Public operating funds")
    EARMARKED = "earmarked", _("Earmarked funds")
    MEAL = "meal", _("Student meal fees")
    COLLECTED = "collected", _("Fees collected for parents")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FinanceSettings(SchoolOwned):
    """A school's finance settings; national defaults until a school changes them."""

    cash_limit = models.DecimalField(
        _("cash limit (yuan)"),
        **MONEY,
        default=Decimal("200.00"),
        validators=NON_NEGATIVE,
        help_text=_("Cash payments above this amount need a reason and are flagged."),
    )
    min_quotes = models.PositiveSmallIntegerField(
        _("supplier quotes for large purchases"), default=3
    )
    aid_publication_days = models.PositiveSmallIntegerField(
        _("aid list publication period (days)"), default=7
    )
    PRINCIPAL_ONLY, FINANCE_AND_PRINCIPAL = "principal", "finance_principal"
    small_chain = models.CharField(
        _("signatures below the large-expense threshold"),
        max_length=20,
        choices=[
            (PRINCIPAL_ONLY, _("The principal alone")),
            (FINANCE_AND_PRINCIPAL, _("A finance-team member, then the principal")),
        ],
        default=PRINCIPAL_ONLY,
    )

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")
        constraints = [models.UniqueConstraint(fields=["school"], name="financesettings_uniq")]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Fund(SchoolOwned):
    year = models.PositiveSmallIntegerField(_("school year"), help_text=_("e.g. 2022 for 2022–23"))
    kind = models.CharField(_("kind"), max_length=12, choices=FundKind.choices)
    name = models.CharField(_("name"), max_length=80)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    allowed_categories = models.JSONField(
        _("allowed categories"),
        default=list,
        blank=True,
        help_text=_("Earmarked funds: the only categories they may pay for."),
    )
    amount = models.DecimalField(
        _("income for the year (yuan)"), **MONEY, default=Decimal("0.00"), validators=NON_NEGATIVE
    )

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-year", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "name"], name="fund_name_uniq"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in FundKind]), name="fund_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def allows(self, category: str) -> bool:
        if self.kind == FundKind.MEAL:
            return category in MEAL_CATEGORIES
        if self.kind in (FundKind.EARMARKED, FundKind.COLLECTED) and self.allowed_categories:
            return category in self.allowed_categories
        return True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class BudgetLine(SchoolOwned):
    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(_("budget (yuan)"), **MONEY, validators=NON_NEGATIVE)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["fund", "category"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "category"], name="budgetline_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.fund} · {self.get_category_display()}"


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CARD = "card", _("Official card")
    CASH = "cash", _("Cash")


class ExpenseStatus(models.TextChoices):
    HELD = "held", _("Over budget: waiting for the principal's override")
    PENDING = "pending", _("Waiting for pre-purchase signatures")
    APPROVED = "approved", _("Approved: purchase, then attach the invoice")
    SIGNOFF = "signoff", _("Waiting for the principal's booking sign-off")
    READY = "ready", _("Signed off: to be booked")
    BOOKED = "booked", _("Booked")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (ExpenseStatus.HELD, ExpenseStatus.PENDING)
# Approved and not yet paid: money the school has promised.
FIRM_STATUSES = (
    ExpenseStatus.APPROVED,
    ExpenseStatus.SIGNOFF,
    ExpenseStatus.READY,
    ExpenseStatus.BOOKED,
)
# Requests still in their chains count too, so a new request sees what others have asked for.
COMMITTED_STATUSES = (ExpenseStatus.PENDING, *FIRM_STATUSES)

_MEAL_AND_EARMARK_SQL = """
    DECLARE fund_kind varchar; fund_allowed jsonb;
    BEGIN
      SELECT kind, allowed_categories INTO fund_kind, fund_allowed
        FROM finance_fund WHERE id = NEW.fund_id;
      IF fund_kind = 'meal' AND NEW.category <> 'food' THEN
        RAISE EXCEPTION 'finance: meal fees pay for food only (expense %)', NEW.id
          USING ERRCODE = '23514';
      END IF;
      IF fund_kind IN ('earmarked', 'collected') AND jsonb_array_length(fund_allowed) > 0
         AND NOT fund_allowed ? NEW.category THEN
        RAISE EXCEPTION 'finance: category % not allowed by the fund', NEW.category
          USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END;
"""

_BOOKED_NEEDS_CHAINS_SQL = """
    BEGIN
      IF NEW.status IN ('booked', 'paid') AND (
           NOT EXISTS (SELECT 1 FROM logistics_approval
                       WHERE id = NEW.approval_id AND status = 'approved')
        OR NOT EXISTS (SELECT 1 FROM logistics_approval
                       WHERE id = NEW.booking_approval_id AND status = 'approved')) THEN
        RAISE EXCEPTION 'finance: expense % booked without both approved chains', NEW.id
          USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END;
"""


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Expense(SchoolOwned):
    """One expense from request to payment. Never deleted: rejected or withdrawn stay listed."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="expenses"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=POSITIVE)
    payee = models.CharField(_("payee"), max_length=120)
    payment_method = models.CharField(
        _("payment method"),
        max_length=10,
        choices=PaymentMethod.choices,
        default=PaymentMethod.TRANSFER,
    )
    cash_reason = models.CharField(_("reason for paying cash"), max_length=200, blank=True)
    cash_flagged = models.BooleanField(_("cash above the limit"), default=False)
    quote_reason = models.CharField(
        _("reason for fewer than three quotes"), max_length=300, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.PENDING
    )
    is_large = models.BooleanField(_("large expense"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booking_approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    over_budget = models.BooleanField(_("over budget"), default=False)
    override_reason = models.CharField(_("budget override reason"), max_length=300, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("override by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voucher_no = models.CharField(_("voucher number"), max_length=40, blank=True)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["school", "-requested_at", "-id"]),
            models.Index(fields=["school", "fund", "category", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ExpenseStatus]),
                name="expense_status_valid",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_pos"),
            models.CheckConstraint(
                condition=models.Q(cash_flagged=False) | ~models.Q(cash_reason=""),
                name="expense_cash_flag_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["booked", "paid"])
                | (~models.Q(voucher_no="") & models.Q(booked_at__isnull=False)),
                name="expense_booked_has_voucher",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="expense_fund_rules",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=_MEAL_AND_EARMARK_SQL,
            ),
            pgtrigger.Trigger(
                name="expense_booked_needs_chains",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=_BOOKED_NEEDS_CHAINS_SQL,
            ),
            pgtrigger.Protect(name="expense_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return self.purpose


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Quote(SchoolOwned):
    """A supplier's quote (货比三家), with its photo."""

    expense = models.ForeignKey(
        Expense, verbose_name=_("expense"), on_delete=models.PROTECT, related_name="quotes"
    )
    supplier = models.CharField(_("supplier"), max_length=120)
    amount = models.DecimalField(_("quoted amount (yuan)"), **MONEY, validators=POSITIVE)
    photo = models.ForeignKey(
        Attachment, verbose_name=_("photo"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["amount", "id"]

    def __str__(self) -> str:
        return f"{self.supplier} ¥{self.amount}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ExpenseDocument(SchoolOwned):
    """An invoice, receipt or other scan attached to an expense."""

    INVOICE, OTHER = "invoice", "other"
    KIND_CHOICES = [(INVOICE, _("Invoice or receipt")), (OTHER, _("Other document"))]
    expense = models.ForeignKey(
        Expense, verbose_name=_("expense"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES, default=INVOICE)
    attachment = models.ForeignKey(
        Attachment, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("expense document")
        verbose_name_plural = _("expense documents")
        ordering = ["id"]


# ---------------------------------------------------------------- fees and aid


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Student(SchoolOwned):
    class_name = models.CharField(_("class"), max_length=40)
    name = models.CharField(_("name"), max_length=40)
    number = models.CharField(_("student number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["class_name", "number", "name"]
        indexes = [models.Index(fields=["school", "class_name"])]

    def __str__(self) -> str:
        return f"{self.class_name} {self.name}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FeeItem(SchoolOwned):
    """Money collected for parents (教辅资料费, 作业本费) or passed to families (两免一补)."""

    COLLECT, DISBURSE = "collect", "disburse"
    DIRECTION_CHOICES = [(COLLECT, _("Collected from parents")), (DISBURSE, _("Paid to families"))]
    name = models.CharField(_("name"), max_length=80)
    direction = models.CharField(_("direction"), max_length=10, choices=DIRECTION_CHOICES)
    term = models.CharField(_("term"), max_length=40, help_text=_("e.g. 2022年秋季学期"))
    term_end = models.DateField(_("term end"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["-term_end", "direction", "name"]

    def __str__(self) -> str:
        return f"{self.term} {self.name}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FeeEntry(SchoolOwned):
    item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="entries")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="fee_entries")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=NON_NEGATIVE)

    class Meta:
        verbose_name = _("fee entry")
        verbose_name_plural = _("fee entries")
        constraints = [
            models.UniqueConstraint(fields=["item", "student"], name="feeentry_uniq"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="feeentry_amount_gte_0"),
        ]


class AidCategory(models.TextChoices):
    REGISTERED = "registered", _("Registered poor household (建档立卡)")
    SUBSISTENCE = "subsistence", _("Minimum-subsistence family (低保)")
    EXTREME = "extreme", _("Extreme hardship (特困供养)")
    DISABILITY = "disability", _("Disabled student or parent")
    OTHER = "other", _("Other hardship")


class AidStatus(models.TextChoices):
    APPLIED = "applied", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PAID = "paid", _("Paid")


# Row history (shown in the admin) leaves out the ID number and the family situation: the
# application itself is the one place that personal data lives.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    exclude=["id_number", "family_situation"],
)
class AidApplication(SchoolOwned):
    """困难学生资助. Sensitive personal data: only aid-handling capabilities see it."""

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("school year"))
    category = models.CharField(_("category"), max_length=12, choices=AidCategory.choices)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    family_situation = models.TextField(_("family situation"), blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=POSITIVE)
    evidence = models.ForeignKey(
        Attachment, verbose_name=_("evidence"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AidStatus.choices, default=AidStatus.APPLIED
    )
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("aid application")
        verbose_name_plural = _("aid applications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk}"
