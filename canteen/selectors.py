"""Every canteen read used by pages, prints and notices, scoped by school.

A page's query count does not grow with its rows: each list is one query (plus the paginator's
count), related rows come with select_related or one prefetch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from canteen.models import (
    AccompaniedMeal,
    CanteenDay,
    CanteenSettings,
    Complaint,
    CorrectiveAction,
    DishRating,
    Disinfection,
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
    Survey,
    TemperatureLog,
    Training,
    WasteRecord,
)
from logistics.models import School
from logistics.prepared import AnyOf, Param, ParamList, Prepared, PreparedList
from logistics.selectors import display, name_of, person_name

MIN_TEMPERATURE_READINGS = 2  # 冷藏/热保: twice a day


@dataclass
class Item:
    """One entry due on the day: done, marked not applicable, or missing."""

    key: str
    label: str
    done: bool
    na_reason: str = ""

    @property
    def missing(self) -> bool:
        return not self.done and not self.na_reason


@dataclass
class MealBoard:
    meal: str
    label: str
    dishes: list[tuple[MenuDish, Sample | None]]
    disinfections: list[Disinfection]
    accompanied: list[AccompaniedMeal]
    items: list[Item]
    na_reason: str = ""

    @property
    def unsampled(self) -> list[MenuDish]:
        return [d for d, s in self.dishes if s is None]


@dataclass
class DayBoard:
    date: datetime.date
    day: CanteenDay | None
    meals: list[MealBoard]
    staff: list[tuple[StaffMember, MorningCheck | None]]
    temperatures: list[TemperatureLog]
    receivings: list[Receiving]
    items: list[Item] = field(default_factory=list)
    marks: list[GapMark] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)

    @property
    def all_items(self) -> list[Item]:
        return self.items + [i for m in self.meals for i in m.items]

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.all_items if i.missing]

    @property
    def status(self) -> str:
        return self.day.status if self.day else CanteenDay.OPEN

    @property
    def deviations(self) -> list[str]:
        """What the committee reads first: gaps, failed checks, out-of-range, rejections."""
        found = [_("Missing: %(item)s") % {"item": i.label} for i in self.missing]
        found += [
            _("Not applicable: %(item)s (%(reason)s)") % {"item": i.label, "reason": i.na_reason}
            for i in self.all_items
            if i.na_reason
        ]
        found += [
            _("Failed morning check: %(name)s") % {"name": s.name}
            for s, c in self.staff
            if c is not None and not c.passed
        ]
        found += [
            _("Out of range: %(equipment)s %(label)s %(celsius)s °C; action: %(action)s")
            % {
                "equipment": t.equipment_label,
                "label": t.label,
                "celsius": t.celsius,
                "action": t.corrective_action,
            }
            for t in self.temperatures
            if not t.in_range and not t.is_voided
        ]
        found += [
            _("Rejected: %(supplier)s %(item)s (%(disposal)s)")
            % {"supplier": r.supplier.name, "item": line.name, "disposal": line.disposal}
            for r in self.receivings
            if not r.is_voided
            for line in r.line_list
            if not line.accepted
        ]
        return found


def _json(qs: QuerySet, **fields) -> ArraySubquery:
    """The rows of `qs` as JSON objects, read inside the caller's one query. Decimals travel as
    text so they come back exact."""
    return ArraySubquery(qs.values(row=JSONObject(**fields)))


def _text(field: str) -> Cast:
    return Cast(field, TextField())


def _person(prefix: str) -> JSONObject:
    return JSONObject(
        id=f"{prefix}__id",
        username=f"{prefix}__username",
        first_name=f"{prefix}__first_name",
        last_name=f"{prefix}__last_name",
    )


def _staff(prefix: str) -> JSONObject:
    return JSONObject(id=f"{prefix}__id", name=f"{prefix}__name")


def _build(model, row: dict | None, **lists):
    """A model instance from a JSON row: values through each field's to_python, a nested
    object as the related instance, a list under its own attribute (`lists` names its model)."""
    if row is None:
        return None
    values, related = {}, {}
    for name, value in row.items():
        if name in lists:
            continue
        field = model._meta.get_field(name)
        if isinstance(value, dict):
            # A missing related row (no second inspector, no photo) comes as all nulls.
            related[name] = _build(field.related_model, value) if value["id"] else None
        else:
            values[field.attname] = None if value is None else field.to_python(value)
    instance = model(**values)
    for name, value in related.items():
        setattr(instance, name, value)
    for name, child in lists.items():
        setattr(instance, name, [_build(child, r) for r in row[name] or ()])
    return instance


VOIDABLE = ("voided_at", "void_reason")


def _day_ledgers() -> QuerySet:
    """The day's ledgers as JSON, one row (compiled once: logistics.prepared)."""
    of_day = {"school": Param("school"), "date": Param("date", DateField())}
    of_day_mark = {"school": Param("school"), "day__date": Param("date", DateField())}
    voided = {f: f for f in VOIDABLE}
    return (
        School.objects.filter(pk=Param("school"))
        .annotate(
            day=Subquery(
                CanteenDay.objects.filter(**of_day).values(
                    row=JSONObject(
                        id="id",
                        date="date",
                        status="status",
                        closed_at="closed_at",
                        reviewed_at="reviewed_at",
                        reviewed_by=_person("reviewed_by"),
                        review_comment="review_comment",
                        reopen_count="reopen_count",
                        reopen_reason="reopen_reason",
                    )
                )[:1]
            ),
            marks=_json(GapMark.objects.filter(**of_day_mark), key="key", reason="reason"),
            disinfections=_json(
                Disinfection.objects.filter(**of_day).order_by("meal", "id"),
                id="id",
                meal="meal",
                method="method",
                celsius=_text("celsius"),
                mg_per_litre="mg_per_litre",
                seconds="seconds",
                operator=_staff("operator"),
                checker=_staff("checker"),
                **voided,
            ),
            accompanied=_json(
                AccompaniedMeal.objects.filter(**of_day).order_by("meal", "id"),
                id="id",
                meal="meal",
                companion=_person("companion"),
                companion_title="companion_title",
                problems="problems",
                rating_list=_json(
                    DishRating.objects.filter(accompanied=OuterRef("pk")).order_by("id"),
                    rating="rating",
                    dish=JSONObject(id="dish__id", name="dish__name"),
                ),
                **voided,
            ),
            temperatures=_json(
                TemperatureLog.objects.filter(**of_day).order_by("taken_at", "id"),
                id="id",
                taken_at="taken_at",
                equipment="equipment",
                label="label",
                celsius=_text("celsius"),
                in_range="in_range",
                corrective_action="corrective_action",
                **voided,
            ),
            receivings=_json(
                Receiving.objects.filter(**of_day).order_by("id"),
                id="id",
                supplier=JSONObject(id="supplier__id", name="supplier__name"),
                inspector=_staff("inspector"),
                second_inspector=_staff("second_inspector"),
                line_list=_json(
                    ReceivingLine.objects.filter(receiving=OuterRef("pk")).order_by("id"),
                    name="name",
                    quantity=_text("quantity"),
                    unit="unit",
                    amount=_text("amount"),
                    accepted="accepted",
                    disposal="disposal",
                ),
                **voided,
            ),
            staff=_json(
                StaffMember.objects.filter(school=Param("school"), is_active=True).order_by(
                    "name", "id"
                ),
                id="id",
                school="school",
                name="name",
                position="position",
                user="user",
                certificate_no="certificate_no",
                certificate_expires="certificate_expires",
                is_active="is_active",
                check=Subquery(
                    MorningCheck.objects.filter(
                        staff=OuterRef("pk"),
                        date=Param("date", DateField()),
                        voided_at__isnull=True,
                    ).values(
                        row=JSONObject(id="id", temperature=_text("temperature"), passed="passed")
                    )[:1]
                ),
            ),
            dishes=_json(
                MenuDish.objects.filter(**of_day).order_by("meal", "position", "id"),
                id="id",
                school="school",
                date="date",
                meal="meal",
                name="name",
                grams_per_student="grams_per_student",
                position="position",
                sample=Subquery(
                    Sample.objects.filter(dish=OuterRef("pk"), voided_at__isnull=True).values(
                        row=JSONObject(
                            id="id",
                            grams=_text("grams"),
                            sampler=_staff("sampler"),
                            reviewer=_staff("reviewer"),
                            photo=JSONObject(id="photo__id", uuid="photo__uuid"),
                        )
                    )[:1]
                ),
            ),
            followups=_json(
                FollowUp.objects.filter(**of_day).order_by("id"),
                id="id",
                text="text",
                deadline="deadline",
                raised_by=_person("raised_by"),
                reply="reply",
                replied_by=_person("replied_by"),
                replied_at="replied_at",
            ),
        )
        .values(
            "day",
            "marks",
            "disinfections",
            "accompanied",
            "temperatures",
            "receivings",
            "staff",
            "dishes",
            "followups",
        )
    )


