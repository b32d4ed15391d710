"""Every canteen write: keyword-only `<entity>_<verb>(*, school, actor, ...)` in a transaction.

The national rules live here (and as check constraints in models.py where a constraint can say
them): who may work with food today, which supplier may deliver what, how much a sample weighs
and how long it is kept, the disinfection minimums, the temperature ranges, and the day's
close → review → reopen lifecycle. Messages are for the person at the phone.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canteen import capabilities as caps
from canteen import checklists
from canteen.models import (
    BULK_CATEGORIES,
    FARM_CATEGORIES,
    QUARANTINE_CATEGORIES,
    AccompaniedMeal,
    CanteenDay,
    CanteenSettings,
    Complaint,
    CorrectiveAction,
    DishRating,
    Disinfection,
    DisinfectionMethod,
    Equipment,
    FollowUp,
    FoodCategory,
    GapMark,
    Incident,
    InspectionPack,
    Meal,
    MealFeeIncome,
    MenuDish,
    MonthlyMeeting,
    MorningCheck,
    Receiving,
    ReceivingLine,
    Sample,
    SelfInspection,
    SelfInspectionItem,
    StaffMember,
    Supplier,
    SupplierList,
    SupplierListEntry,
    Survey,
    TemperatureLog,
    Training,
    WasteRecord,
)
from logistics import approvals
from logistics.approvals import Step
from logistics.attachments import CleanUpload, attachment_create
from logistics.audit import record_event
from logistics.models import Approval, Attachment, School
from logistics.roles import capabilities_for

SUPPLIER_LIST_DOC = "canteen.supplier_list"
MINUTES_DOC = "canteen.monthly_minutes"
WARNING_DAYS = (30, 14, 7)
MAX_WARNING_DAYS = 365  # the dashboard looks this far ahead
# The national minimums a school may raise but never lower.
NATIONAL = {
    "sample_min_grams": 125,
    "sample_hours": 48,
    "boiling_min_minutes": 10,
    "infrared_min_celsius": 120,
    "infrared_min_minutes": 10,
    "dishwasher_min_celsius": 85,
    "dishwasher_min_seconds": 40,
    "chlorine_min_mgl": 250,
    "chlorine_min_minutes": 5,
    "retention_extra_months": 6,
    "retention_no_shelf_months": 24,
    "retention_farm_months": 6,
}


def _photo(school: School, actor, upload: CleanUpload | None) -> Attachment | None:
    return attachment_create(school=school, actor=actor, upload=upload) if upload else None


# ---------------------------------------------------------------- settings


def settings_for(school: School) -> CanteenSettings:
    """The school's settings, or the national defaults (unsaved) when it has none."""
    found = CanteenSettings.objects.filter(school=school).first()
    return found or CanteenSettings(school=school, warning_days=list(WARNING_DAYS))


def settings_update(*, school: School, actor, **values) -> CanteenSettings:
    errors = {
        field: _("The national rule is at least %(n)s.") % {"n": minimum}
        for field, minimum in NATIONAL.items()
        if field in values and values[field] < minimum
    }
    if any(not 1 <= d <= MAX_WARNING_DAYS for d in values.get("warning_days") or ()):
        errors["warning_days"] = _("Warning days are between 1 and %(n)s.") % {
            "n": MAX_WARNING_DAYS
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = CanteenSettings.objects.select_for_update().filter(school=school).first()
        current = current or CanteenSettings(school=school, warning_days=list(WARNING_DAYS))
        for field, value in values.items():
            setattr(current, field, value)
        current.full_clean()
        current.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.settings.changed",
            obj=current,
            data={k: str(v) for k, v in values.items()},
        )
        return current


# ---------------------------------------------------------------- day lock


def _ensure_open(school: School, date: datetime.date) -> None:
    """Records of a closed or reviewed day are locked until the director reopens it."""
    status = CanteenDay.objects.filter(school=school, date=date).values_list("status", flat=True)
    if status and status[0] != CanteenDay.OPEN:
        raise ValidationError(
            _("The canteen day %(date)s is closed; the director must reopen it first.")
            % {"date": date.isoformat()}
        )


def day_open_guard(record) -> None:
    """The kernel's void action asks before voiding a record of one canteen day."""
    _ensure_open(record.school, record.date)


# ---------------------------------------------------------------- staff


def staff_save(
    *,
    school: School,
    actor,
    staff: StaffMember | None = None,
    name: str,
    position: str,
    certificate_no: str,
    certificate_expires: datetime.date,
    user=None,
    is_active: bool = True,
) -> StaffMember:
    with transaction.atomic():
        created = staff is None
        staff = staff or StaffMember(school=school)
        staff.name = name.strip()
        staff.position = position
        staff.certificate_no = certificate_no.strip()
        staff.certificate_expires = certificate_expires
        staff.user = user
        staff.is_active = is_active
        staff.full_clean()
        staff.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.staff.created" if created else "canteen.staff.changed",
            obj=staff,
            summary=staff.name,
            data={"certificate_expires": certificate_expires},
        )
        return staff


def fitness_refusal(school: School, staff: StaffMember, date: datetime.date) -> str | None:
    """Why `staff` may not work with food on `date`, or None when they may."""
    if not staff.is_active:
        return _("%(name)s no longer works in the canteen.") % {"name": staff.name}
    if staff.certificate_expires < date:
        return _("%(name)s's health certificate expired on %(date)s.") % {
            "name": staff.name,
            "date": staff.certificate_expires.isoformat(),
        }
    failed = MorningCheck.objects.filter(
        school=school, staff=staff, date=date, passed=False, voided_at__isnull=True
    ).exists()
    if failed:
        return _("%(name)s failed today's morning check and is off duty.") % {"name": staff.name}
    return None


def _require_fit(school: School, date: datetime.date, field: str, *people: StaffMember) -> None:
    for person in people:
        reason = fitness_refusal(school, person, date)
        if reason:
            raise ValidationError({field: reason})


# ---------------------------------------------------------------- morning check


