"""Forms never carry `school`: choices are filtered to the school, services set it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canteen import checklists, selectors
from canteen.models import (
    CanteenSettings,
    Complaint,
    DisinfectionMethod,
    Equipment,
    FoodCategory,
    Meal,
    MenuDish,
    MorningCheck,
    Sample,
    StaffMember,
    Supplier,
    Training,
    WasteRecord,
)
from canteen.services import NATIONAL, ItemInput
from logistics.attachments import AttachmentField
from logistics.forms import StyledFormMixin
from logistics.roles import users_with_capability

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEMP = {"max_digits": 5, "decimal_places": 1}


class StaffChoiceMixin:
    """Staff fields list the school's active staff only."""

    staff_fields: tuple[str, ...] = ()

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.staff_fields:
            self.fields[name].queryset = selectors.staff_choices(school)


class SettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CanteenSettings
        fields = [
            "sample_min_grams",
            "sample_hours",
            "fridge_min",
            "fridge_max",
            "freezer_max",
            "hot_min",
            "boiling_min_minutes",
            "infrared_min_celsius",
            "infrared_min_minutes",
            "dishwasher_min_celsius",
            "dishwasher_min_seconds",
            "chlorine_min_mgl",
            "chlorine_min_minutes",
            "retention_extra_months",
            "retention_no_shelf_months",
            "retention_farm_months",
            "warning_days",
        ]

    def clean(self):
        data = super().clean()
        for field, minimum in NATIONAL.items():
            if data.get(field) is not None and data[field] < minimum:
                self.add_error(field, _("The national rule is at least %(n)s.") % {"n": minimum})
        return data


class StaffForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "position", "certificate_no", "certificate_expires", "is_active"]
        widgets = {"certificate_expires": DATE}


class MorningCheckForm(StyledFormMixin, StaffChoiceMixin, forms.Form):
    staff_fields = ("staff",)
    staff = forms.ModelChoiceField(label=_("staff member"), queryset=StaffMember.objects.none())
    temperature = forms.DecimalField(
        label=_("temperature (°C)"), min_value=Decimal("34"), max_value=Decimal("43"), **TEMP
    )
    fever = forms.BooleanField(label=_("fever"), required=False)
    diarrhoea = forms.BooleanField(label=_("diarrhoea"), required=False)
    vomiting = forms.BooleanField(label=_("vomiting"), required=False)
    sore_throat = forms.BooleanField(label=_("sore throat"), required=False)
    hand_wound = forms.BooleanField(label=_("hand wound or infection"), required=False)
    jaundice = forms.BooleanField(label=_("jaundice"), required=False)
    hygiene_ok = forms.BooleanField(
        label=_("clean clothes, hands, nails"), required=False, initial=True
    )

    def symptoms(self) -> dict[str, bool]:
        return {k: self.cleaned_data[k] for k in MorningCheck.ITEMS}


class SupplierForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)
    licence_no = forms.CharField(label=_("food business licence no."), max_length=40)
    licence_expires = forms.DateField(label=_("licence valid until"), widget=DATE)
    categories = forms.MultipleChoiceField(
        label=_("categories supplied"),
        choices=FoodCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = forms.CharField(label=_("contact and phone"), max_length=80, required=False)
    contract_no = forms.CharField(label=_("contract no."), max_length=40, required=False)
    contract = AttachmentField(label=_("contract scan"), required=False)


class SupplierListForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)
    valid_from = forms.DateField(label=_("valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("valid until"), widget=DATE)
    suppliers = forms.ModelMultipleChoiceField(
        label=_("suppliers"),
        queryset=Supplier.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].queryset = selectors.supplier_list(school)


class ReceivingForm(StyledFormMixin, StaffChoiceMixin, forms.Form):
    staff_fields = ("inspector", "second_inspector")
    date = forms.DateField(label=_("date"), widget=DATE, initial=timezone.localdate)
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=Supplier.objects.none())
    inspector = forms.ModelChoiceField(label=_("inspector"), queryset=StaffMember.objects.none())
    second_inspector = forms.ModelChoiceField(
        label=_("second inspector"),
        queryset=StaffMember.objects.none(),
        required=False,
        help_text=_("Rice, flour, oil, meat, eggs and milk need two people."),
    )
    invoice_photo = AttachmentField(label=_("invoice photo"), required=False)
    quarantine_photo = AttachmentField(label=_("quarantine certificate photo"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, school=school, **kwargs)
        self.fields["supplier"].queryset = selectors.supplier_list(school)


class ReceivingLineForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("item"), max_length=60, required=False)
    category = forms.ChoiceField(
        label=_("category"), choices=[("", "---------"), *FoodCategory.choices], required=False
    )
    spec = forms.CharField(label=_("specification"), max_length=40, required=False)
    quantity = forms.DecimalField(
        label=_("quantity"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    unit = forms.CharField(label=_("unit"), max_length=8, required=False, initial="kg")
    weighed = forms.DecimalField(
        label=_("weighed quantity"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
    )
    unit_price = forms.DecimalField(
        label=_("unit price (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
    )
    production_date = forms.DateField(label=_("production date"), widget=DATE, required=False)
    batch = forms.CharField(label=_("batch or production date"), max_length=40, required=False)
    shelf_life_days = forms.IntegerField(
        label=_("shelf life (days)"), min_value=1, max_value=3650, required=False
    )
    temperature = forms.DecimalField(label=_("temperature on arrival (°C)"), required=False, **TEMP)
    rejected = forms.BooleanField(label=_("rejected"), required=False)
    disposal = forms.CharField(
        label=_("disposal of rejected goods"), max_length=100, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("name"):
            for key in ("category", "quantity", "unit", "unit_price"):
                if data.get(key) in (None, ""):
                    self.add_error(key, _("Required for each item."))
            if data.get("rejected") and not data.get("disposal"):
                self.add_error("disposal", _("Say how the rejected goods were disposed of."))
        return data


ReceivingLineFormSet = forms.formset_factory(ReceivingLineForm, extra=3, max_num=30)


class SampleMealForm(StyledFormMixin, StaffChoiceMixin, forms.Form):
    """Sampling a meal: one weight (and photo) per dish of the menu, in one form."""

    staff_fields = ("sampler", "reviewer")
    sampler = forms.ModelChoiceField(label=_("sampled by"), queryset=StaffMember.objects.none())
    reviewer = forms.ModelChoiceField(label=_("checked by"), queryset=StaffMember.objects.none())
    fridge = forms.CharField(label=_("sample fridge"), max_length=30, required=False)

    def __init__(self, *args, school, dishes: list[MenuDish], min_grams: int, **kwargs):
        super().__init__(*args, school=school, **kwargs)
        self.dishes = dishes
        for dish in dishes:
            self.fields[f"grams_{dish.pk}"] = forms.DecimalField(
                label=_("%(dish)s: weight (g)") % {"dish": dish.name},
                max_digits=6,
                decimal_places=1,
                min_value=Decimal(min_grams),
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
            )
            self.fields[f"photo_{dish.pk}"] = AttachmentField(
                label=_("%(dish)s: photo") % {"dish": dish.name}, required=False
            )
        # Added after StyledFormMixin styled the fixed fields.
        for name, field in self.fields.items():
            if name.startswith(("grams_", "photo_")):
                field.widget.attrs["class"] = "form-control"

    def dish_fields(self):
        return [(d, self[f"grams_{d.pk}"], self[f"photo_{d.pk}"]) for d in self.dishes]


class DisinfectionForm(StyledFormMixin, StaffChoiceMixin, forms.Form):
    staff_fields = ("operator", "checker")
    method = forms.ChoiceField(label=_("method"), choices=DisinfectionMethod.choices)
    celsius = forms.DecimalField(label=_("temperature (°C)"), required=False, **TEMP)
    mg_per_litre = forms.IntegerField(
        label=_("concentration (mg/L)"), min_value=0, max_value=100000, required=False
    )
    minutes = forms.IntegerField(label=_("minutes"), min_value=0, max_value=600, required=False)
    seconds = forms.IntegerField(label=_("seconds"), min_value=0, max_value=3600, required=False)
    items = forms.CharField(label=_("tableware"), max_length=60, required=False)
    operator = forms.ModelChoiceField(label=_("operator"), queryset=StaffMember.objects.none())
    checker = forms.ModelChoiceField(label=_("checked by"), queryset=StaffMember.objects.none())

    def duration(self) -> int:
        return (self.cleaned_data.get("minutes") or 0) * 60 + (
            self.cleaned_data.get("seconds") or 0
        )


class TemperatureForm(StyledFormMixin, forms.Form):
    equipment = forms.ChoiceField(label=_("equipment"), choices=Equipment.choices)
    label = forms.CharField(label=_("which one"), max_length=30, required=False)
    celsius = forms.DecimalField(
        label=_("reading (°C)"), min_value=Decimal("-60"), max_value=Decimal("150"), **TEMP
    )
    corrective_action = forms.CharField(
        label=_("corrective action"),
        max_length=200,
        required=False,
        help_text=_("Required when the reading is out of range."),
    )


class AccompaniedForm(StyledFormMixin, forms.Form):
    companion_title = forms.CharField(label=_("companion's role"), max_length=40, required=False)
    problems = forms.CharField(
        label=_("problems found"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A problem becomes a follow-up item for the canteen manager."),
    )

    def __init__(self, *args, dishes: list[MenuDish], **kwargs):
        super().__init__(*args, **kwargs)
        self.dishes = dishes
        for dish in dishes:
            self.fields[f"rating_{dish.pk}"] = forms.TypedChoiceField(
                label=dish.name,
                choices=[(i, str(i)) for i in range(5, 0, -1)],
                coerce=int,
                initial=5,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    def ratings(self) -> dict[int, int]:
        return {d.pk: self.cleaned_data[f"rating_{d.pk}"] for d in self.dishes}


class MenuMealForm(StyledFormMixin, forms.Form):
    dishes = forms.CharField(
        label=_("dishes, one a line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("Optionally the grams per student after a space: 米饭 150"),
    )

    def parsed(self) -> list[tuple[str, int | None]]:
        result = []
        for raw in self.cleaned_data["dishes"].splitlines():
            name, _sep, grams = raw.strip().rpartition(" ")
            if name and grams.isdigit():
                result.append((name.strip()[:60], int(grams)))
            elif raw.strip():
                result.append((raw.strip()[:60], None))
        return result


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)


class GapMarkForm(ReasonForm):
    key = forms.CharField(max_length=40, widget=forms.HiddenInput)


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("review comment"), max_length=300, required=False)


class ConcernForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("concern"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("reply by"),
        widget=DATE,
        initial=lambda: timezone.localdate() + datetime.timedelta(days=2),
    )


class ReplyForm(StyledFormMixin, forms.Form):
    reply = forms.CharField(
        label=_("reply"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class RangeForm(forms.Form):
    start = forms.DateField(widget=DATE, required=False)
    end = forms.DateField(widget=DATE, required=False)

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end.replace(day=1)
        if start > end:
            start, end = end, start
        # A printed ledger covers at most a year.
        return max(start, end - datetime.timedelta(days=366)), end


class IncomeForm(StyledFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("meal-fee income (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0")
    )
    student_days = forms.IntegerField(label=_("student-days served"), min_value=0)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ComplaintForm(StyledFormMixin, forms.Form):
    received_on = forms.DateField(label=_("received on"), widget=DATE, initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("channel"), choices=Complaint.Channel.choices)
    content = forms.CharField(
        label=_("complaint"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class WasteForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=WasteRecord.Kind.choices)
    meal = forms.ChoiceField(
        label=_("meal"), choices=[("", "---------"), *Meal.choices], required=False
    )
    kg = forms.DecimalField(
        label=_("weight (kg)"), max_digits=8, decimal_places=1, min_value=Decimal("0.1")
    )
    hauler = forms.CharField(
        label=_("licensed hauler"),
        max_length=60,
        required=False,
        help_text=_("For a collection of kitchen waste or oil."),
    )


class TrainingForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("date"), widget=DATE, initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("kind"), choices=Training.Kind.choices)
    topic = forms.CharField(label=_("topic"), max_length=100)
    trainer = forms.CharField(label=_("trainer"), max_length=40)
    hours = forms.DecimalField(
        label=_("hours"), max_digits=4, decimal_places=1, min_value=Decimal("0.5")
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("attendees"),
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    passed = forms.IntegerField(
        label=_("passed the exam"),
        min_value=0,
        required=False,
        help_text=_("Exams only: how many attendees passed."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = selectors.staff_choices(school)


class SurveyForm(StyledFormMixin, forms.Form):
    semester = forms.CharField(label=_("semester"), max_length=30)
    date = forms.DateField(label=_("date"), widget=DATE, initial=timezone.localdate)
    respondents = forms.IntegerField(label=_("respondents"), min_value=1)
    satisfied = forms.IntegerField(label=_("satisfied"), min_value=0)
    findings = forms.CharField(label=_("main findings"), max_length=300, required=False)


# ---------------------------------------------------------------- self-inspection, incidents

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _now_minute() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class InspectionForm(StyledFormMixin, forms.Form):
    """A checklist (one pass box and note per item) or a committee/doctor inspection (findings,
    one a line). Failed items and findings go to `owner` to fix by `deadline`."""

    date = forms.DateField(label=_("date"), widget=DATE, initial=timezone.localdate)
    summary = forms.CharField(
        label=pgettext_lazy("canteen", "summary"), max_length=300, required=False
    )
    owner = forms.ModelChoiceField(
        label=_("responsible for fixing"), queryset=get_user_model().objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("fix by"),
        widget=DATE,
        required=False,
        initial=lambda: timezone.localdate() + datetime.timedelta(days=3),
    )

    def __init__(self, *args, kind: str, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.checklist = checklists.CHECKLISTS.get(kind, ())
        users = [u.pk for u in users_with_capability(school, "canteen.view")]
        self.fields["owner"].queryset = get_user_model().objects.filter(pk__in=users)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        for code, label in self.checklist:
            self.fields[f"ok_{code}"] = forms.BooleanField(
                label=label, required=False, initial=True
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("problem found"), max_length=200, required=False
            )
            self.fields[f"note_{code}"].widget.attrs["class"] = "form-control form-control-sm"
        if not self.checklist:
            self.fields["findings"] = forms.CharField(
                label=_("findings (one a line; leave empty when all is well)"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
            )

    def rows(self):
        """(pass box, note) per checklist item, for the template."""
        return [(self[f"ok_{code}"], self[f"note_{code}"]) for code, _label in self.checklist]

    def items(self) -> list[ItemInput]:
        data = self.cleaned_data
        if self.checklist:
            return [
                ItemInput(
                    label,
                    bool(data[f"ok_{code}"]),
                    code=code,
                    note=data[f"note_{code}"],
                )
                for code, label in self.checklist
            ]
        return [
            ItemInput(line.strip()[:200], False)
            for line in data["findings"].splitlines()
            if line.strip()
        ]


class ActionFixForm(StyledFormMixin, forms.Form):
    fix_note = forms.CharField(label=_("what was done"), max_length=300)
    evidence = AttachmentField(label=_("evidence (photo or scan)"))


class ActionVerifyForm(StyledFormMixin, forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("result"),
        choices=[("1", _("Fixed: verified")), ("0", _("Not fixed: send back"))],
        coerce=lambda v: v == "1",
    )
    verify_note = forms.CharField(label=_("verification note"), max_length=300, required=False)


def _recent_months() -> list[tuple[str, str]]:
    first = timezone.localdate().replace(day=1)
    months = [first]
    for _i in range(2):
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return [(m.isoformat(), f"{m:%Y-%m}") for m in months]


class MinutesForm(StyledFormMixin, forms.Form):
    month = forms.TypedChoiceField(
        label=_("month"), choices=_recent_months, coerce=datetime.date.fromisoformat
    )
    held_on = forms.DateField(label=_("held on"), widget=DATE, initial=timezone.localdate)
    chair = forms.CharField(label=_("chaired by"), max_length=40)
    attendees = forms.CharField(label=_("attendees"), max_length=300)
    summary = forms.CharField(
        label=_("this month's food safety"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    problems = forms.CharField(
        label=_("problems found"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan = forms.CharField(
        label=_("next month's work"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IncidentForm(StyledFormMixin, forms.Form):
    discovered_at = forms.DateTimeField(
        label=_("discovered at"), widget=DATETIME, initial=_now_minute
    )
    description = forms.CharField(label=_("what happened"), max_length=300)
    people_affected = forms.IntegerField(label=_("people affected"), min_value=0, initial=0)
    stopped = forms.CharField(
        label=_("what was stopped"),
        max_length=300,
        help_text=_("The meal, the dishes or the supply stopped."),
    )
    measures = forms.CharField(
        label=_("measures taken"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    samples = forms.ModelMultipleChoiceField(
        label=_("retained samples to seal"),
        queryset=Sample.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["samples"].queryset = selectors.sealable_samples(school)
        self.fields["samples"].label_from_instance = lambda s: (
            f"{s.date:%m-%d} {s.get_meal_display()} {s.dish.name}"
        )


class IncidentReportForm(StyledFormMixin, forms.Form):
    reported_at = forms.DateTimeField(
        label=pgettext_lazy("canteen", "reported at"), widget=DATETIME, initial=_now_minute
    )
    reported_to = forms.CharField(
        label=_("reported to"),
        max_length=200,
        help_text=_("The authority and the person told, e.g. 县市场监管局 王科长."),
    )


class IncidentCloseForm(StyledFormMixin, forms.Form):
    closing_note = forms.CharField(label=_("conclusion"), max_length=300)


class PackForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("canteen", "from"),
        widget=DATE,
        initial=lambda: timezone.localdate().replace(day=1),
    )
    end = forms.DateField(
        label=pgettext_lazy("canteen", "to"), widget=DATE, initial=timezone.localdate
    )