_DAY_LEDGERS = Prepared(_day_ledgers)


def day_board(school: School, date: datetime.date) -> DayBoard:
    """Everything due and done on one day, per meal, in one query whatever the rows: the day's
    ledgers, the staff with their morning check and the dishes with their sample as JSON (built
    once per process: building the two ORM queries per request cost more than running them)."""
    row = _DAY_LEDGERS.row(school=school.pk, date=date)
    day = _build(CanteenDay, row["day"])
    marks = [_build(GapMark, m) for m in row["marks"]]
    na = {m.key: m.reason for m in marks}
    staff, checks = [], {}
    for r in row["staff"]:
        check = r.pop("check")
        staff.append(_build(StaffMember, r))
        if check:
            checks[r["id"]] = _build(MorningCheck, check)
    dishes, samples = [], {}
    for r in row["dishes"]:
        sample = r.pop("sample")
        dishes.append(_build(MenuDish, r))
        if sample:
            samples[r["id"]] = _build(Sample, sample)
    disinfections = [_build(Disinfection, r) for r in row["disinfections"]]
    for x in disinfections:
        x.method_label = display(x, "method")
    accompanied = [_build(AccompaniedMeal, r, rating_list=DishRating) for r in row["accompanied"]]
    temperatures = [_build(TemperatureLog, r) for r in row["temperatures"]]
    for t in temperatures:
        t.equipment_label = display(t, "equipment")
    receivings = [_build(Receiving, r, line_list=ReceivingLine) for r in row["receivings"]]
    followups = [_build(FollowUp, r) for r in row["followups"]]

    def item(key: str, label: str, done: bool, meal_na: str = "") -> Item:
        return Item(key, label, done, "" if done else (na.get(key) or meal_na))

    meals = []
    for meal, label in Meal.choices:
        meal_na = na.get(f"meal:{meal}", "")
        meal_dishes = [(d, samples.get(d.pk)) for d in dishes if d.meal == meal]
        meal_dis = [d for d in disinfections if d.meal == meal]
        meal_acc = [a for a in accompanied if a.meal == meal]
        items = [
            item(f"menu:{meal}", _("%(meal)s menu") % {"meal": label}, bool(meal_dishes), meal_na)
        ]
        items += [
            item(
                f"sample:{d.pk}",
                _("%(meal)s sample: %(dish)s") % {"meal": label, "dish": d.name},
                s is not None,
                meal_na,
            )
            for d, s in meal_dishes
        ]
        items.append(
            item(
                f"disinfection:{meal}",
                _("%(meal)s tableware disinfection") % {"meal": label},
                any(not d.is_voided for d in meal_dis),
                meal_na,
            )
        )
        items.append(
            item(
                f"accompanied:{meal}",
                _("%(meal)s accompanied meal") % {"meal": label},
                any(not a.is_voided for a in meal_acc),
                meal_na,
            )
        )
        meals.append(MealBoard(meal, label, meal_dishes, meal_dis, meal_acc, items, meal_na))
    day_items = [
        item(f"morning:{s.pk}", _("Morning check: %(name)s") % {"name": s.name}, s.pk in checks)
        for s in staff
    ]
    readings = sum(1 for t in temperatures if not t.is_voided)
    day_items.append(
        item(
            "temperature",
            _("Fridge and hot-holding temperatures (twice a day)"),
            readings >= MIN_TEMPERATURE_READINGS,
        )
    )
    return DayBoard(
        date=date,
        day=day,
        meals=meals,
        staff=[(s, checks.get(s.pk)) for s in staff],
        temperatures=temperatures,
        receivings=receivings,
        items=day_items,
        marks=marks,
        followups=followups,
    )


