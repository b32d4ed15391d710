"""Forms: parse and check input; choices are limited to the school (the service sets it)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from django import forms
from django.contrib.auth import get_user_model
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assets import selectors
from assets.models import Category, Location, LocationKind, StockItem, StocktakeKind
from logistics.attachments import AttachmentField
from logistics.forms import StyledFormMixin


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class SchoolForm(StyledFormMixin, forms.Form):
    """Limits every location, category, item and person choice to the school."""

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            model = field.queryset.model
            if model is get_user_model():
                field.queryset = selectors.members(school)
            else:
                field.queryset = model.objects.filter(school=school)


class AssetForm(SchoolForm):
    code = forms.CharField(label=_("asset code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=100)
    spec = forms.CharField(label=_("specification"), max_length=200, required=False)
    category = forms.ModelChoiceField(Category.objects.none(), label=_("category"))
    location = forms.ModelChoiceField(Location.objects.none(), label=_("location"), required=False)
    custodian = UserChoiceField(
        get_user_model().objects.none(), label=_("custodian"), required=False
    )
    custodian_class = forms.CharField(label=_("class"), max_length=40, required=False)
    purchase_date = forms.DateField(
        label=_("purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    price = forms.DecimalField(
        label=_("unit price (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    fund_source = forms.CharField(label=_("fund source"), max_length=60, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    photo = AttachmentField(label=_("photo"), required=False)


class AssetEditForm(SchoolForm):
    name = forms.CharField(label=_("name"), max_length=100)
    spec = forms.CharField(label=_("specification"), max_length=200, required=False)
    category = forms.ModelChoiceField(Category.objects.none(), label=_("category"))
    purchase_date = forms.DateField(
        label=_("purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    price = forms.DecimalField(
        label=_("unit price (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1)
    fund_source = forms.CharField(label=_("fund source"), max_length=60, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class CustodyForm(SchoolForm):
    """Assign, lend or take back: the view decides which fields it uses."""

    custodian = UserChoiceField(
        get_user_model().objects.none(), label=_("custodian"), required=False
    )
    custodian_class = forms.CharField(label=_("class"), max_length=40, required=False)
    location = forms.ModelChoiceField(Location.objects.none(), label=_("location"), required=False)
    due_date = forms.DateField(
        label=_("due back"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    condition = forms.CharField(label=_("condition"), max_length=200, required=False)


class PhotoForm(StyledFormMixin, forms.Form):
    photo = AttachmentField(label=_("photo"))


class CategoryForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("class code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=60)


class LocationForm(SchoolForm):
    name = forms.CharField(label=_("name"), max_length=60)
    parent = forms.ModelChoiceField(Location.objects.none(), label=_("inside"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(kind="room")

    def offer(self, places: Iterable[selectors.Place]) -> None:
        """The parent's options from the places the page lists already (no query, no model
        instance per option): only to draw the form; a posted form checks its choice against
        the school's rows as usual."""
        field = self.fields["parent"]
        options = [(p.pk, p.path) for p in places if p.kind != LocationKind.ROOM]
        field.widget.choices = [("", field.empty_label), *options]


class StockItemForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    spec = forms.CharField(label=_("specification"), max_length=100, required=False)
    unit = forms.CharField(label=_("unit"), max_length=10, initial="个")
    low_level = forms.IntegerField(label=_("low-stock level"), min_value=0, initial=0)


