from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from logistics.forms import StyledFormMixin
from logistics.notices import importing

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class NoticeCreateForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of notice"))
    period_start = forms.DateField(
        label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.label) for k in kinds]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class TableNoticeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period = forms.CharField(
        label=_("Period"), max_length=100, help_text=_("As printed, e.g. 2022年秋季学期")
    )
    publication_days = forms.IntegerField(
        label=_("Publication period (days)"), min_value=1, max_value=365, initial=7
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pasted = forms.CharField(
        label=_("Table"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paste the cells from Excel, header row first; or upload a file below."),
    )
    upload = forms.FileField(label=_("Or an Excel file (.xlsx)"), required=False)

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        upload, pasted = data.get("upload"), data.get("pasted", "")
        field = "upload" if upload else "pasted"
        try:
            header, rows = (
                importing.read_xlsx(upload.read()) if upload else importing.read_pasted(pasted)
            )
            data["snapshot"] = importing.build_table(
                title=data["title"],
                period=data["period"],
                header=header,
                rows=rows,
                notes=data.get("notes", ""),
                publication_days=data["publication_days"],
            ).to_json()
        except ValidationError as exc:
            self.add_error(field, exc)
        return data


class DraftForm(StyledFormMixin, forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    publication_days = forms.IntegerField(
        label=_("Publication period (days)"), min_value=1, max_value=365
    )
    refresh = forms.BooleanField(label=_("Rebuild the table from the records"), required=False)


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=300)