def days_waiting_review(school: School) -> QuerySet[CanteenDay]:
    return CanteenDay.objects.filter(school=school, status=CanteenDay.CLOSED).order_by("date")


def day_list(school: School) -> PreparedList:
    """Days, newest first, with who reviewed them, or else who closed them (a name from
    PostgreSQL), as a list compiled once per process (logistics.prepared.PreparedList)."""
    return PreparedList.of_school(CanteenDay, _days_shown, school)


def _days_shown(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("-date").values(
        "date",
        "status",
        "reopen_count",
        signed_by=Coalesce(person_name("reviewed_by"), person_name("closed_by")),
    )


def followup_list(school: School) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(school=school)
        .select_related("raised_by", "replied_by")
        .order_by(F("replied_at").asc(nulls_first=True), "deadline", "-id")
    )


def staff_page(school: School) -> PreparedList:
    """The kitchen staff by name, as plain rows."""
    return PreparedList.of_school(StaffMember, _staff_rows, school)


def _staff_rows(staff: QuerySet[StaffMember]) -> QuerySet:
    return staff.order_by("name", "id").values(
        "id", "name", "position", "certificate_no", "certificate_expires", "is_active"
    )


def staff_choices(school: School) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(school=school, is_active=True).order_by("name", "id")


def supplier_list(school: School) -> QuerySet[Supplier]:
    return Supplier.objects.filter(school=school)