def morning_check_record(
    *,
    school: School,
    actor,
    staff: StaffMember,
    date: datetime.date,
    temperature: Decimal,
    hygiene_ok: bool = True,
    **symptoms: bool,
) -> MorningCheck:
    """One person's check; any failed item takes them off duty for the day."""
    unknown = set(symptoms) - set(MorningCheck.ITEMS)
    if unknown:
        raise ValueError(f"unknown morning-check items {unknown}")
    passed = temperature < MorningCheck.FEVER_FROM and hygiene_ok and not any(symptoms.values())
    with transaction.atomic():
        _ensure_open(school, date)
        if MorningCheck.objects.filter(
            school=school, staff=staff, date=date, voided_at__isnull=True
        ).exists():
            raise ValidationError(
                {"staff": _("%(name)s has already been checked today.") % {"name": staff.name}}
            )
        check = MorningCheck(
            school=school,
            staff=staff,
            date=date,
            temperature=temperature,
            hygiene_ok=hygiene_ok,
            passed=passed,
            checked_by=actor,
            **symptoms,
        )
        check.full_clean()
        check.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.morning_check.passed" if passed else "canteen.morning_check.failed",
            obj=check,
            summary=staff.name,
        )
        return check


# ---------------------------------------------------------------- suppliers


def supplier_save(
    *,
    school: School,
    actor,
    supplier: Supplier | None = None,
    name: str,
    credit_code: str,
    licence_no: str,
    licence_expires: datetime.date,
    categories: Sequence[str],
    contact: str = "",
    contract_no: str = "",
    contract: CleanUpload | None = None,
) -> Supplier:
    if not categories:
        raise ValidationError({"categories": _("Choose at least one category.")})
    with transaction.atomic():
        created = supplier is None
        supplier = supplier or Supplier(school=school)
        supplier.name = name.strip()
        supplier.credit_code = credit_code.strip().upper()
        supplier.licence_no = licence_no.strip()
        supplier.licence_expires = licence_expires
        supplier.categories = list(categories)
        supplier.contact = contact
        supplier.contract_no = contract_no
        if contract:
            supplier.contract = _photo(school, actor, contract)
        try:
            supplier.full_clean()
        except ValidationError as exc:
            if "credit_code" in getattr(exc, "error_dict", {}) or "__all__" in getattr(
                exc, "error_dict", {}
            ):
                raise ValidationError(
                    {"credit_code": _("A credit code is 18 digits or capital letters, unique.")}
                ) from exc
            raise
        supplier.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.supplier.created" if created else "canteen.supplier.changed",
            obj=supplier,
            summary=supplier.name,
        )
        return supplier


def supplier_list_policy(school: School, supplier_list: SupplierList) -> list[Step]:
    return [Step("canteen.approve_suppliers", _("Principal"))]


def supplier_list_submit(
    *,
    school: School,
    actor,
    title: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    suppliers: Iterable[Supplier],
) -> SupplierList:
    """A designated-supplier list for a period, sent to the principal for approval."""
    suppliers = list(suppliers)
    if not suppliers:
        raise ValidationError({"suppliers": _("Choose the suppliers on the list.")})
    with transaction.atomic():
        supplier_list = SupplierList(
            school=school,
            title=title.strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            status=SupplierList.PENDING,
            created_by=actor,
        )
        supplier_list.full_clean()
        supplier_list.save()
        SupplierListEntry.objects.bulk_create(
            SupplierListEntry(
                school=school, supplier_list=supplier_list, supplier=s, categories=s.categories
            )
            for s in suppliers
        )
        supplier_list.approval = approvals.approval_start(
            school=school,
            actor=actor,
            doc_type=SUPPLIER_LIST_DOC,
            obj=supplier_list,
            title=_("Designated suppliers: %(title)s") % {"title": supplier_list.title},
        )
        supplier_list.save(update_fields=["approval"])
        return supplier_list


def on_supplier_list_finished(approval: Approval) -> None:
    """Called by the approval engine inside the transaction that finishes the chain."""
    status = {
        Approval.APPROVED: SupplierList.APPROVED,
        Approval.REJECTED: SupplierList.REJECTED,
    }.get(approval.status, SupplierList.DRAFT)
    SupplierList.objects.filter(pk=int(approval.object_id), school=approval.school_id).update(
        status=status
    )


def supplier_refusal(
    school: School, supplier: Supplier, date: datetime.date, categories: Iterable[str]
) -> str | None:
    """Why `supplier` may not deliver these categories on `date`, or None."""
    if supplier.licence_expires < date:
        return _("%(name)s's food licence expired on %(date)s.") % {
            "name": supplier.name,
            "date": supplier.licence_expires.isoformat(),
        }
    approved: set[str] = set()
    entries = SupplierListEntry.objects.filter(
        school=school,
        supplier=supplier,
        supplier_list__status=SupplierList.APPROVED,
        supplier_list__valid_from__lte=date,
        supplier_list__valid_until__gte=date,
    ).values_list("categories", flat=True)
    for cats in entries:
        approved.update(cats)
    if not approved:
        return _("%(name)s is not on an approved designated-supplier list for this date.") % {
            "name": supplier.name
        }
    missing = sorted(set(categories) - approved)
    if missing:
        labels = "、".join(str(FoodCategory(c).label) for c in missing)
        return _("%(name)s is not approved to supply: %(categories)s.") % {
            "name": supplier.name,
            "categories": labels,
        }
    return None


# ---------------------------------------------------------------- receiving


@dataclass(frozen=True)
class LineInput:
    name: str
    category: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    accepted: bool = True
    disposal: str = ""
    spec: str = ""
    weighed: Decimal | None = None
    batch: str = ""
    production_date: datetime.date | None = None
    shelf_life_days: int | None = None
    temperature: Decimal | None = None


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def retain_until(
    settings: CanteenSettings,
    *,
    received: datetime.date,
    category: str,
    production_date: datetime.date | None,
    shelf_life_days: int | None,
) -> datetime.date:
    """食品安全法 §50/§65: shelf life + 6 months; 2 years without one; farm produce 6 months."""
    if category in FARM_CATEGORIES:
        return add_months(received, settings.retention_farm_months)
    if shelf_life_days:
        expiry = (production_date or received) + datetime.timedelta(days=shelf_life_days)
        return add_months(max(expiry, received), settings.retention_extra_months)
    return add_months(received, settings.retention_no_shelf_months)


