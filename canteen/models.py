"""Canteen food-safety ledgers (DOMAIN.md "Canteen food safety").

Every statutory record is Voidable: corrected by voiding with a reason and re-entering, never
deleted (a database trigger refuses). The national minimums that no school setting may go
below are also check constraints, so a row written past the services still cannot break them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.models import Approval, Attachment, SchoolOwned, Voidable

MONEY = {"max_digits": 12, "decimal_places": 2}
TEMP = {"max_digits": 5, "decimal_places": 1}


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")


class FoodCategory(models.TextChoices):
    RICE = "rice", _("Rice")
    FLOUR = "flour", _("Flour and noodles")
    OIL = "oil", _("Edible oil")
    MEAT = "meat", _("Meat and poultry")
    EGGS = "eggs", _("Eggs")
    MILK = "milk", _("Milk and dairy")
    VEGETABLES = "vegetables", _("Vegetables")
    FRUIT = "fruit", _("Fruit")
    AQUATIC = "aquatic", _("Fish and seafood")
    SOY = "soy", _("Soy products")
    SEASONING = "seasoning", _("Seasonings")
    DRY = "dry", _("Dry goods")
    OTHER = "other", _("Other food")


# Bulk foods need two distinct inspectors at receiving (DOMAIN.md).
BULK_CATEGORIES = frozenset({"rice", "flour", "oil", "meat", "eggs", "milk"})
# 食用农产品: kept 6 months from receipt whatever their shelf life (食品安全法 §65).
FARM_CATEGORIES = frozenset({"vegetables", "fruit", "meat", "eggs", "aquatic"})
# Meat arrives with its 检疫合格证.
QUARANTINE_CATEGORIES = frozenset({"meat"})


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class CanteenSettings(SchoolOwned):
    """A school's numbers; national defaults until changed, never below the national rule."""

    sample_min_grams = models.PositiveSmallIntegerField(
        _("sample weight (g, at least)"), default=125
    )
    sample_hours = models.PositiveSmallIntegerField(
        _("sample keeping (hours, at least)"), default=48
    )
    fridge_min = models.DecimalField(_("fridge lowest (°C)"), **TEMP, default=Decimal("0.0"))
    fridge_max = models.DecimalField(_("fridge highest (°C)"), **TEMP, default=Decimal("8.0"))
    freezer_max = models.DecimalField(_("freezer highest (°C)"), **TEMP, default=Decimal("-12.0"))
    hot_min = models.DecimalField(_("hot holding above (°C)"), **TEMP, default=Decimal("60.0"))
    boiling_min_minutes = models.PositiveSmallIntegerField(
        _("boiling/steam: minutes at 100 °C"), default=10
    )
    infrared_min_celsius = models.PositiveSmallIntegerField(_("infrared: °C"), default=120)
    infrared_min_minutes = models.PositiveSmallIntegerField(_("infrared: minutes"), default=10)
    dishwasher_min_celsius = models.PositiveSmallIntegerField(_("dishwasher: °C"), default=85)
    dishwasher_min_seconds = models.PositiveSmallIntegerField(_("dishwasher: seconds"), default=40)
    chlorine_min_mgl = models.PositiveSmallIntegerField(_("chlorine: mg/L"), default=250)
    chlorine_min_minutes = models.PositiveSmallIntegerField(_("chlorine: minutes"), default=5)
    retention_extra_months = models.PositiveSmallIntegerField(
        _("receiving records: months kept after shelf life"), default=6
    )
    retention_no_shelf_months = models.PositiveSmallIntegerField(
        _("receiving records without shelf life: months kept"), default=24
    )
    retention_farm_months = models.PositiveSmallIntegerField(
        _("farm produce records: months kept"), default=6
    )
    warning_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("warn days before expiry"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("canteen settings")
        verbose_name_plural = _("canteen settings")
        constraints = [
            models.UniqueConstraint(fields=["school"], name="canteensettings_uniq"),
            models.CheckConstraint(
                condition=Q(sample_min_grams__gte=125, sample_hours__gte=48),
                name="canteensettings_sample_national",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class StaffMember(SchoolOwned):
    """A person who works with food, with their health certificate (健康证明)."""

    class Position(models.TextChoices):
        MANAGER = "manager", _("Canteen manager")
        SAFETY = "safety", _("Food-safety officer")
        COOK = "cook", _("Cook")
        HELPER = "helper", _("Kitchen helper")
        BUYER = "buyer", _("Buyer")

    name = models.CharField(_("name"), max_length=40)
    position = models.CharField(_("position"), max_length=12, choices=Position.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate_no = models.CharField(_("health certificate no."), max_length=40)
    certificate_expires = models.DateField(_("certificate valid until"))
    is_active = models.BooleanField(_("working here"), default=True)

    class Meta:
        verbose_name = _("canteen staff member")
        verbose_name_plural = _("canteen staff")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class MorningCheck(SchoolOwned, Voidable):
    """晨检: one per person per working day; any failed item takes them off duty that day."""

    FEVER_FROM = Decimal("37.3")
    ITEMS = ("fever", "diarrhoea", "vomiting", "sore_throat", "hand_wound", "jaundice")

    date = models.DateField(_("date"))
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    temperature = models.DecimalField(_("temperature (°C)"), **TEMP)
    fever = models.BooleanField(_("fever"), default=False)
    diarrhoea = models.BooleanField(_("diarrhoea"), default=False)
    vomiting = models.BooleanField(_("vomiting"), default=False)
    sore_throat = models.BooleanField(_("sore throat"), default=False)
    hand_wound = models.BooleanField(_("hand wound or infection"), default=False)
    jaundice = models.BooleanField(_("jaundice"), default=False)
    hygiene_ok = models.BooleanField(_("clean clothes, hands, nails"), default=True)
    passed = models.BooleanField(_("passed"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("morning check")
        verbose_name_plural = _("morning checks")
        ordering = ["date", "staff__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "staff"],
                condition=Q(voided_at__isnull=True),
                name="morningcheck_one_per_day",
            ),
            # "Passed" can only be stored when every item is fine.
            models.CheckConstraint(
                condition=Q(passed=False)
                | Q(
                    temperature__lt=Decimal("37.3"),
                    fever=False,
                    diarrhoea=False,
                    vomiting=False,
                    sore_throat=False,
                    hand_wound=False,
                    jaundice=False,
                    hygiene_ok=True,
                ),
                name="morningcheck_passed_items",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Supplier(SchoolOwned):
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    licence_no = models.CharField(_("food business licence no."), max_length=40)
    licence_expires = models.DateField(_("licence valid until"))
    categories = ArrayField(
        models.CharField(max_length=12, choices=FoodCategory.choices),
        verbose_name=_("categories supplied"),
    )
    contact = models.CharField(_("contact and phone"), max_length=80, blank=True)
    contract_no = models.CharField(_("contract no."), max_length=40, blank=True)
    contract = models.ForeignKey(
        Attachment,
        verbose_name=_("contract scan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "credit_code"], name="supplier_code_uniq"),
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-Z]{18}$"), name="supplier_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class SupplierList(SchoolOwned):
    """定点采购: the designated suppliers for a period, approved by the principal."""

    DRAFT, PENDING, APPROVED, REJECTED = "draft", "pending", "approved", "rejected"
    STATUS_CHOICES = [
        (DRAFT, _("Draft")),
        (PENDING, _("Waiting for the principal")),
        (APPROVED, _("Approved")),
        (REJECTED, _("Rejected")),
    ]

    title = models.CharField(_("title"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=DRAFT)
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("designated-supplier list")
        verbose_name_plural = _("designated-supplier lists")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="supplierlist_period"
            ),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class SupplierListEntry(SchoolOwned):
    """One supplier on a list, for the categories it is designated for."""

    supplier_list = models.ForeignKey(
        SupplierList, on_delete=models.PROTECT, related_name="entries"
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="entries"
    )
    categories = ArrayField(models.CharField(max_length=12, choices=FoodCategory.choices))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supplier_list", "supplier"], name="supplierlistentry_uniq"
            )
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Receiving(SchoolOwned, Voidable):
    """进货查验: one delivery, inspected by one or two people."""

    date = models.DateField(_("date"))
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(
        StaffMember, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    second_inspector = models.ForeignKey(
        StaffMember,
        verbose_name=_("second inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    invoice_photo = models.ForeignKey(
        Attachment,
        verbose_name=_("invoice photo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quarantine_photo = models.ForeignKey(
        Attachment,
        verbose_name=_("quarantine certificate photo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("receiving inspection")
        verbose_name_plural = _("receiving inspections")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(second_inspector=F("inspector")), name="receiving_two_people"
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ReceivingLine(SchoolOwned):
    """One item of a delivery; voided with its delivery."""

    receiving = models.ForeignKey(Receiving, on_delete=models.PROTECT, related_name="lines")
    name = models.CharField(_("item"), max_length=60)
    category = models.CharField(_("category"), max_length=12, choices=FoodCategory.choices)
    spec = models.CharField(_("specification"), max_length=40, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8)
    weighed = models.DecimalField(
        _("weighed quantity"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    unit_price = models.DecimalField(_("unit price (yuan)"), **MONEY)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    batch = models.CharField(_("batch or production date"), max_length=40, blank=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    temperature = models.DecimalField(
        _("temperature on arrival (°C)"), **TEMP, null=True, blank=True
    )
    accepted = models.BooleanField(_("accepted"))
    disposal = models.CharField(_("disposal of rejected goods"), max_length=100, blank=True)
    retain_until = models.DateField(_("keep record until"))

    class Meta:
        verbose_name = _("receiving line")
        verbose_name_plural = _("receiving lines")
        ordering = ["receiving", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, unit_price__gte=0, amount__gte=0),
                name="receivingline_positive",
            ),
            models.CheckConstraint(
                condition=Q(accepted=True) | ~Q(disposal=""), name="receivingline_rejected_disposal"
            ),
        ]
        # Statutory like its delivery: kept until its retain-until date, never deleted here.
        triggers = [pgtrigger.Protect(name="statutory_no_delete", operation=pgtrigger.Delete)]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MenuDish(SchoolOwned):
    """One dish of the menu of one day and meal (带量食谱: grams per student, optional)."""

    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=Meal.choices)
    name = models.CharField(_("dish"), max_length=60)
    grams_per_student = models.PositiveSmallIntegerField(
        _("grams per student"), null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("menu")
        ordering = ["date", "meal", "position", "id"]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Sample(SchoolOwned, Voidable):
    """留样: one per dish of a meal, ≥ 125 g, kept ≥ 48 h before disposal."""

    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=Meal.choices)
    dish = models.ForeignKey(
        MenuDish, verbose_name=_("dish"), on_delete=models.PROTECT, related_name="samples"
    )
    grams = models.DecimalField(_("weight (g)"), max_digits=6, decimal_places=1)
    taken_at = models.DateTimeField(_("sampled at"))
    sampler = models.ForeignKey(
        StaffMember, verbose_name=_("sampled by"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        StaffMember, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    fridge = models.CharField(_("sample fridge"), max_length=30, blank=True)
    photo = models.ForeignKey(
        Attachment,
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disposed_at = models.DateTimeField(_("disposed at"), null=True, blank=True)
    # Sealed for an incident's investigation: kept for the authorities, never disposed of.
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    incident = models.ForeignKey(
        "Incident",
        verbose_name=_("sealed for incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sealed_samples",
    )
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Voidable.Meta):
        verbose_name = _("retained sample")
        verbose_name_plural = _("retained samples")
        ordering = ["date", "meal", "dish__position", "id"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dish"], condition=Q(voided_at__isnull=True), name="sample_one_per_dish"
            ),
            models.CheckConstraint(condition=Q(grams__gte=125), name="sample_national_grams"),
            models.CheckConstraint(
                condition=Q(disposed_at__isnull=True)
                | Q(disposed_at__gte=F("taken_at") + datetime.timedelta(hours=48)),
                name="sample_national_hours",
            ),
            models.CheckConstraint(
                condition=~Q(reviewer=F("sampler")), name="sample_checked_by_another"
            ),
            models.CheckConstraint(
                condition=Q(sealed_at__isnull=True) | Q(disposed_at__isnull=True),
                name="sample_sealed_not_disposed",
            ),
        ]


class DisinfectionMethod(models.TextChoices):
    BOILING = "boiling", _("Boiling or steam")
    INFRARED = "infrared", _("Infrared cabinet")
    DISHWASHER = "dishwasher", _("Dishwasher")
    CHLORINE = "chlorine", _("Chlorine solution")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Disinfection(SchoolOwned, Voidable):
    """餐具消毒 per meal, with the method's parameters."""

    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=Meal.choices)
    method = models.CharField(_("method"), max_length=12, choices=DisinfectionMethod.choices)
    celsius = models.DecimalField(_("temperature (°C)"), **TEMP, null=True, blank=True)
    mg_per_litre = models.PositiveIntegerField(_("concentration (mg/L)"), null=True, blank=True)
    seconds = models.PositiveIntegerField(_("duration (seconds)"))
    items = models.CharField(_("tableware"), max_length=60, blank=True)
    operator = models.ForeignKey(
        StaffMember, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="+"
    )
    checker = models.ForeignKey(
        StaffMember, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("tableware disinfection")
        verbose_name_plural = _("tableware disinfection")
        ordering = ["date", "meal", "id"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(checker=F("operator")), name="disinfection_checked_by_another"
            ),
        ]


class Equipment(models.TextChoices):
    FRIDGE = "fridge", _("Fridge")
    SAMPLE_FRIDGE = "sample_fridge", _("Sample fridge")
    FREEZER = "freezer", _("Freezer")
    HOT = "hot", _("Hot holding")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class TemperatureLog(SchoolOwned, Voidable):
    """冷藏/热保 reading; out of range it carries its corrective action."""

    date = models.DateField(_("date"))
    taken_at = models.DateTimeField(_("time"))
    equipment = models.CharField(_("equipment"), max_length=14, choices=Equipment.choices)
    label = models.CharField(_("which one"), max_length=30, blank=True)
    celsius = models.DecimalField(_("reading (°C)"), **TEMP)
    in_range = models.BooleanField(_("in range"))
    corrective_action = models.CharField(_("corrective action"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Voidable.Meta):
        verbose_name = _("temperature reading")
        verbose_name_plural = _("temperature readings")
        ordering = ["date", "taken_at", "id"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_range=True) | ~Q(corrective_action=""),
                name="temperature_out_of_range_action",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class AccompaniedMeal(SchoolOwned, Voidable):
    """陪餐: a school leader (or parent) eats with the students and rates each dish."""

    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=Meal.choices)
    companion = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("companion"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    companion_title = models.CharField(_("companion's role"), max_length=40, blank=True)
    problems = models.CharField(_("problems found"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("accompanied meal")
        verbose_name_plural = _("accompanied meals")
        ordering = ["date", "meal", "id"]
        indexes = [models.Index(fields=["school", "date"])]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DishRating(SchoolOwned):
    accompanied = models.ForeignKey(
        AccompaniedMeal, on_delete=models.PROTECT, related_name="ratings"
    )
    dish = models.ForeignKey(MenuDish, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="rating_1_5"),
            models.UniqueConstraint(fields=["accompanied", "dish"], name="rating_one_per_dish"),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class CanteenDay(SchoolOwned):
    """One service day: open → closed by the food-safety officer → reviewed by the committee.

    Closed and reviewed days are locked; reopening is logged with its reason.
    """

    OPEN, CLOSED, REVIEWED = "open", "closed", "reviewed"
    STATUS_CHOICES = [(OPEN, _("Open")), (CLOSED, _("Closed")), (REVIEWED, _("Reviewed"))]

    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.CharField(_("review comment"), max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("canteen day")
        verbose_name_plural = _("canteen days")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="canteenday_uniq"),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(status="closed", closed_at__isnull=False)
                | Q(status="reviewed", reviewed_at__isnull=False, closed_at__isnull=False),
                name="canteenday_status_dates",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class GapMark(SchoolOwned):
    """A due entry marked not applicable with a reason (no delivery, no dinner on Friday)."""

    day = models.ForeignKey(CanteenDay, on_delete=models.PROTECT, related_name="marks")
    key = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "key"], name="gapmark_uniq"),
            models.CheckConstraint(condition=~Q(reason=""), name="gapmark_reason"),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class FollowUp(SchoolOwned):
    """A concern (from the day review or an accompanied meal) the canteen manager answers."""

    date = models.DateField(_("day"))
    source = models.CharField(
        max_length=12, choices=[("review", _("Day review")), ("accompanied", _("Accompanied meal"))]
    )
    text = models.CharField(_("concern"), max_length=300)
    deadline = models.DateField(_("reply by"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    reply = models.CharField(_("reply"), max_length=300, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply=""), name="followup_reply_text"
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class MealFeeIncome(SchoolOwned):
    """The canteen's independent account: a month's meal-fee income, typed in by the manager.

    Spending is not typed: it flows from the accepted receiving lines of the month.
    """

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("meal-fee income (yuan)"), **MONEY)
    student_days = models.PositiveIntegerField(_("student-days served"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meal-fee income")
        verbose_name_plural = _("meal-fee income")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="mealfeeincome_month_uniq"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, month__day=1), name="mealfeeincome_valid"
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Complaint(SchoolOwned, Voidable):
    """投诉: what came in, by which channel, the reply and how long it took to close."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        MAILBOX = "mailbox", _("Suggestion box")
        ONLINE = "online", _("Online message")
        IN_PERSON = "in_person", _("In person")
        COMMITTEE = "committee", _("Through the committee")

    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    content = models.CharField(_("complaint"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.CharField(_("reply"), max_length=300, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta(Voidable.Meta):
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | (~Q(reply="") & Q(closed_on__gte=F("received_on"))),
                name="complaint_closed_with_reply",
            ),
        ]

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.received_on).days if self.closed_on else None


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class WasteRecord(SchoolOwned, Voidable):
    """餐厨废弃物: leftovers weighed per meal, and each collection by a licensed hauler."""

    class Kind(models.TextChoices):
        LEFTOVERS = "leftovers", _("Leftover food")
        KITCHEN = "kitchen", _("Kitchen waste collected")
        OIL = "oil", _("Waste oil collected")

    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=Meal.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    kg = models.DecimalField(_("weight (kg)"), max_digits=8, decimal_places=1)
    hauler = models.CharField(_("licensed hauler"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Voidable.Meta):
        verbose_name = _("waste record")
        verbose_name_plural = _("waste records")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kg__gt=0), name="waste_kg_positive"),
            # A collection names who took it away; leftovers are weighed per meal.
            models.CheckConstraint(
                condition=Q(kind="leftovers", hauler="") & ~Q(meal="")
                | (~Q(kind="leftovers") & ~Q(hauler="")),
                name="waste_kind_fields",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Training(SchoolOwned, Voidable):
    """培训考核: study sessions (1–2 a month) and exams (1–2 a year) with who attended."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Study session")
        EXAM = "exam", _("Exam")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=100)
    trainer = models.CharField(_("trainer"), max_length=40)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    attendees = models.ManyToManyField(StaffMember, verbose_name=_("attendees"), related_name="+")
    passed = models.PositiveSmallIntegerField(_("passed the exam"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Voidable.Meta):
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
            models.CheckConstraint(
                condition=Q(kind="session", passed__isnull=True)
                | Q(kind="exam", passed__isnull=False),
                name="training_exam_result",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Survey(SchoolOwned):
    """满意度测评, once a semester: how many answered and how many were satisfied."""

    TARGET = Decimal("95.0")  # the seed's target share of satisfied respondents, in percent

    semester = models.CharField(_("semester"), max_length=30)
    date = models.DateField(_("date"))
    respondents = models.PositiveIntegerField(_("respondents"))
    satisfied = models.PositiveIntegerField(_("satisfied"))
    findings = models.CharField(_("main findings"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "semester"], name="survey_semester_uniq"),
            models.CheckConstraint(
                condition=Q(respondents__gt=0, satisfied__lte=F("respondents")),
                name="survey_satisfied_share",
            ),
        ]

    @property
    def share(self) -> Decimal:
        return self.share_of(self.satisfied, self.respondents)

    @property
    def meets_target(self) -> bool:
        return self.share >= self.TARGET

    @staticmethod
    def share_of(satisfied: int, respondents: int) -> Decimal:
        """The share of satisfied respondents in percent (also for a list's plain rows)."""
        return (Decimal(100) * satisfied / respondents).quantize(Decimal("0.1"))


# ---------------------------------------------------------------- self-inspection, incidents


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class SelfInspection(SchoolOwned, Voidable):
    """日管控 daily checklist, 周排查 weekly review, or a committee / school-doctor inspection."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily checklist")
        WEEKLY = "weekly", _("Weekly review")
        COMMITTEE = "committee", _("Committee inspection")
        DOCTOR = "doctor", _("School-doctor inspection")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField(pgettext_lazy("canteen", "summary"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("self-inspection")
        verbose_name_plural = _("self-inspections")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "date"],
                condition=Q(kind="daily", voided_at__isnull=True),
                name="selfinspection_one_daily",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class SelfInspectionItem(SchoolOwned):
    """One checklist item answered, or one finding of a committee or doctor inspection."""

    inspection = models.ForeignKey(SelfInspection, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(max_length=40, blank=True)  # the checklist item; blank: a finding
    text = models.CharField(_("item"), max_length=200)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["inspection", "id"]
        triggers = [pgtrigger.Protect(name="statutory_no_delete", operation=pgtrigger.Delete)]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class CorrectiveAction(SchoolOwned):
    """整改: opened by a failed item or finding; fixed by its owner with evidence, then verified
    by someone else than the person who fixed it."""

    OPEN, FIXED, VERIFIED = "open", "fixed", "verified"
    STATUS_CHOICES = [(OPEN, _("Open")), (FIXED, _("Fixed, to verify")), (VERIFIED, _("Verified"))]

    item = models.OneToOneField(
        SelfInspectionItem, on_delete=models.PROTECT, related_name="action", null=True, blank=True
    )
    problem = models.CharField(_("problem"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("fix by"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=OPEN)
    fix_note = models.CharField(_("what was done"), max_length=300, blank=True)
    evidence = models.ForeignKey(
        Attachment,
        verbose_name=pgettext_lazy("canteen", "evidence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fixed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_note = models.CharField(_("verification note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(status="fixed", fixed_at__isnull=False, evidence__isnull=False)
                | Q(status="verified", fixed_at__isnull=False, verified_at__isnull=False),
                name="correctiveaction_status",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("fixed_by")),
                name="correctiveaction_verified_by_another",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class MonthlyMeeting(SchoolOwned, Voidable):
    """月调度: the month's food-safety scheduling meeting, its minutes signed by the principal."""

    DRAFT, PENDING, APPROVED, REJECTED = "draft", "pending", "approved", "rejected"
    STATUS_CHOICES = [
        (DRAFT, _("Draft")),
        (PENDING, _("Waiting for the principal")),
        (APPROVED, _("Signed")),
        (REJECTED, _("Rejected")),
    ]

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    held_on = models.DateField(_("held on"))
    chair = models.CharField(_("chaired by"), max_length=40)
    attendees = models.CharField(_("attendees"), max_length=300)
    summary = models.TextField(_("this month's food safety"), max_length=2000)
    problems = models.TextField(_("problems found"), max_length=2000, blank=True)
    plan = models.TextField(_("next month's work"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=DRAFT)
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("monthly scheduling meeting")
        verbose_name_plural = _("monthly scheduling meetings")
        ordering = ["-month", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="monthlymeeting_month"),
            models.UniqueConstraint(
                fields=["school", "month"],
                condition=Q(voided_at__isnull=True) & ~Q(status="rejected"),
                name="monthlymeeting_one_per_month",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Incident(SchoolOwned, Voidable):
    """食物中毒 / food-safety incident: what was stopped, the samples sealed, the report."""

    OPEN, CLOSED = "open", "closed"
    STATUS_CHOICES = [(OPEN, _("Open")), (CLOSED, _("Closed"))]

    discovered_at = models.DateTimeField(_("discovered at"))
    description = models.CharField(_("what happened"), max_length=300)
    people_affected = models.PositiveIntegerField(_("people affected"), default=0)
    stopped = models.CharField(_("what was stopped"), max_length=300)
    measures = models.TextField(_("measures taken"), max_length=2000, blank=True)
    reported_at = models.DateTimeField(_("reported to the authorities at"), null=True, blank=True)
    reported_to = models.CharField(_("reported to"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=STATUS_CHOICES, default=OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.CharField(_("conclusion"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("food-safety incident")
        verbose_name_plural = _("food-safety incidents")
        ordering = ["-discovered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True)
                | (~Q(reported_to="") & Q(reported_at__gte=F("discovered_at"))),
                name="incident_report_whom_when",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False, reported_at__isnull=False),
                name="incident_closed_after_report",
            ),
        ]

    @property
    def hours_to_report(self) -> Decimal | None:
        if self.reported_at is None:
            return None
        seconds = (self.reported_at - self.discovered_at).total_seconds()
        return (Decimal(seconds) / 3600).quantize(Decimal("0.1"))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class InspectionPack(SchoolOwned):
    """Every ledger of a date range in one PDF (with a table of contents) and one workbook,
    built in the background worker for an inspection (迎检资料)."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUS_CHOICES = [
        (PENDING, pgettext_lazy("canteen", "Waiting")),
        (RUNNING, pgettext_lazy("canteen", "Being made")),
        (DONE, pgettext_lazy("canteen", "Ready")),
        (FAILED, pgettext_lazy("canteen", "Failed")),
    ]

    start = models.DateField(pgettext_lazy("canteen", "from"))
    end = models.DateField(pgettext_lazy("canteen", "to"))
    status = models.CharField(_("status"), max_length=8, choices=STATUS_CHOICES, default=PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    pdf = models.FileField(upload_to="canteen/packs/", max_length=200, blank=True)
    xlsx = models.FileField(upload_to="canteen/packs/", max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inspection pack")
        verbose_name_plural = _("inspection packs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="inspectionpack_period"),
        ]
