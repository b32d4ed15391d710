"""Forms never carry `school`: choices are filtered to the school, services set it."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.attachments import AttachmentField
from logistics.forms import StyledFormMixin
from safety import selectors
from safety.models import (
    LIMIT,
    Area,
    Checklist,
    ChecklistItem,
    EmergencyKind,
    EmergencyPlan,
    Equipment,
    ItemKind,
    PlanKind,
    Result,
    Severity,
    ShiftKind,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHOTO = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


def _default_deadline() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


class PeopleMixin:
    """The `owner` choices: people of this school only."""

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.school_people(school)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username


class ChecklistForm(StyledFormMixin, forms.Form):
    area = forms.ChoiceField(label=_("area"), choices=Area.choices)
    name = forms.CharField(label=_("checklist name"), max_length=80)


class ChecklistItemForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["position", "text", "kind", "min_value", "max_value", "unit", "basis"]


class PlanForm(StyledFormMixin, forms.Form):
    checklist = forms.ModelChoiceField(label=_("checklist"), queryset=Checklist.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=PlanKind.choices)
    due_on = forms.DateField(label=_("due by"), widget=DATE)
    repeat = forms.IntegerField(
        label=_("months"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("Monthly inspections: plan this many months at once."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = Checklist.objects.filter(school=school, is_active=True)


class StartForm(forms.Form):
    checklist = forms.ModelChoiceField(queryset=Checklist.objects.none(), required=False)
    plan = forms.IntegerField(required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = Checklist.objects.filter(school=school)


class AnswerForm(StyledFormMixin, PeopleMixin, forms.Form):
    """One inspection item; the fields shown depend on the item's kind."""

    result = forms.ChoiceField(
        label=_("result"), choices=Result.choices, widget=forms.RadioSelect, required=False
    )
    number = forms.DecimalField(label=_("reading"), required=False, **LIMIT)
    answer = forms.CharField(label=_("what you found"), max_length=200, required=False)
    photo = AttachmentField(label=_("photo"), required=False, widget=PHOTO)
    note = forms.CharField(
        label=_("note"),
        max_length=300,
        required=False,
        help_text=_("For a failed item: what is wrong and where."),
    )
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, required=False)
    owner = forms.ModelChoiceField(
        label=_("responsible for the fix"), queryset=None, required=False
    )
    deadline = forms.DateField(label=_("fix by"), required=False, widget=DATE)

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].widget.attrs.pop("class", None)
        if item.kind == ItemKind.NUMBER:
            del self.fields["result"]
            self.fields["number"].label = _("reading (%(limits)s)") % {"limits": item.limits}
        else:
            del self.fields["number"]
        if item.kind != ItemKind.TEXT:
            del self.fields["answer"]
        if item.kind == ItemKind.PHOTO:
            self.fields["photo"].help_text = _("This item needs a photo.")
        if not self.is_bound:
            self.initial.setdefault("deadline", _default_deadline())


class FinishForm(StyledFormMixin, forms.Form):
    signed_name = forms.CharField(
        label=_("signature: your full name"),
        max_length=40,
        help_text=_("By signing you confirm the answers above."),
    )


class HazardForm(StyledFormMixin, PeopleMixin, forms.Form):
    area = forms.ChoiceField(label=_("area"), choices=Area.choices)
    location = forms.CharField(label=_("hazard location"), max_length=100)
    description = forms.CharField(
        label=_("hazard"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    owner = forms.ModelChoiceField(label=_("responsible for the fix"), queryset=None)
    deadline = forms.DateField(label=_("fix by"), widget=DATE, initial=_default_deadline)
    photo = AttachmentField(label=_("photo"), required=False, widget=PHOTO)


class RectifyForm(StyledFormMixin, forms.Form):
    rectification = forms.CharField(
        label=_("what was done"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = AttachmentField(label=_("photo of the fix"), widget=PHOTO)


class VerifyForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Close it")), ("return", _("Send it back"))],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(label=_("comment"), max_length=300, required=False)


class EquipmentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["kind", "code", "location", "model", "next_check_on", "expires_on", "is_active"]
        widgets = {"next_check_on": DATE, "expires_on": DATE}


class GateInForm(StyledFormMixin, forms.Form):
    phone = forms.CharField(
        label=_("phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    name = forms.CharField(label=_("name"), max_length=40)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("Needed on the first visit; kept for returning visitors."),
    )
    unit = forms.CharField(label=_("work unit"), max_length=80, required=False)
    reason = forms.CharField(label=_("reason for the visit"), max_length=100)
    host = forms.CharField(label=_("person visited"), max_length=40)


class RosterForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("roster title"), max_length=80)
    starts_on = forms.DateField(label=_("first day"), widget=DATE)
    ends_on = forms.DateField(label=_("last day"), widget=DATE)


def _person_field(label):
    field = forms.ModelChoiceField(label=label, queryset=None)
    field.label_from_instance = lambda u: u.get_full_name() or u.username
    return field


class ShiftForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("duty date"), widget=DATE)
    kind = forms.ChoiceField(label=_("shift"), choices=ShiftKind.choices)
    leader = _person_field(_("leader on duty"))
    leader_phone = forms.CharField(label=_("leader's phone"), max_length=20)
    staff = _person_field(_("staff on duty"))
    staff_phone = forms.CharField(label=_("staff phone"), max_length=20)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("leader", "staff"):
            self.fields[name].queryset = selectors.school_people(school)


class DutyLogForm(StyledFormMixin, forms.Form):
    handover = forms.CharField(
        label=_("handover"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    happenings = forms.CharField(
        label=_("what happened"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SwapForm(StyledFormMixin, forms.Form):
    replacement = _person_field(_("replacement"))
    replacement_phone = forms.CharField(label=_("replacement's phone"), max_length=20)
    reason = forms.CharField(label=_("why"), max_length=200)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = selectors.school_people(school)


class EmergencyPlanForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("plan"), choices=EmergencyKind.choices)
    title = forms.CharField(label=_("plan title"), max_length=100)
    effective_on = forms.DateField(label=_("in force from"), widget=DATE)
    review_on = forms.DateField(label=_("review by"), widget=DATE)
    document = AttachmentField(label=_("document"), required=False)


class DrillScheduleForm(StyledFormMixin, forms.Form):
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)
    kind = forms.ChoiceField(label=_("plan"), choices=EmergencyKind.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class DrillForm(StyledFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=None)
    held_on = forms.DateField(label=_("drill date"), widget=DATE, initial=timezone.localdate)
    participants = forms.IntegerField(label=_("participants"), min_value=1)
    evacuation_seconds = forms.IntegerField(
        label=_("evacuation time (seconds)"), min_value=1, required=False
    )
    findings = forms.CharField(
        label=_("findings"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = EmergencyPlan.objects.filter(school=school, is_current=True)


class FollowUpForm(StyledFormMixin, PeopleMixin, forms.Form):
    area = forms.ChoiceField(label=_("area"), choices=Area.choices)
    location = forms.CharField(label=_("hazard location"), max_length=100)
    description = forms.CharField(label=_("hazard"), max_length=300)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    owner = forms.ModelChoiceField(label=_("responsible for the fix"), queryset=None)
    deadline = forms.DateField(label=_("fix by"), widget=DATE, initial=_default_deadline)
