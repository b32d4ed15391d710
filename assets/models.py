"""The asset register, custody, stock and requisitions, repairs and write-offs.

Money is Decimal(12, 2) in yuan. Rules that must hold whatever code writes the rows are in
the database too: a stock balance never goes below zero (check constraint), a class custodian
always names its head teacher, a status is one of the five, statutory rows are never deleted.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.models import Approval, Attachment, SchoolOwned, Voidable

MONEY = {"max_digits": 12, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0.00"))]
USER = settings.AUTH_USER_MODEL


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AssetSettings(SchoolOwned):
    """A school's asset settings; defaults until a school changes them."""

    writeoff_threshold = models.DecimalField(
        _("write-off threshold (yuan)"),
        **MONEY,
        default=Decimal("5000.00"),
        validators=NON_NEGATIVE,
        help_text=_("Write-offs above this value also need the central-school principal."),
    )

    class Meta:
        verbose_name = _("asset settings")
        verbose_name_plural = _("asset settings")
        constraints = [models.UniqueConstraint(fields=["school"], name="assetsettings_uniq")]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Category(SchoolOwned):
    code = models.CharField(_("class code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("asset category")
        verbose_name_plural = _("asset categories")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="assetcategory_code_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LocationKind(models.TextChoices):
    BUILDING = "building", _("Building")
    FLOOR = "floor", _("Floor")
    ROOM = "room", _("Room")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Location(SchoolOwned):
    """Building → floor → room. `path` repeats the names above it, for lists and search."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("inside"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LocationKind.choices)
    name = models.CharField(_("name"), max_length=60)
    path = models.CharField(_("location"), max_length=200, editable=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["school", "path"], name="location_path_uniq"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in LocationKind]),
                name="location_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.path


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    IN_STORE = "in_store", _("In store")
    LENT = "lent", _("Lent")
    REPAIR = "repair", _("Under repair")
    SCRAPPED = "scrapped", _("Scrapped")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Asset(SchoolOwned, Voidable):
    """One register line: an item, or a collection (library books, desks) with a quantity."""

    code = models.CharField(_("asset code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="assets"
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    custodian = models.ForeignKey(
        USER,
        verbose_name=_("custodian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The person responsible; for a class, its head teacher."),
    )
    custodian_class = models.CharField(_("class"), max_length=40, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    price = models.DecimalField(
        _("unit price (yuan)"), **MONEY, default=Decimal("0.00"), validators=NON_NEGATIVE
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    fund_source = models.CharField(_("fund source"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssetStatus.choices, default=AssetStatus.IN_STORE
    )
    due_date = models.DateField(_("due back"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["school", "category", "code"], name="asset_school_cat"),
            models.Index(fields=["school", "location", "code"], name="asset_school_loc"),
            models.Index(fields=["school", "custodian", "code"], name="asset_school_cust"),
            models.Index(fields=["school", "status", "code"], name="asset_school_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="asset_code_uniq"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in AssetStatus]),
                name="asset_status_valid",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="asset_price_nonneg"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="asset_qty_pos"),
            # 保管责任到人: a class's items are in its head teacher's custody.
            models.CheckConstraint(
                condition=models.Q(custodian_class="") | models.Q(custodian__isnull=False),
                name="asset_class_has_head_teacher",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def value(self) -> Decimal:
        return self.price * self.quantity


@pghistory.track(pghistory.InsertEvent())
class AssetPhoto(SchoolOwned):
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="photos")
    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("asset photo")
        verbose_name_plural = _("asset photos")
        ordering = ["id"]


class CustodyKind(models.TextChoices):
    ASSIGN = "assign", _("Assigned")
    CHECK_OUT = "out", _("Lent out")
    CHECK_IN = "in", _("Returned")
    MOVE = "move", _("Moved")
    STATUS = "status", _("Status changed")


@pghistory.track(pghistory.InsertEvent())
class CustodyRecord(SchoolOwned):
    """One change of custody, location or status; the asset's history, never edited."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="custody_records")
    kind = models.CharField(_("kind"), max_length=10, choices=CustodyKind.choices)
    custodian = models.ForeignKey(
        USER, verbose_name=_("custodian"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    custodian_class = models.CharField(_("class"), max_length=40, blank=True)
    location = models.ForeignKey(
        Location, verbose_name=_("location"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=AssetStatus.choices)
    due_date = models.DateField(_("due back"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("custody record")
        verbose_name_plural = _("custody records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "asset", "-at"], name="custody_asset_at")]
        triggers = [
            pgtrigger.Protect(
                name="custody_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]


# ---------------------------------------------------------------- stock


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class StockItem(SchoolOwned):
    """A consumable or teaching supply kept by count (paper, chalk, textbooks)."""

    name = models.CharField(_("name"), max_length=100)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="个")
    low_level = models.PositiveIntegerField(
        _("low-stock level"), default=0, help_text=_("Warn on the dashboard at or below this.")
    )

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        ordering = ["name", "spec"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name", "spec"], name="stockitem_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.spec}".strip()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class StockBalance(SchoolOwned):
    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="balances")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("balance"), default=0)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["item", "location"], name="stockbalance_uniq"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="stockbalance_never_negative"
            ),
        ]


class MoveKind(models.TextChoices):
    IN = "in", _("Stock-in")
    OUT = "out", _("Stock-out")


@pghistory.track(pghistory.InsertEvent())
class StockMove(SchoolOwned):
    """One stock-in or stock-out (进出库手续). Never edited: a new move corrects a mistake."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="moves")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=4, choices=MoveKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price (yuan)"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE
    )
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    expense_number = models.CharField(_("finance expense number"), max_length=40, blank=True)
    recipient = models.CharField(_("recipient"), max_length=60, blank=True)
    requisition = models.ForeignKey(
        "Requisition", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    repair = models.ForeignKey(
        "RepairTicket", null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    distribution = models.ForeignKey(
        "Distribution", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    # A stocktake's shortage (out) or surplus (in): the count is the move's source.
    stocktake = models.ForeignKey(
        "Stocktake", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_moves"
    )
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "-at", "-id"], name="stockmove_school_at")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stockmove_qty_pos"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["in", "out"]), name="stockmove_kind_valid"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="stockmove_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]


class RequisitionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved: to be issued")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Requisition(SchoolOwned):
    """A teacher's or class's request for supplies (领用申请), approved by the director."""

    item = models.ForeignKey(StockItem, verbose_name=_("item"), on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    class_name = models.CharField(_("for class"), max_length=40, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.PENDING,
    )
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["school", "-requested_at", "-id"], name="req_school_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in RequisitionStatus]),
                name="requisition_status_valid",
            ),
        ]


@pghistory.track(pghistory.InsertEvent())
class Distribution(SchoolOwned):
    """The term-start distribution: classes × items handed out in one batch (发放单)."""

    title = models.CharField(_("title"), max_length=100)
    location = models.ForeignKey(
        Location, verbose_name=_("from store"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["-at", "-id"]


# ---------------------------------------------------------------- repairs


class RepairStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSIGNED = "assigned", _("Assigned")
    FIXED = "fixed", _("Fixed: waiting for the reporter")
    CONFIRMED = "confirmed", _("Confirmed")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class RepairTicket(SchoolOwned, Voidable):
    """报修: a fault reported from a phone, assigned, fixed, confirmed by the reporter."""

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="repairs"
    )
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    description = models.CharField(_("what is broken"), max_length=300)
    photo = models.ForeignKey(
        Attachment, verbose_name=_("photo"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RepairStatus.choices, default=RepairStatus.REPORTED
    )
    reported_by = models.ForeignKey(
        USER, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))
    assigned_to = models.ForeignKey(
        USER,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    work_done = models.CharField(_("work done"), max_length=300, blank=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The asset's status before it went under repair, restored when it is fixed.
    asset_status_before = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("repair ticket")
        verbose_name_plural = _("repair tickets")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["school", "-reported_at", "-id"], name="repair_school_at"),
            models.Index(fields=["school", "status"], name="repair_school_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in RepairStatus]),
                name="repair_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="reported") | models.Q(assigned_at__isnull=False),
                name="repair_assigned_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["fixed", "confirmed"])
                | models.Q(fixed_at__isnull=False),
                name="repair_fixed_has_time",
            ),
        ]
        triggers = [pgtrigger.Protect(name="repair_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.location} · {self.description[:30]}"


# ---------------------------------------------------------------- write-offs


class WriteOffStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for signatures")
    APPROVED = "approved", _("Approved: scrapped")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class WriteOff(SchoolOwned):
    """报损: damage or loss of one register line, signed by value; approved → scrapped."""

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="writeoffs"
    )
    reason = models.CharField(_("reason"), max_length=300)
    value = models.DecimalField(_("value (yuan)"), **MONEY, validators=NON_NEGATIVE)
    photo = models.ForeignKey(
        Attachment, verbose_name=_("photo"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=WriteOffStatus.choices, default=WriteOffStatus.PENDING
    )
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in WriteOffStatus]),
                name="writeoff_status_valid",
            ),
            # One open write-off per asset at a time.
            models.UniqueConstraint(
                fields=["asset"], condition=models.Q(status="pending"), name="writeoff_one_open"
            ),
        ]
        triggers = [pgtrigger.Protect(name="writeoff_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.asset} · {self.reason[:30]}"


# ---------------------------------------------------------------- stocktakes


class StocktakeKind(models.TextChoices):
    ASSETS = "assets", _("Register lines (by label)")
    STOCK = "stock", _("Consumables (by quantity)")


class StocktakeStatus(models.TextChoices):
    COUNTING = "counting", _("Counting")
    FINISHED = "finished", _("Finished")
    APPLIED = "applied", _("Applied")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Stocktake(SchoolOwned):
    """盘点 of one location (with the rooms inside it) or one category, or both: of the
    register's lines, or of the consumables' quantities in the location's stores."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(
        _("what is counted"),
        max_length=10,
        choices=StocktakeKind.choices,
        default=StocktakeKind.ASSETS,
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StocktakeStatus.choices,
        default=StocktakeStatus.COUNTING,
    )
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in StocktakeStatus]),
                name="stocktake_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="assets") | models.Q(location__isnull=False),
                name="stocktake_stock_has_location",
            ),
        ]
        triggers = [pgtrigger.Protect(name="stocktake_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.title


class CountResult(models.TextChoices):
    PENDING = "pending", _("Not counted yet")
    FOUND = "found", _("Found")
    MISSING = "missing", _("Missing (盘亏)")
    SURPLUS = "surplus", _("Surplus (盘盈)")
    WRONG_PLACE = "wrong_place", _("Wrong location")
    DAMAGED = "damaged", _("Damaged")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class StocktakeLine(SchoolOwned):
    """One expected register line, or one found that was not expected (surplus, misplaced)."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.PROTECT, related_name="lines")
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="stocktake_lines"
    )
    expected = models.BooleanField(_("expected"), default=True)
    surplus_name = models.CharField(_("item found"), max_length=100, blank=True)
    result = models.CharField(
        _("result"), max_length=12, choices=CountResult.choices, default=CountResult.PENDING
    )
    found_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    counted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    # What applying did: the write-off or the move that settled this line.
    writeoff = models.ForeignKey(
        WriteOff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["id"]
        indexes = [models.Index(fields=["asset", "stocktake"], name="stocktakeline_asset")]
        constraints = [
            models.UniqueConstraint(
                fields=["stocktake", "asset"],
                condition=models.Q(asset__isnull=False),
                name="stocktakeline_one_per_asset",
            ),
            models.CheckConstraint(
                condition=models.Q(asset__isnull=False) | ~models.Q(surplus_name=""),
                name="stocktakeline_names_what",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class StockCountLine(SchoolOwned):
    """One stock item in one store of a consumables stocktake: the balance when counting
    began, the quantity counted, and the move that settled the difference."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.PROTECT, related_name="stock_lines")
    item = models.ForeignKey(StockItem, verbose_name=_("item"), on_delete=models.PROTECT)
    location = models.ForeignKey(
        Location, verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    expected = models.IntegerField(_("book quantity"))
    counted = models.PositiveIntegerField(_("counted quantity"), null=True, blank=True)
    counted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    move = models.OneToOneField(
        StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")
        ordering = ["id"]
        # The freeze check looks up the counting stocktakes of one item in one store.
        indexes = [models.Index(fields=["item", "location"], name="stockcount_item_loc")]
        constraints = [
            models.UniqueConstraint(
                fields=["stocktake", "item", "location"], name="stockcount_one_per_item"
            ),
        ]

    @property
    def difference(self) -> int | None:
        """盘盈 above zero, 盘亏 below; None until counted."""
        return None if self.counted is None else self.counted - self.expected