def receiving_create(
    *,
    school: School,
    actor,
    date: datetime.date,
    supplier: Supplier,
    inspector: StaffMember,
    second_inspector: StaffMember | None = None,
    lines: Sequence[LineInput],
    invoice_photo: CleanUpload | None = None,
    quarantine_photo: CleanUpload | None = None,
    note: str = "",
) -> Receiving:
    if not lines:
        raise ValidationError(_("Enter at least one item."))
    categories = {line.category for line in lines}
    accepted = {line.category for line in lines if line.accepted}
    refusal = supplier_refusal(school, supplier, date, categories)
    if refusal:
        raise ValidationError({"supplier": refusal})
    if categories & BULK_CATEGORIES and (
        second_inspector is None or second_inspector.pk == inspector.pk
    ):
        raise ValidationError(
            {"second_inspector": _("Bulk foods need a second, different inspector.")}
        )
    if second_inspector is not None and second_inspector.pk == inspector.pk:
        raise ValidationError({"second_inspector": _("Choose a different person.")})
    _require_fit(school, date, "inspector", inspector)
    if second_inspector is not None:
        _require_fit(school, date, "second_inspector", second_inspector)
    if accepted & QUARANTINE_CATEGORIES and quarantine_photo is None:
        raise ValidationError(
            {
                "quarantine_photo": _(
                    "Meat is accepted only with a photo of its quarantine certificate."
                )
            }
        )
    for line in lines:
        if not line.accepted and not line.disposal.strip():
            raise ValidationError(
                _("Say how the rejected %(item)s was disposed of.") % {"item": line.name}
            )
    settings = settings_for(school)
    with transaction.atomic():
        _ensure_open(school, date)
        receiving = Receiving(
            school=school,
            date=date,
            supplier=supplier,
            inspector=inspector,
            second_inspector=second_inspector,
            invoice_photo=_photo(school, actor, invoice_photo),
            quarantine_photo=_photo(school, actor, quarantine_photo),
            note=note,
            recorded_by=actor,
        )
        receiving.full_clean()
        receiving.save()
        rows = []
        for line in lines:
            billed = line.weighed if line.weighed is not None else line.quantity
            row = ReceivingLine(
                school=school,
                receiving=receiving,
                name=line.name.strip(),
                category=line.category,
                spec=line.spec,
                quantity=line.quantity,
                unit=line.unit,
                weighed=line.weighed,
                unit_price=line.unit_price,
                amount=(billed * line.unit_price).quantize(Decimal("0.01"), ROUND_HALF_UP),
                batch=line.batch,
                production_date=line.production_date,
                shelf_life_days=line.shelf_life_days,
                temperature=line.temperature,
                accepted=line.accepted,
                disposal=line.disposal.strip(),
                retain_until=retain_until(
                    settings,
                    received=date,
                    category=line.category,
                    production_date=line.production_date,
                    shelf_life_days=line.shelf_life_days,
                ),
            )
            row.full_clean(exclude=["receiving"])
            rows.append(row)
        ReceivingLine.objects.bulk_create(rows)
        rejected = [r.name for r in rows if not r.accepted]
        record_event(
            school=school,
            actor=actor,
            action="canteen.receiving.recorded",
            obj=receiving,
            summary=supplier.name,
            data={"lines": len(rows), "rejected": rejected},
        )
        return receiving


# ---------------------------------------------------------------- menu


def menu_set(
    *,
    school: School,
    actor,
    date: datetime.date,
    meal: str,
    dishes: Sequence[tuple[str, int | None]],
) -> list[MenuDish]:
    """Replace the dishes of one day and meal; dishes already sampled or rated stay."""
    names = [(n.strip(), g) for n, g in dishes if n.strip()]
    with transaction.atomic():
        existing = list(MenuDish.objects.filter(school=school, date=date, meal=meal))
        used = set(
            Sample.objects.filter(school=school, dish__in=existing).values_list(
                "dish_id", flat=True
            )
        ) | set(
            DishRating.objects.filter(school=school, dish__in=existing).values_list(
                "dish_id", flat=True
            )
        )
        keep = {d.name: d for d in existing if d.pk in used}
        MenuDish.objects.filter(
            school=school, pk__in=[d.pk for d in existing if d.pk not in used]
        ).delete()
        result = []
        for position, (name, grams) in enumerate(names):
            dish = keep.pop(name, None) or MenuDish(school=school, date=date, meal=meal, name=name)
            dish.grams_per_student = grams
            dish.position = position
            dish.full_clean()
            dish.save()
            result.append(dish)
        record_event(
            school=school,
            actor=actor,
            action="canteen.menu.set",
            summary=f"{date.isoformat()} {Meal(meal).label}",
            data={"dishes": [n for n, _g in names]},
        )
        return result + list(keep.values())


def menu_copy_last_week(*, school: School, actor, week_start: datetime.date) -> int:
    """Copy the previous week's dishes into the days and meals of this week that have none."""
    previous = week_start - datetime.timedelta(days=7)
    with transaction.atomic():
        taken = set(
            MenuDish.objects.filter(
                school=school, date__gte=week_start, date__lt=week_start + datetime.timedelta(7)
            ).values_list("date", "meal")
        )
        copies = [
            MenuDish(
                school=school,
                date=d.date + datetime.timedelta(days=7),
                meal=d.meal,
                name=d.name,
                grams_per_student=d.grams_per_student,
                position=d.position,
            )
            for d in MenuDish.objects.filter(
                school=school, date__gte=previous, date__lt=week_start
            ).order_by("date", "meal", "position")
            if (d.date + datetime.timedelta(days=7), d.meal) not in taken
        ]
        if not copies:
            raise ValidationError(_("Last week has no dishes to copy into the empty days."))
        MenuDish.objects.bulk_create(copies)
        record_event(
            school=school,
            actor=actor,
            action="canteen.menu.copied",
            summary=week_start.isoformat(),
            data={"dishes": len(copies)},
        )
        return len(copies)


# ---------------------------------------------------------------- samples


@dataclass(frozen=True)
class SampleInput:
    dish: MenuDish
    grams: Decimal
    photo: CleanUpload | None = None