def supplier_page(school: School) -> PreparedList:
    """The school's suppliers by name, as plain rows."""
    return PreparedList.of_school(Supplier, _supplier_rows, school)


def _supplier_rows(suppliers: QuerySet[Supplier]) -> QuerySet:
    return suppliers.order_by("name", "id").values(
        "id", "name", "credit_code", "licence_no", "licence_expires", "categories"
    )


def supplier_lists(school: School) -> QuerySet[SupplierList]:
    return (
        SupplierList.objects.filter(school=school)
        .select_related("approval")
        .prefetch_related("entries__supplier")
    )


def menu_week(school: School, week_start: datetime.date) -> dict[tuple[datetime.date, str], list]:
    """The week's dishes by (date, meal)."""
    found: dict[tuple[datetime.date, str], list] = defaultdict(list)
    for dish in MenuDish.objects.filter(
        school=school, date__gte=week_start, date__lt=week_start + datetime.timedelta(days=7)
    ):
        found[(dish.date, dish.meal)].append(dish)
    return found


_MENU_WEEK = Prepared(
    lambda: MenuDish.objects.filter(
        school=Param("school"),
        date__gte=Param("start", DateField()),
        date__lt=Param("end", DateField()),
    ).values("date", "meal", "name", "grams_per_student")
)


def menu_week_rows(school: School, week_start: datetime.date) -> dict[tuple, list[dict]]:
    """menu_week() as plain rows for the page, by a query compiled once per process."""
    found: dict[tuple[datetime.date, str], list[dict]] = defaultdict(list)
    end = week_start + datetime.timedelta(days=7)
    for dish in _MENU_WEEK.rows(school=school.pk, start=week_start, end=end):
        found[(dish["date"], dish["meal"])].append(dish)
    return found


