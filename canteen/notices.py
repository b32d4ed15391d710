"""The canteen's public notices (三公开), built from its records.

The daily purchase report and the weekly menu are published every day or week, so the
food-safety officer or the director may publish them (canteen.publish) instead of the principal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canteen import capabilities as caps
from canteen import statements
from canteen.models import FoodCategory, Meal, MenuDish, ReceivingLine, StaffMember, Supplier
from logistics.models import School
from logistics.notices.kinds import Column, NoRecords, NoticeKind, Snapshot, register_kind

PURCHASES_KIND = "canteen.purchases"
MENU_KIND = "canteen.menu"
CERTIFICATES_KIND = "canteen.certificates"
SUPPLIERS_KIND = "canteen.suppliers"
FINANCE_KIND = "canteen.finance"


def _date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _period(start: datetime.date, end: datetime.date) -> str:
    return _date(start) if start == end else f"{_date(start)}至{_date(end)}"


def build_purchases(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    """食堂采购日报表: every accepted line of the period with supplier, quantity, price, amount."""
    lines = (
        ReceivingLine.objects.filter(
            school=school,
            accepted=True,
            receiving__voided_at__isnull=True,
            receiving__date__gte=start,
            receiving__date__lte=end,
        )
        .select_related("receiving__supplier")
        .order_by("receiving__date", "receiving_id", "id")
    )
    rows = [
        {
            "date": line.receiving.date,
            "supplier": line.receiving.supplier.name,
            "item": line.name,
            "category": FoodCategory(line.category).label,
            "quantity": f"{line.weighed if line.weighed is not None else line.quantity} "
            f"{line.unit}",
            "price": line.unit_price,
            "amount": line.amount,
        }
        for line in lines
    ]
    if not rows:
        raise NoRecords(_("No accepted deliveries in this period."))
    return Snapshot(
        title=_("Canteen daily purchase report"),
        period=_period(start, end),
        columns=[
            Column("date", _("Date"), "date"),
            Column("supplier", _("Supplier")),
            Column("item", _("Item")),
            Column("category", _("Category")),
            Column("quantity", _("Quantity")),
            Column("price", _("Unit price"), "money"),
            Column("amount", _("Amount"), "money"),
        ],
        rows=rows,
        totals={"amount": sum((r["amount"] for r in rows), Decimal("0.00"))},
        signatures=(_("Buyer"), _("Food-safety officer")),
        publication_days=3,
    )


def build_menu(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    """一周菜谱, with the grams per student where the school has them (带量食谱)."""
    dishes = MenuDish.objects.filter(school=school, date__gte=start, date__lte=end).order_by(
        "date", "meal", "position", "id"
    )
    by_meal: dict[tuple[datetime.date, str], list[str]] = {}
    for d in dishes:
        text = f"{d.name}（{d.grams_per_student}克）" if d.grams_per_student else d.name
        by_meal.setdefault((d.date, d.meal), []).append(text)
    if not by_meal:
        raise NoRecords(_("No menu in this period."))
    order = {m: i for i, m in enumerate(Meal.values)}
    rows = [
        {"date": day, "meal": Meal(meal).label, "dishes": "、".join(names)}
        for (day, meal), names in sorted(
            by_meal.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])
        )
    ]
    return Snapshot(
        title=_("Weekly menu"),
        period=_period(start, end),
        columns=[
            Column("date", _("Date"), "date"),
            Column("meal", _("Meal")),
            Column("dishes", _("Dishes")),
        ],
        rows=rows,
        signatures=(_("Canteen manager"), _("Food-safety officer")),
        publication_days=7,
    )


def build_certificates(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    """The staff's health certificates; names are masked in public."""
    staff = StaffMember.objects.filter(school=school, is_active=True).order_by("name", "id")
    rows = [
        {
            "name": s.name,
            "position": s.get_position_display(),
            "valid_until": s.certificate_expires,
            "status": _("Valid") if s.certificate_expires >= end else _("Expired"),
        }
        for s in staff
    ]
    if not rows:
        raise NoRecords(_("No canteen staff."))
    return Snapshot(
        title=_("Canteen staff health certificates"),
        period=_date(end),
        columns=[
            Column("name", _("Name"), personal="name"),
            Column("position", _("Position")),
            Column("valid_until", _("Valid until"), "date"),
            Column("status", _("Status")),
        ],
        rows=rows,
        publication_days=30,
    )


def build_suppliers(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    suppliers = Supplier.objects.filter(school=school, licence_expires__gte=start).order_by("name")
    rows = [
        {
            "name": s.name,
            "code": s.credit_code,
            "licence": s.licence_no,
            "valid_until": s.licence_expires,
            "categories": "、".join(str(FoodCategory(c).label) for c in s.categories),
        }
        for s in suppliers
    ]
    if not rows:
        raise NoRecords(_("No suppliers with a valid licence."))
    return Snapshot(
        title=_("Canteen suppliers"),
        period=_date(end or timezone.localdate()),
        columns=[
            Column("name", _("Supplier")),
            Column("code", _("Credit code")),
            Column("licence", _("Licence no.")),
            Column("valid_until", _("Valid until"), "date"),
            Column("categories", _("Categories")),
        ],
        rows=rows,
        publication_days=30,
    )


def register() -> None:
    register_kind(
        NoticeKind(
            code=PURCHASES_KIND,
            label=gettext_lazy("Canteen daily purchase report"),
            capability=caps.NOTICES,
            build=build_purchases,
            publish_capability=caps.PUBLISH,
        )
    )
    register_kind(
        NoticeKind(
            code=MENU_KIND,
            label=gettext_lazy("Weekly menu"),
            capability=caps.NOTICES,
            build=build_menu,
            publish_capability=caps.PUBLISH,
        )
    )
    register_kind(
        NoticeKind(
            code=CERTIFICATES_KIND,
            label=gettext_lazy("Canteen staff health certificates"),
            capability=caps.NOTICES,
            build=build_certificates,
            personal_data=True,
        )
    )
    register_kind(
        NoticeKind(
            code=FINANCE_KIND,
            label=gettext_lazy("Canteen financial statement"),
            capability=caps.NOTICES,
            build=statements.build_finance,
        )
    )
    register_kind(
        NoticeKind(
            code=SUPPLIERS_KIND,
            label=gettext_lazy("Canteen suppliers"),
            capability=caps.NOTICES,
            build=build_suppliers,
        )
    )