def samples_record(
    *,
    school: School,
    actor,
    date: datetime.date,
    meal: str,
    sampler: StaffMember,
    reviewer: StaffMember,
    entries: Sequence[SampleInput],
    fridge: str = "",
    taken_at: datetime.datetime | None = None,
) -> list[Sample]:
    """Sample a meal in one go: one sample per dish, each at least the school's minimum."""
    settings = settings_for(school)
    if not entries:
        raise ValidationError(_("Enter the weight of at least one dish."))
    if reviewer.pk == sampler.pk:
        raise ValidationError({"reviewer": _("The sample is checked by another person.")})
    _require_fit(school, date, "sampler", sampler)
    errors = {}
    for entry in entries:
        if entry.dish.date != date or entry.dish.meal != meal:
            raise ValidationError(_("%(dish)s is not on this meal's menu.") % {"dish": entry.dish})
        if entry.grams < settings.sample_min_grams:
            errors[f"grams_{entry.dish.pk}"] = _(
                "A sample weighs at least %(min)s g (%(dish)s: %(grams)s g)."
            ) % {"min": settings.sample_min_grams, "dish": entry.dish.name, "grams": entry.grams}
    if errors:
        raise ValidationError(errors)
    taken_at = taken_at or timezone.now()
    with transaction.atomic():
        _ensure_open(school, date)
        done = set(
            Sample.objects.filter(
                school=school, dish__in=[e.dish for e in entries], voided_at__isnull=True
            ).values_list("dish_id", flat=True)
        )
        if done:
            names = "、".join(e.dish.name for e in entries if e.dish.pk in done)
            raise ValidationError(_("Already sampled: %(dishes)s.") % {"dishes": names})
        samples = []
        for entry in entries:
            sample = Sample(
                school=school,
                date=date,
                meal=meal,
                dish=entry.dish,
                grams=entry.grams,
                taken_at=taken_at,
                sampler=sampler,
                reviewer=reviewer,
                fridge=fridge,
                photo=_photo(school, actor, entry.photo),
                recorded_by=actor,
            )
            sample.full_clean()
            sample.save()
            samples.append(sample)
        record_event(
            school=school,
            actor=actor,
            action="canteen.sample.recorded",
            summary=f"{date.isoformat()} {Meal(meal).label}",
            data={"dishes": [s.dish.name for s in samples], "sampler": sampler.name},
        )
        return samples


def sample_dispose(
    *, school: School, actor, sample_ids: Sequence[int], now: datetime.datetime | None = None
) -> int:
    """Dispose of samples kept long enough; refuses (all of them) when one is too young."""
    now = now or timezone.now()
    hours = settings_for(school).sample_hours
    with transaction.atomic():
        samples = list(
            Sample.objects.select_for_update()
            .filter(school=school, pk__in=sample_ids, disposed_at__isnull=True)
            .select_related("dish")
        )
        for sample in samples:
            if sample.sealed_at is not None:
                raise ValidationError(
                    _("%(dish)s is sealed for an incident and may not be disposed of.")
                    % {"dish": sample.dish.name}
                )
            ready = sample.taken_at + datetime.timedelta(hours=hours)
            if now < ready:
                raise ValidationError(
                    _("%(dish)s may be disposed of from %(time)s (kept %(hours)s h).")
                    % {
                        "dish": sample.dish.name,
                        "time": timezone.localtime(ready).strftime("%Y-%m-%d %H:%M"),
                        "hours": hours,
                    }
                )
        for sample in samples:
            sample.disposed_at = now
            sample.disposed_by = actor
            sample.save(update_fields=["disposed_at", "disposed_by"])
            record_event(
                school=school,
                actor=actor,
                action="canteen.sample.disposed",
                obj=sample,
                summary=sample.dish.name,
            )
        return len(samples)


# ---------------------------------------------------------------- disinfection


def disinfection_minimums(settings: CanteenSettings, method: str) -> dict[str, int]:
    """The method's minimum parameters: celsius and/or mg_per_litre, and seconds."""
    return {
        DisinfectionMethod.BOILING: {"celsius": 100, "seconds": settings.boiling_min_minutes * 60},
        DisinfectionMethod.INFRARED: {
            "celsius": settings.infrared_min_celsius,
            "seconds": settings.infrared_min_minutes * 60,
        },
        DisinfectionMethod.DISHWASHER: {
            "celsius": settings.dishwasher_min_celsius,
            "seconds": settings.dishwasher_min_seconds,
        },
        DisinfectionMethod.CHLORINE: {
            "mg_per_litre": settings.chlorine_min_mgl,
            "seconds": settings.chlorine_min_minutes * 60,
        },
    }[method]


def disinfection_record(
    *,
    school: School,
    actor,
    date: datetime.date,
    meal: str,
    method: str,
    seconds: int,
    operator: StaffMember,
    checker: StaffMember,
    celsius: Decimal | None = None,
    mg_per_litre: int | None = None,
    items: str = "",
) -> Disinfection:
    minimum = disinfection_minimums(settings_for(school), method)
    errors = {}
    if "celsius" in minimum and (celsius is None or celsius < minimum["celsius"]):
        errors["celsius"] = _("This method needs at least %(n)s °C.") % {"n": minimum["celsius"]}
    if "mg_per_litre" in minimum and (
        mg_per_litre is None or mg_per_litre < minimum["mg_per_litre"]
    ):
        errors["mg_per_litre"] = _("This method needs at least %(n)s mg/L.") % {
            "n": minimum["mg_per_litre"]
        }
    if seconds < minimum["seconds"]:
        errors["seconds"] = _("This method needs at least %(n)s seconds.") % {
            "n": minimum["seconds"]
        }
    if checker.pk == operator.pk:
        errors["checker"] = _("Disinfection is checked by another person.")
    if errors:
        raise ValidationError(errors)
    _require_fit(school, date, "operator", operator)
    with transaction.atomic():
        _ensure_open(school, date)
        record = Disinfection(
            school=school,
            date=date,
            meal=meal,
            method=method,
            celsius=celsius if "celsius" in minimum else None,
            mg_per_litre=mg_per_litre if "mg_per_litre" in minimum else None,
            seconds=seconds,
            items=items,
            operator=operator,
            checker=checker,
            recorded_by=actor,
        )
        record.full_clean()
        record.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.disinfection.recorded",
            obj=record,
            summary=f"{date.isoformat()} {Meal(meal).label}",
        )
        return record


# ---------------------------------------------------------------- temperatures