class StockInForm(SchoolForm):
    item = forms.ModelChoiceField(StockItem.objects.none(), label=_("item"))
    location = forms.ModelChoiceField(Location.objects.none(), label=_("store"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1)
    unit_price = forms.DecimalField(
        label=_("unit price (yuan)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    supplier = forms.CharField(label=_("supplier"), max_length=120, required=False)
    expense_number = forms.CharField(
        label=_("finance expense number"),
        max_length=40,
        required=False,
        help_text=_("When the purchase was paid through a finance expense."),
    )


class StockOutForm(SchoolForm):
    item = forms.ModelChoiceField(StockItem.objects.none(), label=_("item"))
    location = forms.ModelChoiceField(Location.objects.none(), label=_("store"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1)
    recipient = forms.CharField(label=_("recipient"), max_length=60)


class RequisitionForm(SchoolForm):
    item = forms.ModelChoiceField(StockItem.objects.none(), label=_("item"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1)
    class_name = forms.CharField(label=_("for class"), max_length=40, required=False)
    purpose = forms.CharField(label=_("purpose"), max_length=200)


class IssueForm(SchoolForm):
    location = forms.ModelChoiceField(Location.objects.none(), label=_("store"))


class RepairForm(SchoolForm):
    location = forms.ModelChoiceField(Location.objects.none(), label=_("location"))
    description = forms.CharField(
        label=_("what is broken"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = AttachmentField(label=_("photo"), required=False)


class AssignForm(SchoolForm):
    worker = UserChoiceField(get_user_model().objects.none(), label=_("worker"))


class FixForm(SchoolForm):
    work_done = forms.CharField(
        label=_("work done"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    part = forms.ModelChoiceField(StockItem.objects.none(), label=_("part used"), required=False)
    part_location = forms.ModelChoiceField(
        Location.objects.none(), label=_("from store"), required=False
    )
    part_quantity = forms.IntegerField(label=_("quantity"), min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("part") and not (
            cleaned.get("part_location") and cleaned.get("part_quantity")
        ):
            self.add_error("part_quantity", _("Give the store and the quantity of the part."))
        return cleaned


class WriteOffForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = AttachmentField(label=_("photo"), required=False)


class SettingsForm(StyledFormMixin, forms.Form):
    writeoff_threshold = forms.DecimalField(
        label=_("write-off threshold (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )


class StocktakeForm(SchoolForm):
    title = forms.CharField(label=_("title"), max_length=100)
    kind = forms.ChoiceField(
        label=_("what is counted"), choices=StocktakeKind.choices, initial=StocktakeKind.ASSETS
    )
    location = forms.ModelChoiceField(Location.objects.none(), label=_("location"), required=False)
    category = forms.ModelChoiceField(Category.objects.none(), label=_("category"), required=False)

    def offer(self, places: Iterable, categories: Iterable) -> None:
        """The selects' options from plain (key, label) pairs of the school (one prepared
        query, selectors.place_and_category_choices) instead of a model instance per option
        read by each field: only to draw the form; a posted form checks its choices against
        the school's rows as usual."""
        for name, pairs in (("location", places), ("category", categories)):
            field = self.fields[name]
            field.widget.choices = [("", field.empty_label), *pairs]


class CountForm(SchoolForm):
    """A scanned or typed asset code, or the name of an item not in the register."""

    code = forms.CharField(label=_("asset code"), max_length=40, required=False)
    surplus_name = forms.CharField(
        label=_("or: item found that is not in the register"), max_length=100, required=False
    )
    result = forms.ChoiceField(
        label=_("result"),
        choices=[
            ("found", _("Found")),
            ("damaged", _("Damaged")),
            ("missing", _("Missing (盘亏)")),
        ],
        initial="found",
    )
    found_location = forms.ModelChoiceField(
        Location.objects.none(), label=_("found at"), required=False
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_(
            "The same layout as the export; nothing is imported unless every row is valid."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


IMPORT_MAX_BYTES = 10 * 1024 * 1024


def search_bar_selects(
    filters: Mapping[str, str], bar: selectors.SearchBar, statuses: Mapping[str, str]
) -> dict[str, SafeString]:
    """The register's four filter selects (about 140 options: a school's rooms and people),
    with the markup Django's Select renders (through the kernel's form renderer), written from
    plain (key, label) pairs: as form fields and widgets they cost more per view than the
    register's fifty lines. What the page was filtered by stays selected (an unknown value
    selects nothing, as in Django's Select)."""
    choices = {
        "category": (gettext("All categories"), bar.categories),
        "location": (gettext("All locations"), [(loc.pk, loc.path) for loc in bar.locations]),
        "status": (gettext("All statuses"), statuses.items()),
        "custodian": (gettext("All custodians"), bar.people),
    }
    titles = {"custodian": gettext("A class: choose its head teacher")}
    return {
        name: _select(name, everything, options, filters.get(name) or "", titles.get(name))
        for name, (everything, options) in choices.items()
    }


def _select(
    name: str, everything: str, options: Iterable, chosen: str, title: str | None
) -> SafeString:
    label = html.escape(gettext(name))
    titled = f' title="{html.escape(title)}"' if title else ""
    parts = [
        f'<select name="{name}" class="form-select" aria-label="{label}"{titled} id="id_{name}">'
    ]
    parts.append(_option("", everything, not chosen))
    parts.extend(_option(value, text, str(value) == chosen) for value, text in options)
    parts.append("\n</select>")
    # Made of literals and escaped values.
    return SafeString("".join(parts))  # nosec B703


def _option(value, text, selected: bool) -> str:
    flag = " selected" if selected else ""
    return (
        f'\n  <option value="{html.escape(str(value))}"{flag}>{html.escape(str(text))}</option>\n'
    )
