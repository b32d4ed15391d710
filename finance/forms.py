"""Forms never carry `school`: choices are filtered to the school, services set it."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from finance.models import (
    AidCategory,
    Category,
    FeeItem,
    Fund,
    FundKind,
    PaymentMethod,
    Student,
)
from logistics.attachments import AttachmentField
from logistics.forms import StyledFormMixin

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class FundChoiceMixin:
    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = Fund.objects.filter(school=school).order_by(
            "-year", "kind", "name"
        )


class ExpenseForm(StyledFormMixin, FundChoiceMixin, forms.Form):
    purpose = forms.CharField(label=_("purpose"), max_length=200)
    amount = forms.DecimalField(label=_("amount (yuan)"), **MONEY)
    fund = forms.ModelChoiceField(label=_("fund"), queryset=Fund.objects.none())
    category = forms.ChoiceField(
        label=_("category"), choices=[("", "---------"), *Category.choices]
    )
    payee = forms.CharField(label=_("payee"), max_length=120)
    payment_method = forms.ChoiceField(
        label=_("payment method"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER
    )
    cash_reason = forms.CharField(label=_("reason for paying cash"), max_length=200, required=False)
    quote_reason = forms.CharField(
        label=_("reason for fewer than three quotes"), max_length=300, required=False
    )
    document = AttachmentField(
        label=_("other document (contract, plan, photo)"),
        required=False,
        help_text=_("Quotes have their own photos below."),
    )


class QuoteForm(StyledFormMixin, forms.Form):
    supplier = forms.CharField(label=_("supplier"), max_length=120, required=False)
    amount = forms.DecimalField(label=_("quoted amount (yuan)"), required=False, **MONEY)
    photo = AttachmentField(label=_("photo of the quote"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("supplier") and data.get("amount") is None:
            self.add_error("amount", _("Enter the quoted amount."))
        if data.get("amount") is not None and not data.get("supplier"):
            self.add_error("supplier", _("Enter the supplier."))
        return data


# validate_max: a posted TOTAL_FORMS above six is refused, not parsed (and its uploads stored).
QuoteFormSet = forms.formset_factory(QuoteForm, extra=3, max_num=6, validate_max=True)


class ExpenseEditForm(ExpenseForm):
    """The same fields; changing amount, fund, category, payee or payment method voids the
    signatures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["document"]


class InvoiceForm(StyledFormMixin, forms.Form):
    invoice = AttachmentField(label=_("invoice or receipt"))

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].required = required
        if not required:
            self.fields["invoice"].help_text = _("Empty: the invoice on file stands.")


class BookForm(StyledFormMixin, forms.Form):
    voucher_no = forms.CharField(label=_("voucher number"), max_length=40)


class PayForm(StyledFormMixin, forms.Form):
    method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    cash_reason = forms.CharField(label=_("reason for paying cash"), max_length=200, required=False)


class OverrideForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason for exceeding the budget"), max_length=300)


class FundForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("school year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("kind"), choices=FundKind.choices)
    name = forms.CharField(label=_("name"), max_length=80)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)
    allowed_categories = forms.MultipleChoiceField(
        label=_("allowed categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Earmarked funds: the only categories they may pay for."),
    )
    amount = forms.DecimalField(label=_("income for the year (yuan)"), **MONEY)


class BudgetLineForm(StyledFormMixin, FundChoiceMixin, forms.Form):
    fund = forms.ModelChoiceField(label=_("fund"), queryset=Fund.objects.none())
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    amount = forms.DecimalField(
        label=_("budget (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0")
    )


class FeeItemForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=80)
    direction = forms.ChoiceField(label=_("direction"), choices=FeeItem.DIRECTION_CHOICES)
    term = forms.CharField(label=_("term"), max_length=40)
    term_end = forms.DateField(label=_("term end"), widget=forms.DateInput(attrs={"type": "date"}))
    class_name = forms.CharField(
        label=_("class"), max_length=40, required=False, help_text=_("Empty: every student.")
    )
    amount = forms.DecimalField(
        label=_("amount per student (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
    )


class StudentImportForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("students, one a line: class, name, number"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "初一(1)班\t张小明\t2022001"}),
        help_text=_("Paste from a spreadsheet; students already on file are skipped."),
    )


class FeeEntryForm(forms.Form):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class AidForm(StyledFormMixin, forms.Form):
    student = forms.ModelChoiceField(label=_("student"), queryset=Student.objects.none())
    year = forms.IntegerField(label=_("school year"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("category"), choices=AidCategory.choices)
    amount = forms.DecimalField(label=_("amount (yuan)"), **MONEY)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    family_situation = forms.CharField(
        label=_("family situation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence = AttachmentField(label=_("evidence"), required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = Student.objects.filter(school=school)


class AidEditForm(StyledFormMixin, forms.Form):
    """A returned application, corrected before it goes to the review again."""

    category = forms.ChoiceField(label=_("category"), choices=AidCategory.choices)
    amount = forms.DecimalField(label=_("amount (yuan)"), **MONEY)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    family_situation = forms.CharField(
        label=_("family situation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence = AttachmentField(
        label=_("new evidence"), required=False, help_text=_("Empty: keep the evidence on file.")
    )


class ExpenseFilterForm(StyledFormMixin, forms.Form):
    """The expense list's filters (GET). A value that does not fit is dropped and named above
    the list (`ignored`), so a hand-made or stale link answers with the list filtered by the
    rest. The fund and handler options come from one read (selectors.expense_filter_choices):
    a model select built a model object per option."""

    q = forms.CharField(label=_("Search purpose or payee"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("status"), required=False)
    fund = forms.TypedChoiceField(label=_("fund"), coerce=int, required=False)
    category = forms.ChoiceField(label=_("category"), required=False)
    handler = forms.TypedChoiceField(label=_("handler"), coerce=int, required=False)
    start = forms.DateField(
        label=_("requested from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("requested until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        data,
        *,
        choices: dict[str, list[tuple[int, str]]],
        labels: dict[str, dict[str, str]],
        sees_all: bool,
    ):
        """`choices`: the fund and handler options (expense_filter_choices); `labels`: the
        status and category labels the page's rows show, translated once for both."""
        super().__init__(data)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label
        self.fields["q"].widget.attrs["placeholder"] = self.fields["q"].label
        self.fields["status"].choices = [("", _("All statuses")), *labels["status"].items()]
        self.fields["category"].choices = [("", _("All categories")), *labels["category"].items()]
        self.fields["fund"].choices = [("", _("All funds")), *choices["fund"]]
        if sees_all:
            self.fields["handler"].choices = [("", _("All handlers")), *choices["handler"]]
        else:
            del self.fields["handler"]  # one sees one's own requests only

    def filters(self) -> dict:
        """The valid filters; invalid ones are left out (never an error page)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    @property
    def ignored(self) -> list[str]:
        """The labels of the filters whose values were dropped (after filters())."""
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]