def temperature_in_range(settings: CanteenSettings, equipment: str, celsius: Decimal) -> bool:
    if equipment in (Equipment.FRIDGE, Equipment.SAMPLE_FRIDGE):
        return settings.fridge_min <= celsius <= settings.fridge_max
    if equipment == Equipment.FREEZER:
        return celsius <= settings.freezer_max
    return celsius > settings.hot_min


def temperature_record(
    *,
    school: School,
    actor,
    equipment: str,
    celsius: Decimal,
    label: str = "",
    corrective_action: str = "",
    taken_at: datetime.datetime | None = None,
) -> TemperatureLog:
    """An out-of-range reading is refused without its corrective action."""
    taken_at = taken_at or timezone.now()
    date = timezone.localdate(taken_at)
    in_range = temperature_in_range(settings_for(school), equipment, celsius)
    if not in_range and not corrective_action.strip():
        raise ValidationError({"corrective_action": _("Out of range: say what was done about it.")})
    with transaction.atomic():
        _ensure_open(school, date)
        log = TemperatureLog(
            school=school,
            date=date,
            taken_at=taken_at,
            equipment=equipment,
            label=label,
            celsius=celsius,
            in_range=in_range,
            corrective_action=corrective_action.strip(),
            recorded_by=actor,
        )
        log.full_clean()
        log.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.temperature.recorded"
            if in_range
            else "canteen.temperature.out_of_range",
            obj=log,
            summary=f"{Equipment(equipment).label} {celsius} °C",
        )
        return log


# ---------------------------------------------------------------- accompanied meals


def accompanied_record(
    *,
    school: School,
    actor,
    date: datetime.date,
    meal: str,
    ratings: dict[int, int],
    companion_title: str = "",
    problems: str = "",
) -> AccompaniedMeal:
    """陪餐 with a rating per dish; a problem becomes a follow-up item for the manager."""
    dishes = {d.pk: d for d in MenuDish.objects.filter(school=school, date=date, meal=meal)}
    if not dishes:
        raise ValidationError(_("This meal has no menu to rate."))
    if set(ratings) - set(dishes):
        raise ValidationError(_("Rate only the dishes of this meal."))
    if any(not 1 <= r <= 5 for r in ratings.values()):
        raise ValidationError(_("A rating is 1 to 5."))
    with transaction.atomic():
        _ensure_open(school, date)
        record = AccompaniedMeal(
            school=school,
            date=date,
            meal=meal,
            companion=actor,
            companion_title=companion_title,
            problems=problems.strip(),
        )
        record.full_clean()
        record.save()
        DishRating.objects.bulk_create(
            DishRating(school=school, accompanied=record, dish=dishes[pk], rating=r)
            for pk, r in ratings.items()
        )
        if record.problems:
            _follow_up(
                school, actor, date, "accompanied", record.problems, date + datetime.timedelta(3)
            )
        record_event(
            school=school,
            actor=actor,
            action="canteen.accompanied.recorded",
            obj=record,
            summary=f"{date.isoformat()} {Meal(meal).label}",
        )
        return record


def _follow_up(school, actor, date, source, text, deadline) -> FollowUp:
    item = FollowUp(
        school=school, date=date, source=source, text=text[:300], deadline=deadline, raised_by=actor
    )
    item.full_clean()
    item.save()
    record_event(
        school=school, actor=actor, action="canteen.followup.raised", obj=item, summary=item.text
    )
    return item


# ---------------------------------------------------------------- the day


def _day(school: School, date: datetime.date) -> CanteenDay:
    day, _created = CanteenDay.objects.select_for_update().get_or_create(school=school, date=date)
    return day


def gap_mark(*, school: School, actor, date: datetime.date, key: str, reason: str) -> GapMark:
    """Mark a due entry (or a whole meal, key "meal:<meal>") not applicable, with a reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        day = _day(school, date)
        if day.status != CanteenDay.OPEN:
            raise ValidationError(_("This day is closed."))
        mark, _created = GapMark.objects.update_or_create(
            school=school,
            day=day,
            key=key[:40],
            defaults={"reason": reason.strip()[:200], "marked_by": actor},
        )
        record_event(
            school=school,
            actor=actor,
            action="canteen.day.not_applicable",
            obj=day,
            summary=reason,
            data={"key": key},
        )
        return mark


def day_close(*, school: School, actor, date: datetime.date) -> CanteenDay:
    """The food-safety officer closes the day; refused while any due entry is missing."""
    from canteen.selectors import day_board

    with transaction.atomic():
        day = _day(school, date)
        if day.status != CanteenDay.OPEN:
            return day
        missing = day_board(school, date).missing
        if missing:
            raise ValidationError(
                _("%(n)s entries are missing: %(items)s. Fill them in or mark them not applicable.")
                % {"n": len(missing), "items": "；".join(g.label for g in missing[:5])}
            )
        day.status = CanteenDay.CLOSED
        day.closed_at = timezone.now()
        day.closed_by = actor
        day.save(update_fields=["status", "closed_at", "closed_by"])
        record_event(
            school=school,
            actor=actor,
            action="canteen.day.closed",
            obj=day,
            summary=date.isoformat(),
        )
        return day


def day_review(*, school: School, actor, date: datetime.date, comment: str = "") -> CanteenDay:
    """A committee member signs a closed day as reviewed; the day is then locked."""
    with transaction.atomic():
        day = _day(school, date)
        if day.status == CanteenDay.REVIEWED:
            return day
        if day.status != CanteenDay.CLOSED:
            raise ValidationError(_("Only a closed day can be reviewed."))
        day.status = CanteenDay.REVIEWED
        day.reviewed_at = timezone.now()
        day.reviewed_by = actor
        day.review_comment = comment.strip()[:300]
        day.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        record_event(
            school=school,
            actor=actor,
            action="canteen.day.reviewed",
            obj=day,
            summary=comment or date.isoformat(),
        )
        return day


def day_reopen(*, school: School, actor, date: datetime.date, reason: str) -> CanteenDay:
    """The director reopens a closed or reviewed day for a correction, with a logged reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    with transaction.atomic():
        day = _day(school, date)
        if day.status == CanteenDay.OPEN:
            return day
        was = day.status
        day.status = CanteenDay.OPEN
        day.reopen_count += 1
        day.reopen_reason = reason.strip()[:200]
        day.save(update_fields=["status", "reopen_count", "reopen_reason"])
        record_event(
            school=school,
            actor=actor,
            action="canteen.day.reopened",
            obj=day,
            summary=reason,
            data={"was": was},
        )
        return day