# ------------------------------------------------------------- ledgers for a date range


# The three busiest ledgers (samples, morning checks, receiving) are read as plain rows, from
# one definition per ledger: `<ledger>_of(school, start, end)` filters with plain values or
# Params, `<ledger>_rows(queryset)` orders it and names the columns a row shows (and its void
# button needs), with people's names computed by PostgreSQL. The print reads them as they are;
# the page through a PreparedList, compiled once per process: building and compiling the
# COUNT and the page through the ORM cost more Python than the page's fifty rows.
_VOID_COLUMNS = ("voided_at", "void_reason")


def _period() -> dict[str, Param]:
    return {
        "school": Param("school"),
        "start": Param("start", DateField()),
        "end": Param("end", DateField()),
    }


def _period_values(school: School, start: datetime.date, end: datetime.date) -> dict:
    return {"school": school.pk, "start": start, "end": end}


def samples_of(school, start, end) -> QuerySet[Sample]:
    return Sample.objects.filter(school=school, date__gte=start, date__lte=end)


def sample_rows(samples: QuerySet[Sample]) -> QuerySet:
    return samples.order_by("date", "meal", "dish__position", "id").values(
        *("id", "date", "meal", "grams", "taken_at", "fridge", "disposed_at", *_VOID_COLUMNS),
        dish_name=name_of(MenuDish, "dish_id"),
        sampler_name=name_of(StaffMember, "sampler_id"),
        reviewer_name=name_of(StaffMember, "reviewer_id"),
        disposed_by_name=person_name("disposed_by"),
    )


def samples_between(school: School, start: datetime.date, end: datetime.date) -> QuerySet:
    return sample_rows(samples_of(school, start, end))


def sample_page(school: School, start: datetime.date, end: datetime.date) -> PreparedList:
    """The sample ledger's page, each row saying whether it may be disposed of now."""
    values = _period_values(school, start, end) | {"now": timezone.now()}
    return PreparedList(_samples_prepared, _sample_page_rows, (), **values)


def _samples_prepared() -> QuerySet[Sample]:
    return samples_of(**_period())


def _sample_page_rows(samples: QuerySet[Sample]) -> QuerySet:
    now = Param("now", DateTimeField())
    return sample_rows(samples).annotate(disposable=sample_disposable(Param("school"), now))


def sample_disposable(school, now) -> ExpressionWrapper:
    """Whether a sample may be disposed of at `now` (what sample_dispose accepts): not disposed,
    voided or sealed, and kept the school's hours, its setting read inside the rows' query
    rather than by a query of its own. `school` and `now`: values or Params."""
    hours = Coalesce(
        Subquery(CanteenSettings.objects.filter(school=school).values("sample_hours")[:1]),
        Value(CanteenSettings._meta.get_field("sample_hours").default),
    )
    kept = ExpressionWrapper(hours * Value(datetime.timedelta(hours=1)), DurationField())
    return ExpressionWrapper(
        Q(
            disposed_at__isnull=True,
            voided_at__isnull=True,
            sealed_at__isnull=True,
            taken_at__lte=ExpressionWrapper(now - kept, DateTimeField()),
        ),
        BooleanField(),
    )


def morning_checks_of(school, start, end) -> QuerySet[MorningCheck]:
    return MorningCheck.objects.filter(school=school, date__gte=start, date__lte=end)


def morning_check_rows(checks: QuerySet[MorningCheck]) -> QuerySet:
    return checks.order_by("date", "staff__name", "id").values(
        *("id", "date", "temperature", *MorningCheck.ITEMS, "hygiene_ok", "passed"),
        *_VOID_COLUMNS,
        staff_name=F("staff__name"),
        checked_by_name=person_name("checked_by"),
    )


def morning_checks_between(school, start, end) -> QuerySet:
    return morning_check_rows(morning_checks_of(school, start, end))