def concern_raise(
    *, school: School, actor, date: datetime.date, text: str, deadline: datetime.date
) -> FollowUp:
    """A committee member's concern about a day: a follow-up for the canteen manager."""
    if not text.strip():
        raise ValidationError({"text": _("Describe the concern.")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    with transaction.atomic():
        day = _day(school, date)
        if day.status == CanteenDay.OPEN:
            raise ValidationError(_("The day has not been closed yet."))
        return _follow_up(school, actor, date, "review", text.strip(), deadline)


def concern_reply(*, school: School, actor, followup_id: int, reply: str) -> FollowUp:
    if not reply.strip():
        raise ValidationError({"reply": _("Write the reply.")})
    with transaction.atomic():
        item = FollowUp.objects.select_for_update().get(pk=followup_id, school=school)
        if item.replied_at is not None:
            raise ValidationError(_("This concern has already been answered."))
        item.reply = reply.strip()[:300]
        item.replied_by = actor
        item.replied_at = timezone.now()
        item.save(update_fields=["reply", "replied_by", "replied_at"])
        record_event(
            school=school,
            actor=actor,
            action="canteen.followup.answered",
            obj=item,
            summary=item.reply,
        )
        return item


# ---------------------------------------------------------------- canteen account


def income_set(
    *,
    school: School,
    actor,
    month: datetime.date,
    amount: Decimal,
    student_days: int,
    note: str = "",
) -> MealFeeIncome:
    """Type in (or correct) a month's meal-fee income; the correction is in the row history."""
    month = month.replace(day=1)
    with transaction.atomic():
        income, _created = MealFeeIncome.objects.select_for_update().get_or_create(
            school=school,
            month=month,
            defaults={"amount": amount, "student_days": student_days, "recorded_by": actor},
        )
        income.amount = amount
        income.student_days = student_days
        income.note = note
        income.recorded_by = actor
        income.full_clean()
        income.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.income.set",
            obj=income,
            summary=f"{month:%Y-%m}",
            data={"amount": amount, "student_days": student_days},
        )
        return income


# ---------------------------------------------------------------- complaints


def complaint_record(
    *, school: School, actor, received_on: datetime.date, channel: str, content: str
) -> Complaint:
    with transaction.atomic():
        complaint = Complaint(
            school=school,
            received_on=received_on,
            channel=channel,
            content=content.strip(),
            recorded_by=actor,
        )
        complaint.full_clean()
        complaint.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.complaint.received",
            obj=complaint,
            summary=complaint.content,
        )
        return complaint


def complaint_reply(
    *, school: School, actor, complaint_id: int, reply: str, closed_on: datetime.date | None = None
) -> Complaint:
    """Answer and close a complaint; the time to close is counted from the day it came in."""
    if not reply.strip():
        raise ValidationError({"reply": _("Write the reply.")})
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id, school=school)
        if complaint.closed_on is not None:
            raise ValidationError(_("This complaint is already closed."))
        closed_on = closed_on or timezone.localdate()
        if closed_on < complaint.received_on:
            raise ValidationError({"closed_on": _("A complaint closes after it came in.")})
        complaint.reply = reply.strip()[:300]
        complaint.replied_by = actor
        complaint.closed_on = closed_on
        complaint.save(update_fields=["reply", "replied_by", "closed_on"])
        record_event(
            school=school,
            actor=actor,
            action="canteen.complaint.closed",
            obj=complaint,
            summary=complaint.reply,
            data={"days": complaint.days_to_close},
        )
        return complaint


# ---------------------------------------------------------------- kitchen waste


def waste_record(
    *,
    school: School,
    actor,
    date: datetime.date,
    kind: str,
    kg: Decimal,
    meal: str = "",
    hauler: str = "",
) -> WasteRecord:
    """Leftovers per meal; a collection of kitchen waste or oil names its licensed hauler."""
    if kind == WasteRecord.Kind.LEFTOVERS:
        if not meal:
            raise ValidationError({"meal": _("Leftovers are weighed per meal.")})
        hauler = ""
    elif not hauler.strip():
        raise ValidationError({"hauler": _("Name the licensed hauler who collected it.")})
    else:
        meal = ""
    with transaction.atomic():
        _ensure_open(school, date)
        record = WasteRecord(
            school=school,
            date=date,
            meal=meal,
            kind=kind,
            kg=kg,
            hauler=hauler.strip(),
            recorded_by=actor,
        )
        record.full_clean()
        record.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.waste.recorded",
            obj=record,
            summary=f"{WasteRecord.Kind(kind).label} {kg} kg",
        )
        return record


# ---------------------------------------------------------------- training


def training_record(
    *,
    school: School,
    actor,
    date: datetime.date,
    kind: str,
    topic: str,
    trainer: str,
    hours: Decimal,
    attendees: Sequence[StaffMember],
    passed: int | None = None,
) -> Training:
    """A study session or an exam; an exam carries how many of the attendees passed."""
    attendees = list(attendees)
    if not attendees:
        raise ValidationError({"attendees": _("Choose who attended.")})
    if kind == Training.Kind.EXAM:
        if passed is None or passed > len(attendees):
            raise ValidationError(
                {
                    "passed": _("An exam records how many of the %(n)s attendees passed.")
                    % {"n": len(attendees)}
                }
            )
    else:
        passed = None
    with transaction.atomic():
        training = Training(
            school=school,
            date=date,
            kind=kind,
            topic=topic.strip(),
            trainer=trainer.strip(),
            hours=hours,
            passed=passed,
            recorded_by=actor,
        )
        training.full_clean()
        training.save()
        training.attendees.set(attendees)
        record_event(
            school=school,
            actor=actor,
            action="canteen.training.recorded",
            obj=training,
            summary=training.topic,
            data={"attendees": len(attendees)},
        )
        return training


# ---------------------------------------------------------------- satisfaction survey


def survey_record(
    *,
    school: School,
    actor,
    semester: str,
    date: datetime.date,
    respondents: int,
    satisfied: int,
    findings: str = "",
) -> Survey:
    if respondents <= 0:
        raise ValidationError({"respondents": _("Enter how many answered.")})
    if satisfied > respondents:
        raise ValidationError({"satisfied": _("More satisfied than respondents.")})
    with transaction.atomic():
        if Survey.objects.filter(school=school, semester=semester.strip()).exists():
            raise ValidationError({"semester": _("This semester's survey is already recorded.")})
        survey = Survey(
            school=school,
            semester=semester.strip(),
            date=date,
            respondents=respondents,
            satisfied=satisfied,
            findings=findings.strip(),
            recorded_by=actor,
        )
        survey.full_clean()
        survey.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.survey.recorded",
            obj=survey,
            summary=f"{survey.semester} {survey.share}%",
        )
        return survey


# ---------------------------------------------------------------- self-inspection (日管控·周排查)


@dataclass(frozen=True)
class ItemInput:
    """A checklist answer (code set) or a free finding (code blank, passed False)."""

    text: str
    passed: bool
    code: str = ""
    note: str = ""


def inspection_record(
    *,
    school: School,
    actor,
    kind: str,
    date: datetime.date,
    items: Sequence[ItemInput],
    owner=None,
    deadline: datetime.date | None = None,
    summary: str = "",
) -> SelfInspection:
    """Record an inspection; every failed item or finding opens a corrective action for
    `owner` to fix by `deadline`."""
    checklist = checklists.CHECKLISTS.get(kind)
    if checklist is not None:
        # A checklist is answered whole, each item once: a skipped item would read as passed.
        if sorted(i.code for i in items) != sorted(code for code, _label in checklist):
            raise ValidationError(_("Answer every item of the checklist once."))
    elif any(i.code or i.passed for i in items):
        raise ValueError("a committee or doctor inspection records findings only")
    failed = [i for i in items if not i.passed]
    errors = {}
    if failed and owner is None:
        errors["owner"] = _("Name who fixes the problems found.")
    if failed and deadline is None:
        errors["deadline"] = _("Give the date to fix them by.")
    elif failed and deadline < date:
        errors["deadline"] = _("The deadline cannot be before the inspection.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if (
            kind == SelfInspection.Kind.DAILY
            and SelfInspection.objects.filter(
                school=school, kind=kind, date=date, voided_at__isnull=True
            ).exists()
        ):
            raise ValidationError({"date": _("This day's checklist is already recorded.")})
        inspection = SelfInspection(
            school=school, kind=kind, date=date, inspector=actor, summary=summary.strip()[:300]
        )
        inspection.full_clean()
        inspection.save()
        rows = SelfInspectionItem.objects.bulk_create(
            SelfInspectionItem(
                school=school,
                inspection=inspection,
                code=i.code,
                text=str(i.text)[:200],
                passed=i.passed,
                note=i.note.strip()[:200],
            )
            for i in items
        )
        CorrectiveAction.objects.bulk_create(
            CorrectiveAction(
                school=school,
                item=row,
                problem=(f"{row.text}：{row.note}" if row.note else row.text)[:300],
                owner=owner,
                deadline=deadline,
            )
            for row in rows
            if not row.passed
        )
        record_event(
            school=school,
            actor=actor,
            action=f"canteen.inspection.{kind}",
            obj=inspection,
            summary=f"{date.isoformat()} {SelfInspection.Kind(kind).label}",
            data={"items": len(rows), "failed": len(failed)},
        )
        return inspection


def action_fix(
    *, school: School, actor, action_id: int, note: str, evidence: CleanUpload | None
) -> CorrectiveAction:
    """The owner reports the problem fixed, with a photo or scan as evidence."""
    errors = {}
    if not note.strip():
        errors["fix_note"] = _("Say what was done.")
    if evidence is None:
        errors["evidence"] = _("Attach a photo or scan as evidence.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = (
            CorrectiveAction.objects.select_for_update(of=("self",))
            .select_related("item__inspection")
            .get(pk=action_id, school=school)
        )
        if action.owner_id != actor.pk:
            raise ValidationError(_("Only the person responsible reports it fixed."))
        if action.status != CorrectiveAction.OPEN or action.item.inspection.is_voided:
            raise ValidationError(_("This corrective action is not open."))
        action.status = CorrectiveAction.FIXED
        action.fix_note = note.strip()[:300]
        action.evidence = attachment_create(
            school=school, actor=actor, upload=evidence, view_capability=caps.VIEW
        )
        action.fixed_by = actor
        action.fixed_at = timezone.now()
        action.full_clean()
        action.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.corrective_action.fixed",
            obj=action,
            summary=action.fix_note,
        )
        return action


def action_verify(
    *, school: School, actor, action_id: int, accepted: bool, note: str = ""
) -> CorrectiveAction:
    """Someone else than the person who fixed it checks the fix: verified, or sent back."""
    if not accepted and not note.strip():
        raise ValidationError({"verify_note": _("Say what is still wrong.")})
    with transaction.atomic():
        action = CorrectiveAction.objects.select_for_update().get(pk=action_id, school=school)
        if action.status != CorrectiveAction.FIXED:
            raise ValidationError(_("Only a fixed corrective action can be verified."))
        if action.fixed_by_id == actor.pk:
            raise ValidationError(_("The fix is verified by someone else than who made it."))
        action.verify_note = note.strip()[:300]
        if accepted:
            action.status = CorrectiveAction.VERIFIED
            action.verified_by = actor
            action.verified_at = timezone.now()
        else:
            action.status = CorrectiveAction.OPEN
        action.full_clean()
        action.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.corrective_action.verified"
            if accepted
            else "canteen.corrective_action.reopened",
            obj=action,
            summary=action.verify_note or action.problem,
        )
        return action


# ---------------------------------------------------------------- monthly meeting (月调度)


def minutes_policy(school: School, meeting: MonthlyMeeting) -> list[Step]:
    """The principal signs. Minutes the principal wrote as chair name them on the step, so the
    chain stays signable (nobody else may sign the principal's part)."""
    mine = caps.SIGN_MINUTES in (capabilities_for(meeting.created_by, school) or ())
    return [
        Step(caps.SIGN_MINUTES, _("Principal"), user_id=meeting.created_by_id if mine else None)
    ]