def morning_page(school: School, start: datetime.date, end: datetime.date) -> PreparedList:
    return PreparedList(
        _morning_prepared, morning_check_rows, (), **_period_values(school, start, end)
    )


def _morning_prepared() -> QuerySet[MorningCheck]:
    return morning_checks_of(**_period())


# The period's deliveries first (the (school, date) index), their lines then by their keys:
# joined to the deliveries instead, PostgreSQL expects a handful of lines (it cannot know that a
# school's lines belong to its own deliveries) and reads every line the school ever received to
# hash them, 1.5 ms for the COUNT and again for the page.
_DELIVERIES = Prepared(lambda: _deliveries_of(**_period()).values("id"))


def _deliveries_of(school, start, end) -> QuerySet[Receiving]:
    return Receiving.objects.filter(school=school, date__gte=start, date__lte=end)


def _deliveries(school: School, start: datetime.date, end: datetime.date) -> list[int]:
    return [r["id"] for r in _DELIVERIES.rows(**_period_values(school, start, end))]


def receiving_lines_of(school, deliveries) -> QuerySet[ReceivingLine]:
    """The lines of these deliveries (a list of keys, or a ParamList)."""
    return ReceivingLine.objects.filter(AnyOf("receiving_id", deliveries), school=school)


def receiving_line_rows(lines: QuerySet[ReceivingLine]) -> QuerySet:
    """A line's columns and its delivery's: the delivery is the record a row voids."""
    return lines.order_by("receiving__date", "receiving_id", "id").values(
        *("id", "receiving_id", "name", "spec", "quantity", "unit", "weighed", "unit_price"),
        *("amount", "batch", "production_date", "shelf_life_days", "temperature"),
        *("accepted", "disposal", "retain_until"),
        date=F("receiving__date"),
        voided_at=F("receiving__voided_at"),
        void_reason=F("receiving__void_reason"),
        supplier_name=name_of(Supplier, "receiving__supplier_id"),
        inspector_name=name_of(StaffMember, "receiving__inspector_id"),
        second_inspector_name=name_of(StaffMember, "receiving__second_inspector_id"),
    )


def receiving_lines_between(school, start, end) -> QuerySet:
    return receiving_line_rows(receiving_lines_of(school, _deliveries(school, start, end)))


def receiving_page(school: School, start: datetime.date, end: datetime.date) -> PreparedList:
    deliveries = _deliveries(school, start, end)
    return PreparedList(
        _receiving_prepared, receiving_line_rows, (), school=school.pk, deliveries=deliveries
    )


def _receiving_prepared() -> QuerySet[ReceivingLine]:
    return receiving_lines_of(Param("school"), ParamList("deliveries"))


def disinfections_between(school, start, end) -> QuerySet[Disinfection]:
    return (
        Disinfection.objects.filter(school=school, date__gte=start, date__lte=end)
        .select_related("operator", "checker")
        .order_by("date", "meal", "id")
    )


def accompanied_between(school, start, end) -> QuerySet[AccompaniedMeal]:
    return (
        AccompaniedMeal.objects.filter(school=school, date__gte=start, date__lte=end)
        .select_related("companion")
        .prefetch_related(Prefetch("ratings", queryset=DishRating.objects.select_related("dish")))
        .order_by("date", "meal", "id")
    )


def temperatures_between(school, start, end) -> QuerySet[TemperatureLog]:
    return (
        TemperatureLog.objects.filter(school=school, date__gte=start, date__lte=end)
        .select_related("recorded_by")
        .order_by("taken_at", "id")
    )


# ------------------------------------------------------------- canteen account


@dataclass
class MonthAccount:
    month: datetime.date
    income: MealFeeIncome | None
    by_category: list[tuple[str, Decimal]]
    by_supplier: list[dict]

    @property
    def spending(self) -> Decimal:
        return sum((amount for _c, amount in self.by_category), Decimal("0.00"))

    @property
    def balance(self) -> Decimal | None:
        return None if self.income is None else self.income.amount - self.spending

    @property
    def cost_per_student_day(self) -> Decimal | None:
        if self.income is None or not self.income.student_days:
            return None
        return (self.spending / self.income.student_days).quantize(Decimal("0.01"))


def month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )


def _spent(school: School, month: datetime.date) -> QuerySet[ReceivingLine]:
    """Food spending of the month: accepted lines of deliveries that were not voided."""
    return ReceivingLine.objects.filter(
        school=school,
        accepted=True,
        receiving__voided_at__isnull=True,
        receiving__date__gte=month,
        receiving__date__lte=month_end(month),
    )


def month_account(school: School, month: datetime.date) -> MonthAccount:
    month = month.replace(day=1)
    income = MealFeeIncome.objects.filter(school=school, month=month).first()
    lines = _spent(school, month)
    by_category = [
        (str(FoodCategory(row["category"]).label), row["total"])
        for row in lines.values("category").annotate(total=Sum("amount")).order_by("category")
    ]
    by_supplier = list(
        lines.values("receiving__supplier_id", "receiving__supplier__name")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("receiving__supplier__name")
    )
    return MonthAccount(month, income, by_category, by_supplier)


def statement_lines(school: School, supplier_id: int, month: datetime.date):
    return (
        _spent(school, month)
        .filter(receiving__supplier_id=supplier_id)
        .select_related("receiving")
        .order_by("receiving__date", "receiving_id", "id")
    )


def complaint_page(school: School) -> PreparedList:
    """Complaints, the open ones first, as plain rows with the replier's name."""
    return PreparedList.of_school(Complaint, _complaint_rows, school)


def _complaint_rows(complaints: QuerySet[Complaint]) -> QuerySet:
    return complaints.order_by(F("closed_on").asc(nulls_first=True), "-received_on", "-id").values(
        *("id", "received_on", "channel", "content", "reply", "closed_on", *_VOID_COLUMNS),
        replied_by_name=person_name("replied_by"),
    )


def complaints_between(school, start, end) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(school=school, received_on__gte=start, received_on__lte=end)
        .select_related("recorded_by", "replied_by")
        .order_by("received_on", "id")
    )


def waste_between(school, start, end) -> QuerySet[WasteRecord]:
    return (
        WasteRecord.objects.filter(school=school, date__gte=start, date__lte=end)
        .select_related("recorded_by")
        .order_by("date", "id")
    )


def trainings_between(school, start, end) -> QuerySet[Training]:
    return (
        Training.objects.filter(school=school, date__gte=start, date__lte=end)
        .prefetch_related("attendees")
        .order_by("date", "id")
    )


def survey_page(school: School) -> PreparedList:
    """The surveys, newest first, as plain rows, each with its share of satisfied."""
    return PreparedList.of_school(Survey, _survey_rows, school)


def _survey_rows(surveys: QuerySet[Survey]) -> QuerySet:
    return surveys.order_by("-date", "-id").values(
        "id", "semester", "date", "respondents", "satisfied", "findings"
    )


# ------------------------------------------------------------- self-inspection, incidents


# The self-inspection page reads plain rows through queries compiled once per process
# (logistics.prepared): building and compiling its three ORM queries with their joins cost more
# Python than the rest of the page.


def actions_open(school: School) -> list[dict]:
    """The first 50 corrective actions not yet verified (those of a voided inspection are void
    with it), by deadline, as plain rows with the people's names."""
    return _ACTIONS_OPEN.rows(school=school.pk)


_ACTIONS_OPEN = Prepared(
    lambda: (
        CorrectiveAction.objects.filter(
            school=Param("school"), item__inspection__voided_at__isnull=True
        )
        .exclude(status=CorrectiveAction.VERIFIED)
        .order_by("deadline", "id")
        .values(
            *("id", "problem", "status", "deadline", "owner_id", "fix_note", "fixed_by_id"),
            *("fixed_at", "verify_note"),
            kind=F("item__inspection__kind"),
            date=F("item__inspection__date"),
            owner_name=person_name("owner"),
            fixed_by_name=person_name("fixed_by"),
            evidence_uuid=F("evidence__uuid"),
        )[:50]
    )
)