def minutes_submit(
    *,
    school: School,
    actor,
    month: datetime.date,
    held_on: datetime.date,
    chair: str,
    attendees: str,
    summary: str,
    plan: str,
    problems: str = "",
) -> MonthlyMeeting:
    month = month.replace(day=1)
    with transaction.atomic():
        if (
            MonthlyMeeting.objects.filter(school=school, month=month, voided_at__isnull=True)
            .exclude(status=MonthlyMeeting.REJECTED)
            .exists()
        ):
            raise ValidationError({"month": _("This month's minutes are already recorded.")})
        meeting = MonthlyMeeting(
            school=school,
            month=month,
            held_on=held_on,
            chair=chair.strip(),
            attendees=attendees.strip(),
            summary=summary.strip(),
            problems=problems.strip(),
            plan=plan.strip(),
            status=MonthlyMeeting.PENDING,
            created_by=actor,
        )
        meeting.full_clean()
        meeting.save()
        meeting.approval = approvals.approval_start(
            school=school,
            actor=actor,
            doc_type=MINUTES_DOC,
            obj=meeting,
            title=_("Monthly food-safety meeting minutes, %(month)s") % {"month": f"{month:%Y-%m}"},
        )
        meeting.save(update_fields=["approval"])
        return meeting


def on_minutes_finished(approval: Approval) -> None:
    """Called by the approval engine inside the transaction that finishes the chain."""
    status = {
        Approval.APPROVED: MonthlyMeeting.APPROVED,
        Approval.REJECTED: MonthlyMeeting.REJECTED,
    }.get(approval.status, MonthlyMeeting.DRAFT)
    MonthlyMeeting.objects.filter(pk=int(approval.object_id), school=approval.school_id).update(
        status=status
    )


# ---------------------------------------------------------------- incidents (食物中毒)


def incident_open(
    *,
    school: School,
    actor,
    discovered_at: datetime.datetime,
    description: str,
    stopped: str,
    sample_ids: Sequence[int] = (),
    people_affected: int = 0,
    measures: str = "",
) -> Incident:
    """Record an incident: what was stopped, and seal the retained samples for the
    authorities (a sealed sample is never disposed of)."""
    errors = {}
    if not stopped.strip():
        errors["stopped"] = _("Say which meal, dishes or supply were stopped.")
    if discovered_at > timezone.now():
        errors["discovered_at"] = _("The time discovered cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident(
            school=school,
            discovered_at=discovered_at,
            description=description.strip(),
            people_affected=people_affected,
            stopped=stopped.strip(),
            measures=measures.strip(),
            recorded_by=actor,
        )
        incident.full_clean()
        incident.save()
        sealed = _seal(school, incident, sample_ids)
        record_event(
            school=school,
            actor=actor,
            action="canteen.incident.opened",
            obj=incident,
            summary=incident.description,
            data={"sealed_samples": sealed},
        )
        return incident


def _seal(school: School, incident: Incident, sample_ids: Sequence[int]) -> list[int]:
    samples = list(
        Sample.objects.select_for_update()
        .filter(school=school, pk__in=sample_ids, voided_at__isnull=True)
        .select_related("dish")
    )
    gone = [s.dish.name for s in samples if s.disposed_at is not None]
    if gone:
        raise ValidationError(
            {"samples": _("Already disposed of: %(dishes)s.") % {"dishes": "、".join(gone)}}
        )
    now = timezone.now()
    for sample in samples:
        if sample.sealed_at is None:
            sample.sealed_at, sample.incident = now, incident
            sample.save(update_fields=["sealed_at", "incident"])
    return [s.pk for s in samples]


def incident_report(
    *, school: School, actor, incident_id: int, reported_at: datetime.datetime, reported_to: str
) -> Incident:
    """Record when the incident was reported to the authorities, and to whom."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id, school=school)
        errors = {}
        if not reported_to.strip():
            errors["reported_to"] = _("Name the authority and the person told.")
        if reported_at < incident.discovered_at:
            errors["reported_at"] = _("The report comes after the incident was discovered.")
        elif reported_at > timezone.now():
            errors["reported_at"] = _("The report time cannot be in the future.")
        if errors:
            raise ValidationError(errors)
        incident.reported_at = reported_at
        incident.reported_to = reported_to.strip()[:200]
        incident.full_clean()
        incident.save(update_fields=["reported_at", "reported_to"])
        record_event(
            school=school,
            actor=actor,
            action="canteen.incident.reported",
            obj=incident,
            summary=incident.reported_to,
            data={"hours": incident.hours_to_report},
        )
        return incident


def incident_close(*, school: School, actor, incident_id: int, note: str) -> Incident:
    if not note.strip():
        raise ValidationError({"closing_note": _("Write the conclusion.")})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id, school=school)
        if incident.status == Incident.CLOSED:
            return incident
        if incident.reported_at is None:
            raise ValidationError(_("Record the report to the authorities before closing."))
        incident.status = Incident.CLOSED
        incident.closed_at = timezone.now()
        incident.closing_note = note.strip()[:300]
        incident.save(update_fields=["status", "closed_at", "closing_note"])
        record_event(
            school=school,
            actor=actor,
            action="canteen.incident.closed",
            obj=incident,
            summary=incident.closing_note,
        )
        return incident


# ---------------------------------------------------------------- inspection pack


def pack_request(
    *, school: School, actor, start: datetime.date, end: datetime.date
) -> InspectionPack:
    """Ask the worker for every ledger of the period in one PDF and one workbook."""
    from canteen import packs

    if end < start:
        raise ValidationError({"end": _("The end comes after the start.")})
    if (end - start).days >= packs.MAX_DAYS:
        raise ValidationError(
            {"start": _("A pack covers at most %(n)s days.") % {"n": packs.MAX_DAYS}}
        )
    with transaction.atomic():
        pack = InspectionPack(school=school, start=start, end=end, requested_by=actor)
        pack.full_clean()
        pack.save()
        record_event(
            school=school,
            actor=actor,
            action="canteen.pack.requested",
            obj=pack,
            summary=packs.period_text(start, end),
        )
        transaction.on_commit(lambda: packs.build_pack_task.enqueue(pack.pk))
        return pack