def inspection_page(school: School) -> PreparedList:
    """Self-inspections, newest first, with the inspector's name."""
    return PreparedList.of_school(SelfInspection, _inspection_rows, school)


def _inspection_rows(inspections: QuerySet[SelfInspection]) -> QuerySet:
    return inspections.order_by("-date", "-id").values(
        *("id", "kind", "date", "summary", *_VOID_COLUMNS),
        inspector_name=person_name("inspector"),
    )


def inspection_findings(school: School, inspection_ids: list[int]) -> dict[int, list[dict]]:
    """The failed items of these inspections, each with its action's status, by inspection (no
    query for none)."""
    found: dict[int, list[dict]] = defaultdict(list)
    if inspection_ids:
        for item in _FINDINGS.rows(school=school.pk, inspections=inspection_ids):
            found[item["inspection_id"]].append(item)
    return found


_FINDINGS = Prepared(
    lambda: (
        SelfInspectionItem.objects.filter(
            AnyOf("inspection_id", ParamList("inspections")), school=Param("school"), passed=False
        )
        .order_by("inspection_id", "id")
        .values("inspection_id", "text", "note", action_status=F("action__status"))
    )
)


def inspections(school: School) -> QuerySet[SelfInspection]:
    return (
        SelfInspection.objects.filter(school=school)
        .select_related("inspector")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=SelfInspectionItem.objects.select_related(
                    "action__owner", "action__verified_by"
                ),
            )
        )
    )


def minutes_recent(school: School) -> QuerySet[MonthlyMeeting]:
    return MonthlyMeeting.objects.filter(school=school).select_related("approval")


def incident_list(school: School) -> QuerySet[Incident]:
    return Incident.objects.filter(school=school).select_related("recorded_by")


def incident_samples(school: School, incident: Incident) -> QuerySet[Sample]:
    return (
        Sample.objects.filter(school=school, incident=incident)
        .select_related("dish")
        .order_by("date", "meal", "dish__position")
    )


def sealable_samples(school: School) -> QuerySet[Sample]:
    """The retained samples of the last week still in the fridge (not disposed of, voided or
    sealed): an incident's cause is among the recent meals."""
    return (
        Sample.objects.filter(
            school=school,
            date__gte=timezone.localdate() - datetime.timedelta(days=7),
            disposed_at__isnull=True,
            voided_at__isnull=True,
            sealed_at__isnull=True,
        )
        .select_related("dish")
        .order_by("-date", "meal", "dish__position")
    )


def pack_list(school: School) -> QuerySet[InspectionPack]:
    return InspectionPack.objects.filter(school=school).select_related("requested_by")


def inspections_between(school, start, end) -> QuerySet[SelfInspection]:
    return inspections(school).filter(date__gte=start, date__lte=end).order_by("date", "id")


def actions_between(school, start, end) -> QuerySet[CorrectiveAction]:
    return (
        CorrectiveAction.objects.filter(
            school=school, item__inspection__date__gte=start, item__inspection__date__lte=end
        )
        .select_related("item__inspection", "owner", "fixed_by", "verified_by")
        .order_by("item__inspection__date", "id")
    )


def minutes_between(school, start, end) -> QuerySet[MonthlyMeeting]:
    return MonthlyMeeting.objects.filter(
        school=school, month__gte=start.replace(day=1), month__lte=end
    ).order_by("month", "id")


def incidents_between(school, start, end) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(
            school=school, discovered_at__date__gte=start, discovered_at__date__lte=end
        )
        .prefetch_related(
            Prefetch("sealed_samples", queryset=Sample.objects.select_related("dish"))
        )
        .order_by("discovered_at", "id")
    )
