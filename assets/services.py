"""Every write of the assets app: <entity>_<verb>(*, school, actor, ...) in one transaction.

Status changes go through `_transition`, which holds the rules of which status may follow
which; stock balances change only through `stock_in` / `stock_out`, which lock the balance row
(the database's check constraint is the backstop that a balance never goes negative).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.core import event_models

from assets import capabilities as caps
from assets import selectors
from assets.models import (
    Asset,
    AssetPhoto,
    AssetSettings,
    AssetStatus,
    Category,
    CountResult,
    CustodyKind,
    CustodyRecord,
    Distribution,
    Location,
    LocationKind,
    MoveKind,
    RepairStatus,
    RepairTicket,
    Requisition,
    RequisitionStatus,
    StockBalance,
    StockCountLine,
    StockItem,
    StockMove,
    Stocktake,
    StocktakeKind,
    StocktakeLine,
    StocktakeStatus,
    WriteOff,
    WriteOffStatus,
)
from assets.registers import parse_register
from logistics.approvals import Step, approval_start
from logistics.attachments import CleanUpload, attachment_create
from logistics.audit import record_event
from logistics.models import Approval, School
from logistics.roles import capabilities_for

REQUISITION_DOC = "assets.requisition"
WRITEOFF_DOC = "assets.writeoff"

# 固定资产分类 (GB/T 14885 top-level classes as used for school assets); editable per school.
NATIONAL_CATEGORIES = [
    ("01", "土地、房屋及构筑物"),
    ("02", "通用设备"),
    ("03", "专用设备"),
    ("04", "文物和陈列品"),
    ("05", "图书、档案"),
    ("06", "家具、用具、装具及动植物"),
]

# Which status may follow which. Scrapped is final: only an approved write-off leads there.
TRANSITIONS: dict[str, set[str]] = {
    AssetStatus.IN_STORE: {AssetStatus.IN_USE, AssetStatus.LENT, AssetStatus.REPAIR},
    AssetStatus.IN_USE: {AssetStatus.IN_STORE, AssetStatus.LENT, AssetStatus.REPAIR},
    AssetStatus.LENT: {AssetStatus.IN_STORE, AssetStatus.IN_USE},
    AssetStatus.REPAIR: {AssetStatus.IN_STORE, AssetStatus.IN_USE},
    AssetStatus.SCRAPPED: set(),
}


def settings_for(school: School) -> AssetSettings:
    return AssetSettings.objects.filter(school=school).first() or AssetSettings(school=school)


def settings_update(*, school: School, actor, writeoff_threshold: Decimal) -> AssetSettings:
    with transaction.atomic():
        found, _created = AssetSettings.objects.get_or_create(school=school)
        found.writeoff_threshold = writeoff_threshold
        found.full_clean()
        found.save()
        record_event(
            school=school,
            actor=actor,
            action="assets.settings.changed",
            obj=found,
            summary=str(writeoff_threshold),
        )
        return found


# ---------------------------------------------------------------- categories and locations


def categories_install_defaults(*, school: School, actor) -> int:
    """Add the national classes the school does not have yet; returns how many were added."""
    with transaction.atomic():
        have = set(Category.objects.filter(school=school).values_list("code", flat=True))
        new = [
            Category(school=school, code=code, name=name)
            for code, name in NATIONAL_CATEGORIES
            if code not in have
        ]
        Category.objects.bulk_create(new)
        if new:
            record_event(
                school=school,
                actor=actor,
                action="assets.categories.installed",
                summary=_("%(n)s national classes added") % {"n": len(new)},
            )
        return len(new)


def category_save(
    *, school: School, actor, code: str, name: str, category: Category | None = None
) -> Category:
    with transaction.atomic():
        category = category or Category(school=school)
        category.code, category.name = code.strip(), name.strip()
        category.full_clean()
        category.save()
        record_event(
            school=school, actor=actor, action="assets.category.saved", obj=category, summary=name
        )
        return category


_CHILD_KIND = {None: LocationKind.BUILDING, LocationKind.BUILDING: LocationKind.FLOOR}


def location_create(*, school: School, actor, name: str, parent: Location | None) -> Location:
    """A building (no parent), a floor in a building, or a room on a floor."""
    name = name.strip()
    if parent is not None and parent.school_id != school.pk:
        raise ValidationError({"parent": _("Choose a location of this school.")})
    kind = _CHILD_KIND.get(parent.kind if parent else None, LocationKind.ROOM)
    if parent is not None and parent.kind == LocationKind.ROOM:
        raise ValidationError({"parent": _("A room cannot contain other locations.")})
    location = Location(
        school=school,
        parent=parent,
        kind=kind,
        name=name,
        path=f"{parent.path} / {name}" if parent else name,
    )
    with transaction.atomic():
        location.full_clean()
        location.save()
        record_event(
            school=school,
            actor=actor,
            action="assets.location.created",
            obj=location,
            summary=location.path,
        )
        return location


# ---------------------------------------------------------------- register and custody


@dataclass(frozen=True)
class AssetInput:
    code: str
    name: str
    category: Category
    spec: str = ""
    location: Location | None = None
    custodian: object | None = None  # a user
    custodian_class: str = ""
    purchase_date: date | None = None
    price: Decimal = Decimal("0.00")
    quantity: int = 1
    fund_source: str = ""
    note: str = ""


def _check_custodian(school: School, custodian, custodian_class: str) -> None:
    if custodian_class and custodian is None:
        raise ValidationError(
            {"custodian": _("A class's items are in the custody of its head teacher: name them.")}
        )
    if custodian is not None and capabilities_for(custodian, school) is None:
        raise ValidationError({"custodian": _("The custodian must be a member of this school.")})


def asset_create(
    *, school: School, actor, data: AssetInput, photos: Iterable[CleanUpload] = ()
) -> Asset:
    _check_custodian(school, data.custodian, data.custodian_class)
    asset = Asset(
        school=school,
        code=data.code.strip(),
        name=data.name.strip(),
        spec=data.spec.strip(),
        category=data.category,
        location=data.location,
        custodian=data.custodian,
        custodian_class=data.custodian_class.strip(),
        purchase_date=data.purchase_date,
        price=data.price,
        quantity=data.quantity,
        fund_source=data.fund_source.strip(),
        note=data.note.strip(),
        status=AssetStatus.IN_USE if data.custodian else AssetStatus.IN_STORE,
    )
    with transaction.atomic():
        if Asset.objects.filter(school=school, code=asset.code).exists():
            raise ValidationError({"code": _("This asset code is already registered.")})
        asset.full_clean(validate_unique=False)
        asset.save()
        _custody(asset, actor, CustodyKind.ASSIGN)
        for upload in photos:
            asset_add_photo(school=school, actor=actor, asset=asset, upload=upload)
        record_event(
            school=school,
            actor=actor,
            action="assets.asset.registered",
            obj=asset,
            summary=str(asset),
            data={"value": asset.value, "quantity": asset.quantity},
        )
        return asset


EDITABLE = ("name", "spec", "category", "purchase_date", "price", "quantity", "fund_source", "note")


def asset_update(*, school: School, actor, asset: Asset, **changes) -> Asset:
    """Descriptive fields only; custody, location and status change through their services."""
    if set(changes) - set(EDITABLE):
        raise ValueError(f"not editable here: {set(changes) - set(EDITABLE)}")
    with transaction.atomic():
        locked = _locked(school, asset)
        before = {k: str(getattr(locked, k)) for k in changes}
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.full_clean(validate_unique=False)
        locked.save(update_fields=list(changes))
        record_event(
            school=school,
            actor=actor,
            action="assets.asset.edited",
            obj=locked,
            summary=str(locked),
            data={"before": before},
        )
        return locked


def asset_add_photo(*, school: School, actor, asset: Asset, upload: CleanUpload) -> AssetPhoto:
    with transaction.atomic():
        attachment = attachment_create(
            school=school, actor=actor, upload=upload, view_capability=caps.CUSTODY
        )
        return AssetPhoto.objects.create(school=school, asset=asset, attachment=attachment)


def _locked(school: School, asset: Asset) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset.pk, school=school)


def _movable(school: School, asset: Asset) -> Asset:
    """Lock an asset whose custody or place is about to change; refused while a stocktake
    that covers it is counting (the count must see the shelves as the register had them)."""
    locked = _locked(school, asset)
    if StocktakeLine.objects.filter(
        school=school, asset=locked, stocktake__status=StocktakeStatus.COUNTING
    ).exists():
        raise ValidationError(
            _("A stocktake covering this item is in progress: it cannot be moved until it ends.")
        )
    return locked


def _transition(asset: Asset, to: str) -> None:
    if asset.is_voided:
        raise ValidationError(_("This register line is voided."))
    if to != asset.status and to not in TRANSITIONS[asset.status]:
        raise ValidationError(
            _("An asset that is “%(now)s” cannot become “%(to)s”.")
            % {"now": asset.get_status_display(), "to": AssetStatus(to).label}
        )
    asset.status = to


def _custody(asset: Asset, actor, kind: str, condition: str = "") -> CustodyRecord:
    return CustodyRecord.objects.create(
        school_id=asset.school_id,
        asset=asset,
        kind=kind,
        custodian=asset.custodian,
        custodian_class=asset.custodian_class,
        location=asset.location,
        status=asset.status,
        due_date=asset.due_date,
        condition=condition[:200],
        by=actor,
    )


_CUSTODY_FIELDS = ["custodian", "custodian_class", "location", "status", "due_date"]


def asset_assign(
    *,
    school: School,
    actor,
    asset: Asset,
    custodian,
    custodian_class: str = "",
    location: Location | None = None,
    condition: str = "",
) -> Asset:
    """Put an item into use with a named custodian (a person, or a class and its head teacher)."""
    _check_custodian(school, custodian, custodian_class)
    if custodian is None:
        raise ValidationError({"custodian": _("Name the person responsible.")})
    with transaction.atomic():
        locked = _movable(school, asset)
        _transition(locked, AssetStatus.IN_USE)
        locked.custodian, locked.custodian_class = custodian, custodian_class.strip()
        locked.location = location or locked.location
        locked.due_date = None
        locked.save(update_fields=_CUSTODY_FIELDS)
        _custody(locked, actor, CustodyKind.ASSIGN, condition)
        record_event(
            school=school,
            actor=actor,
            action="assets.asset.assigned",
            obj=locked,
            summary=f"{locked} → {custodian_class or custodian}",
        )
        return locked


def asset_check_out(
    *,
    school: School,
    actor,
    asset: Asset,
    custodian,
    due_date: date,
    custodian_class: str = "",
    condition: str = "",
) -> Asset:
    """Lend an item to a person or class until `due_date` (借出), noting its condition."""
    _check_custodian(school, custodian, custodian_class)
    if custodian is None:
        raise ValidationError({"custodian": _("Name the person responsible.")})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    with transaction.atomic():
        locked = _movable(school, asset)
        if locked.status == AssetStatus.LENT:
            raise ValidationError(_("This item is already lent out; check it in first."))
        _transition(locked, AssetStatus.LENT)
        locked.custodian, locked.custodian_class = custodian, custodian_class.strip()
        locked.due_date = due_date
        locked.save(update_fields=_CUSTODY_FIELDS)
        _custody(locked, actor, CustodyKind.CHECK_OUT, condition)
        record_event(
            school=school,
            actor=actor,
            action="assets.asset.checked_out",
            obj=locked,
            summary=f"{locked} → {custodian_class or custodian}",
            data={"due_date": due_date},
        )
        return locked


def asset_check_in(
    *, school: School, actor, asset: Asset, location: Location | None, condition: str = ""
) -> Asset:
    """An item comes back to the store; its condition on return is recorded."""
    with transaction.atomic():
        locked = _movable(school, asset)
        if locked.status == AssetStatus.IN_STORE:
            return locked  # a repeated POST
        _transition(locked, AssetStatus.IN_STORE)
        locked.custodian, locked.custodian_class, locked.due_date = None, "", None
        locked.location = location or locked.location
        locked.save(update_fields=_CUSTODY_FIELDS)
        _custody(locked, actor, CustodyKind.CHECK_IN, condition)
        record_event(
            school=school,
            actor=actor,
            action="assets.asset.checked_in",
            obj=locked,
            summary=str(locked),
            data={"condition": condition},
        )
        return locked


def asset_move(
    *, school: School, actor, asset: Asset, location: Location, condition: str = ""
) -> Asset:
    """A transfer (调拨) to another location, custody unchanged."""
    with transaction.atomic():
        locked = _movable(school, asset)
        if locked.location_id == location.pk:
            return locked
        if locked.is_voided or locked.status == AssetStatus.SCRAPPED:
            raise ValidationError(_("A scrapped or voided line cannot be moved."))
        locked.location = location
        locked.save(update_fields=["location"])
        _custody(locked, actor, CustodyKind.MOVE, condition)
        record_event(
            school=school,
            actor=actor,
            action="assets.asset.moved",
            obj=locked,
            summary=f"{locked} → {location}",
        )
        return locked


TRGM_INDEXES = ("asset_code_trgm", "asset_name_trgm", "asset_spec_trgm")


def merge_search_index() -> None:
    """After a bulk insert: merge the trigram indexes' pending lists, so the next search
    reads the index proper rather than a long unsorted list (and the planner trusts it)."""
    with connection.cursor() as cursor:
        for index in TRGM_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


# The row-history triggers run two PL/pgSQL exception blocks (a subtransaction each) per row,
# and their cost grows with the rows already written in the transaction: 20,000 inserts took
# 12 s, a 50,000-line stocktake 100 s to start, 12,000 lines 10 s to finish. For bulk writes
# the trigger is skipped and the same events are written by one INSERT … SELECT.


def _write_history(model: type, label: str, pks: list[int]) -> None:
    """Row-history events `label` ('insert', 'update') of rows `pks` as they are now, with the
    request's history context (who, which URL), as the trigger would have written them."""
    event = event_models(tracks_model=model)[0]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute("SELECT _pgh_attach_context()")
        context_id = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {qn(event._meta.db_table)} "  # noqa: S608 (names from the models)
            f"(pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id, {columns}) "
            f"SELECT NOW(), %s, id, %s, {columns} FROM {qn(model._meta.db_table)} "
            "WHERE id = ANY(%s)",
            [label, context_id, pks],
        )


def bulk_create_with_history(model: type, objs: Iterable, batch_size: int = 5000) -> list:
    with pgtrigger.ignore(f"{model._meta.label}:insert_insert"):
        created = model.objects.bulk_create(objs, batch_size=batch_size)
    _write_history(model, "insert", [o.pk for o in created])
    return created


def update_with_history(queryset, **changes) -> int:
    """queryset.update(**changes) for many rows; each changed row gets its 'update' event."""
    model = queryset.model
    pks = list(queryset.values_list("pk", flat=True))
    with pgtrigger.ignore(f"{model._meta.label}:update_update"):
        n = model.objects.filter(pk__in=pks).update(**changes)
    _write_history(model, "update", pks)
    return n


def assets_import(*, school: School, actor, table: list[list]) -> int:
    """The register sheet (see registers.py) imported as a whole, or not at all."""
    with transaction.atomic():
        assets = bulk_create_with_history(Asset, parse_register(school, table))
        bulk_create_with_history(
            CustodyRecord,
            [
                CustodyRecord(
                    school=school,
                    asset=a,
                    kind=CustodyKind.ASSIGN,
                    custodian=a.custodian,
                    custodian_class=a.custodian_class,
                    location=a.location,
                    status=a.status,
                    by=actor,
                )
                for a in assets
            ],
        )
        merge_search_index()
        record_event(
            school=school,
            actor=actor,
            action="assets.register.imported",
            summary=_("%(n)s register lines imported") % {"n": len(assets)},
            data={"lines": len(assets)},
        )
        return len(assets)


# ---------------------------------------------------------------- stock


def stock_item_create(
    *, school: School, actor, name: str, spec: str = "", unit: str = "个", low_level: int = 0
) -> StockItem:
    item = StockItem(
        school=school, name=name.strip(), spec=spec.strip(), unit=unit, low_level=low_level
    )
    with transaction.atomic():
        if StockItem.objects.filter(school=school, name=item.name, spec=item.spec).exists():
            raise ValidationError({"name": _("This item is already in the stock list.")})
        item.full_clean(validate_unique=False)
        item.save()
        record_event(
            school=school,
            actor=actor,
            action="assets.stock_item.created",
            obj=item,
            summary=str(item),
        )
        return item


def _stock_not_frozen(school: School, item: StockItem, location: Location) -> None:
    """A consumables stocktake fixed the book quantity when counting began: until it ends, no
    move in or out of the items it counts (the difference would be wrong otherwise)."""
    if StockCountLine.objects.filter(
        school=school, item=item, location=location, stocktake__status=StocktakeStatus.COUNTING
    ).exists():
        raise ValidationError(
            {
                "quantity": _(
                    "A stocktake of %(item)s in %(store)s is in progress: no stock moves "
                    "until it is finished."
                )
                % {"item": item, "store": location}
            }
        )


def stock_in(
    *,
    school: School,
    actor,
    item: StockItem,
    location: Location,
    quantity: int,
    unit_price: Decimal | None = None,
    supplier: str = "",
    expense_number: str = "",
    stocktake: Stocktake | None = None,
) -> StockMove:
    if quantity < 1:
        raise ValidationError({"quantity": _("Enter a quantity of at least 1.")})
    with transaction.atomic():
        _stock_not_frozen(school, item, location)
        move = StockMove(
            school=school,
            item=item,
            location=location,
            kind=MoveKind.IN,
            quantity=quantity,
            unit_price=unit_price,
            supplier=supplier.strip(),
            expense_number=expense_number.strip(),
            stocktake=stocktake,
            by=actor,
        )
        move.full_clean()
        move.save()
        balance, _created = StockBalance.objects.get_or_create(
            school=school, item=item, location=location
        )
        StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + quantity)
        record_event(
            school=school,
            actor=actor,
            action="assets.stock.in",
            obj=move,
            summary=f"{item} +{quantity}",
            data={"expense_number": move.expense_number, "unit_price": unit_price},
        )
        return move


def stock_out(
    *,
    school: School,
    actor,
    item: StockItem,
    location: Location,
    quantity: int,
    recipient: str = "",
    requisition: Requisition | None = None,
    repair: RepairTicket | None = None,
    distribution: Distribution | None = None,
    stocktake: Stocktake | None = None,
) -> StockMove:
    """Take `quantity` out of the store. Refused when the balance would go below zero, and
    while a stocktake counts the item in this store."""
    if quantity < 1:
        raise ValidationError({"quantity": _("Enter a quantity of at least 1.")})
    with transaction.atomic():
        _stock_not_frozen(school, item, location)
        balance = (
            StockBalance.objects.select_for_update()
            .filter(school=school, item=item, location=location)
            .first()
        )
        available = balance.quantity if balance else 0
        if available < quantity:
            raise ValidationError(
                {
                    "quantity": _("Not enough %(item)s in stock: %(n)s %(unit)s left.")
                    % {"item": item, "n": available, "unit": item.unit}
                }
            )
        move = StockMove(
            school=school,
            item=item,
            location=location,
            kind=MoveKind.OUT,
            quantity=quantity,
            recipient=recipient.strip()[:60],
            requisition=requisition,
            repair=repair,
            distribution=distribution,
            stocktake=stocktake,
            by=actor,
        )
        move.full_clean()
        move.save()
        try:
            with transaction.atomic():
                StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") - quantity)
        except IntegrityError as exc:  # the check constraint: never below zero
            raise ValidationError({"quantity": _("Not enough in stock.")}) from exc
        record_event(
            school=school,
            actor=actor,
            action="assets.stock.out",
            obj=move,
            summary=f"{item} -{quantity} → {move.recipient}",
        )
        return move


# ---------------------------------------------------------------- requisitions


def _chain(school: School, requester, wanted: list[Step]) -> list[Step]:
    """Nobody signs their own document: a step the requester holds goes one level up.

    Levels run director → principal → central-school principal.
    """
    levels = [
        Step(caps.APPROVE, gettext_lazy("Logistics director")),
        Step(caps.SIGN_PRINCIPAL, gettext_lazy("Principal")),
        Step(caps.SIGN_CENTRAL, gettext_lazy("Central-school principal")),
    ]
    held = capabilities_for(requester, school) or frozenset()
    steps = [s for s in wanted if s.capability not in held]
    top = next(i for i, lvl in enumerate(levels) if lvl.capability == wanted[-1].capability)
    if wanted[-1].capability in held:
        higher = [lvl for lvl in levels[top + 1 :] if lvl.capability not in held]
        steps.extend(higher[:1])
    return steps or [levels[-1]]


def requisition_policy(school: School, requisition: Requisition) -> list[Step]:
    return _chain(
        school,
        requisition.requested_by,
        [Step(caps.APPROVE, gettext_lazy("Logistics director"))],
    )


def requisition_create(
    *,
    school: School,
    actor,
    item: StockItem,
    quantity: int,
    purpose: str,
    class_name: str = "",
) -> Requisition:
    with transaction.atomic():
        requisition = Requisition(
            school=school,
            item=item,
            quantity=quantity,
            purpose=purpose.strip(),
            class_name=class_name.strip(),
            requested_by=actor,
        )
        requisition.full_clean()
        requisition.save()
        requisition.approval = approval_start(
            school=school,
            actor=actor,
            doc_type=REQUISITION_DOC,
            obj=requisition,
            title=f"{item} × {quantity} · {requisition.class_name or actor.get_full_name()}",
        )
        requisition.save(update_fields=["approval"])
        return requisition


_FINISHED = {
    Approval.APPROVED: "approved",
    Approval.REJECTED: "rejected",
    Approval.WITHDRAWN: "withdrawn",
}


def on_requisition_finished(approval: Approval) -> None:
    Requisition.objects.filter(school=approval.school_id, approval=approval).update(
        status=_FINISHED[approval.status]
    )


def requisition_issue(
    *, school: School, actor, requisition: Requisition, location: Location
) -> Requisition:
    """Hand out an approved requisition from the store; issuing twice is a no-op."""
    with transaction.atomic():
        locked = Requisition.objects.select_for_update().get(pk=requisition.pk, school=school)
        if locked.status == RequisitionStatus.ISSUED:
            return locked
        if locked.status != RequisitionStatus.APPROVED:
            raise ValidationError(_("Only an approved requisition can be issued."))
        stock_out(
            school=school,
            actor=actor,
            item=locked.item,
            location=location,
            quantity=locked.quantity,
            recipient=locked.class_name or locked.requested_by.get_full_name(),
            requisition=locked,
        )
        locked.status = RequisitionStatus.ISSUED
        locked.save(update_fields=["status"])
        record_event(school=school, actor=actor, action="assets.requisition.issued", obj=locked)
        return locked


def distribution_create(
    *,
    school: School,
    actor,
    title: str,
    location: Location,
    cells: dict[tuple[str, int], int],
) -> Distribution:
    """The term-start batch: `cells[(class_name, item_id)] = quantity`, all or nothing.

    Every item's total is checked first, so a shortage is reported once per item with what is
    needed and what is left, and nothing is handed out.
    """
    cells = {k: v for k, v in cells.items() if v}
    if not cells:
        raise ValidationError(_("Enter at least one quantity."))
    items = {i.pk: i for i in StockItem.objects.filter(school=school, pk__in={k[1] for k in cells})}
    with transaction.atomic():
        balances = {
            b.item_id: b.quantity
            for b in StockBalance.objects.select_for_update().filter(
                school=school, location=location, item_id__in=items
            )
        }
        short = []
        for item_id, item in items.items():
            needed = sum(q for (_c, i), q in cells.items() if i == item_id)
            if needed > balances.get(item_id, 0):
                short.append(
                    _("%(item)s: %(need)s needed, %(left)s left")
                    % {"item": item, "need": needed, "left": balances.get(item_id, 0)}
                )
        if short:
            raise ValidationError(_("Not enough in stock — ") + "；".join(short))
        distribution = Distribution.objects.create(
            school=school, title=title.strip(), location=location, by=actor
        )
        for (class_name, item_id), quantity in sorted(cells.items()):
            stock_out(
                school=school,
                actor=actor,
                item=items[item_id],
                location=location,
                quantity=quantity,
                recipient=class_name,
                distribution=distribution,
            )
        record_event(
            school=school,
            actor=actor,
            action="assets.distribution.created",
            obj=distribution,
            summary=distribution.title,
            data={"cells": len(cells)},
        )
        return distribution


# ---------------------------------------------------------------- repairs


def _ticket(school: School, ticket: RepairTicket) -> RepairTicket:
    return RepairTicket.objects.select_for_update().get(pk=ticket.pk, school=school)


def repair_report(
    *,
    school: School,
    actor,
    location: Location,
    description: str,
    asset: Asset | None = None,
    photo: CleanUpload | None = None,
) -> RepairTicket:
    with transaction.atomic():
        ticket = RepairTicket(
            school=school,
            location=location,
            asset=asset,
            description=description.strip(),
            reported_by=actor,
            reported_at=timezone.now(),
        )
        if photo is not None:
            ticket.photo = attachment_create(
                school=school, actor=actor, upload=photo, view_capability=caps.REPAIR_REPORT
            )
        ticket.full_clean()
        ticket.save()
        record_event(
            school=school,
            actor=actor,
            action="assets.repair.reported",
            obj=ticket,
            summary=str(ticket),
        )
        return ticket


def repair_assign(*, school: School, actor, ticket: RepairTicket, worker) -> RepairTicket:
    """The office gives the ticket to a worker (again, to change the worker)."""
    worker_caps = capabilities_for(worker, school) or frozenset()
    if caps.REPAIR_WORK not in worker_caps:
        raise ValidationError({"worker": _("This person does not do repairs.")})
    with transaction.atomic():
        locked = _ticket(school, ticket)
        if locked.is_voided or locked.status not in (RepairStatus.REPORTED, RepairStatus.ASSIGNED):
            raise ValidationError(_("This ticket is already fixed."))
        if locked.status == RepairStatus.REPORTED:
            locked.assigned_at = timezone.now()
            if locked.asset_id:
                asset = _locked(school, locked.asset)
                if asset.status in TRANSITIONS and AssetStatus.REPAIR in TRANSITIONS[asset.status]:
                    locked.asset_status_before = asset.status
                    asset.status = AssetStatus.REPAIR
                    asset.save(update_fields=["status"])
                    _custody(asset, actor, CustodyKind.STATUS, locked.description)
        locked.status = RepairStatus.ASSIGNED
        locked.assigned_to = worker
        locked.save(update_fields=["status", "assigned_to", "assigned_at", "asset_status_before"])
        record_event(
            school=school,
            actor=actor,
            action="assets.repair.assigned",
            obj=locked,
            summary=f"{locked} → {worker.get_full_name() or worker.username}",
        )
        return locked


@dataclass(frozen=True)
class PartUsed:
    item: StockItem
    location: Location
    quantity: int


def repair_fix(
    *,
    school: School,
    actor,
    ticket: RepairTicket,
    work_done: str,
    parts: Iterable[PartUsed] = (),
) -> RepairTicket:
    """The worker records what was done and the parts taken from stock."""
    if not work_done.strip():
        raise ValidationError({"work_done": _("Say what was done.")})
    with transaction.atomic():
        locked = _ticket(school, ticket)
        if locked.status in (RepairStatus.FIXED, RepairStatus.CONFIRMED):
            return locked
        if locked.status != RepairStatus.ASSIGNED:
            raise ValidationError(_("Assign the ticket before recording the fix."))
        actor_caps = capabilities_for(actor, school) or frozenset()
        if locked.assigned_to_id != actor.pk and caps.REPAIR_ASSIGN not in actor_caps:
            raise ValidationError(_("Only the assigned worker or the office records the fix."))
        for part in parts:
            stock_out(
                school=school,
                actor=actor,
                item=part.item,
                location=part.location,
                quantity=part.quantity,
                recipient=str(locked.location)[:60],
                repair=locked,
            )
        locked.status = RepairStatus.FIXED
        locked.work_done = work_done.strip()
        locked.fixed_at = timezone.now()
        locked.save(update_fields=["status", "work_done", "fixed_at"])
        if locked.asset_id and locked.asset_status_before:
            asset = _locked(school, locked.asset)
            if asset.status == AssetStatus.REPAIR:
                asset.status = locked.asset_status_before
                asset.save(update_fields=["status"])
                _custody(asset, actor, CustodyKind.STATUS, locked.work_done)
        record_event(
            school=school,
            actor=actor,
            action="assets.repair.fixed",
            obj=locked,
            summary=str(locked),
        )
        return locked


def repair_confirm(*, school: School, actor, ticket: RepairTicket) -> RepairTicket:
    """The reporter confirms the fix (验收)."""
    with transaction.atomic():
        locked = _ticket(school, ticket)
        if locked.reported_by_id != actor.pk:
            raise ValidationError(_("Only the person who reported the fault confirms the fix."))
        if locked.status == RepairStatus.CONFIRMED:
            return locked
        if locked.status != RepairStatus.FIXED:
            raise ValidationError(_("The fix has not been recorded yet."))
        locked.status = RepairStatus.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_at"])
        record_event(
            school=school,
            actor=actor,
            action="assets.repair.confirmed",
            obj=locked,
            summary=str(locked),
        )
        return locked


# ---------------------------------------------------------------- write-offs


def writeoff_policy(school: School, writeoff: WriteOff) -> list[Step]:
    wanted = [
        Step(caps.APPROVE, gettext_lazy("Logistics director")),
        Step(caps.SIGN_PRINCIPAL, gettext_lazy("Principal")),
    ]
    if writeoff.value > settings_for(school).writeoff_threshold:
        wanted.append(Step(caps.SIGN_CENTRAL, gettext_lazy("Central-school principal")))
    return _chain(school, writeoff.requested_by, wanted)


def writeoff_create(
    *, school: School, actor, asset: Asset, reason: str, photo: CleanUpload | None = None
) -> WriteOff:
    if not reason.strip():
        raise ValidationError({"reason": _("Say what happened to the item.")})
    with transaction.atomic():
        locked = _locked(school, asset)
        if locked.status == AssetStatus.SCRAPPED or locked.is_voided:
            raise ValidationError(_("This item is already written off."))
        if WriteOff.objects.filter(
            school=school, asset=locked, status=WriteOffStatus.PENDING
        ).exists():
            raise ValidationError(_("A write-off of this item is already waiting for signatures."))
        writeoff = WriteOff(
            school=school,
            asset=locked,
            reason=reason.strip(),
            value=locked.value,
            requested_by=actor,
        )
        if photo is not None:
            writeoff.photo = attachment_create(
                school=school, actor=actor, upload=photo, view_capability=caps.VIEW
            )
        writeoff.full_clean()
        writeoff.save()
        writeoff.approval = approval_start(
            school=school,
            actor=actor,
            doc_type=WRITEOFF_DOC,
            obj=writeoff,
            title=_("Write-off: %(asset)s") % {"asset": locked},
            amount=writeoff.value,
        )
        writeoff.save(update_fields=["approval"])
        return writeoff


def on_writeoff_finished(approval: Approval) -> None:
    """Approved: the item stays in the register, marked scrapped, with its history."""
    writeoff = WriteOff.objects.select_related("asset").get(
        school=approval.school_id, approval=approval
    )
    writeoff.status = _FINISHED[approval.status]
    writeoff.save(update_fields=["status"])
    if approval.status == Approval.APPROVED:
        asset = Asset.objects.select_for_update().get(pk=writeoff.asset_id)
        asset.status = AssetStatus.SCRAPPED
        asset.due_date = None
        asset.save(update_fields=["status", "due_date"])
        _custody(asset, approval.requested_by, CustodyKind.STATUS, writeoff.reason)


# ---------------------------------------------------------------- stocktakes


def stocktake_start(
    *,
    school: School,
    actor,
    title: str,
    location: Location | None = None,
    category: Category | None = None,
    kind: str = StocktakeKind.ASSETS,
) -> Stocktake:
    """Freeze the expected list: every live register line of the location (rooms inside it
    included) and/or the category; for consumables, every stock balance in the location and
    the stores inside it, with its quantity now."""
    if kind == StocktakeKind.STOCK and location is None:
        raise ValidationError({"location": _("Choose the store to count.")})
    if kind == StocktakeKind.STOCK and category is not None:
        raise ValidationError(
            {"category": _("Consumables are counted by store: leave the category empty.")}
        )
    if location is None and category is None:
        raise ValidationError({"location": _("Choose a location or a category to count.")})
    with transaction.atomic():
        stocktake = Stocktake(
            school=school,
            title=title.strip(),
            kind=kind,
            location=location,
            category=category,
            started_by=actor,
        )
        stocktake.full_clean()
        stocktake.save()
        if kind == StocktakeKind.STOCK:
            return _stock_stocktake_lines(school, actor, stocktake)
        filters = {
            "location": str(location.pk) if location else "",
            "category": str(category.pk) if category else "",
        }
        assets = (
            selectors.asset_list(school, filters)
            .exclude(status=AssetStatus.SCRAPPED)
            .values_list("pk", flat=True)
        )
        bulk_create_with_history(
            StocktakeLine,
            [StocktakeLine(school=school, stocktake=stocktake, asset_id=pk) for pk in assets],
        )
        record_event(
            school=school,
            actor=actor,
            action="assets.stocktake.started",
            obj=stocktake,
            summary=stocktake.title,
            data={"expected": len(assets)},
        )
        return stocktake


def _stock_stocktake_lines(school: School, actor, stocktake: Stocktake) -> Stocktake:
    places = selectors.subtree_ids(selectors.locations(school), stocktake.location_id)
    # Locked, so no move slips between reading a balance and freezing it.
    balances = list(
        StockBalance.objects.select_for_update().filter(school=school, location_id__in=places)
    )
    bulk_create_with_history(
        StockCountLine,
        [
            StockCountLine(
                school=school,
                stocktake=stocktake,
                item_id=b.item_id,
                location_id=b.location_id,
                expected=b.quantity,
            )
            for b in balances
        ],
    )
    record_event(
        school=school,
        actor=actor,
        action="assets.stocktake.started",
        obj=stocktake,
        summary=stocktake.title,
        data={"expected": len(balances), "kind": StocktakeKind.STOCK},
    )
    return stocktake


def stock_count(*, school: School, actor, stocktake: Stocktake, counts: dict[int, int]) -> int:
    """Record counted quantities, `counts[line_id] = quantity` (counting again overwrites);
    returns how many lines were recorded."""
    if any(type(q) is not int or q < 0 for q in counts.values()):
        raise ValidationError(_("Counted quantities are whole numbers, zero or more."))
    with transaction.atomic():
        locked = _counting(school, stocktake)
        lines = list(
            StockCountLine.objects.select_for_update().filter(stocktake=locked, pk__in=counts)
        )
        if len(lines) != len(counts):
            raise ValidationError(_("A counted line is not part of this stocktake."))
        now = timezone.now()
        for line in lines:
            line.counted, line.counted_by, line.counted_at = counts[line.pk], actor, now
        StockCountLine.objects.bulk_update(lines, ["counted", "counted_by", "counted_at"])
        return len(lines)


def _stock_apply(school: School, actor, stocktake: Stocktake) -> None:
    """Each difference becomes a stock move whose source is the stocktake: a shortage (盘亏)
    a stock-out, a surplus (盘盈) a stock-in. Applied to the balance as it is now, so moves
    made after counting ended stay counted."""
    lines = StockCountLine.objects.filter(stocktake=stocktake, move__isnull=True).select_related(
        "item", "location"
    )
    label = _("Stocktake “%(title)s”") % {"title": stocktake.title}
    for line in lines:
        difference = line.difference or 0
        if difference < 0:
            line.move = stock_out(
                school=school,
                actor=actor,
                item=line.item,
                location=line.location,
                quantity=-difference,
                recipient=label[:60],
                stocktake=stocktake,
            )
        elif difference > 0:
            line.move = stock_in(
                school=school,
                actor=actor,
                item=line.item,
                location=line.location,
                quantity=difference,
                supplier=label,
                stocktake=stocktake,
            )
        else:
            continue
        line.save(update_fields=["move"])


def _counting(school: School, stocktake: Stocktake) -> Stocktake:
    locked = Stocktake.objects.select_for_update().get(pk=stocktake.pk, school=school)
    if locked.status != StocktakeStatus.COUNTING:
        raise ValidationError(_("This stocktake is no longer counting."))
    return locked


def stocktake_count(
    *,
    school: School,
    actor,
    stocktake: Stocktake,
    result: str,
    asset: Asset | None = None,
    surplus_name: str = "",
    found_location: Location | None = None,
    note: str = "",
) -> StocktakeLine:
    """Record one count: a ticked or scanned line (found / damaged / missing), a register
    line found where it should not be (wrong location), or an item not in the register
    (surplus). Counting a line again overwrites the earlier count."""
    if result not in CountResult.values or result == CountResult.PENDING:
        raise ValidationError({"result": _("Choose a result.")})
    with transaction.atomic():
        locked = _counting(school, stocktake)
        if locked.kind != StocktakeKind.ASSETS:
            raise ValidationError(_("This stocktake counts consumables by quantity, not labels."))
        if asset is None:
            if not surplus_name.strip():
                raise ValidationError({"surplus_name": _("Name the item found.")})
            line = StocktakeLine(
                school=school,
                stocktake=locked,
                expected=False,
                surplus_name=surplus_name.strip(),
                result=CountResult.SURPLUS,
            )
        else:
            line = StocktakeLine.objects.filter(stocktake=locked, asset=asset).first()
            if line is None:
                # In the register but not expected here: it stands in the wrong place.
                line = StocktakeLine(school=school, stocktake=locked, asset=asset, expected=False)
                result = CountResult.WRONG_PLACE
            elif result == CountResult.FOUND and not line.expected:
                result = CountResult.WRONG_PLACE  # scanned again: still not where it belongs
            elif (
                result == CountResult.FOUND
                and found_location is not None
                and asset.location_id
                not in selectors.subtree_ids(selectors.locations(school), found_location.pk)
            ):
                # Found "on the second floor" is in place for a room on that floor.
                result = CountResult.WRONG_PLACE
            line.result = result
        line.found_location = found_location
        line.note = note.strip()[:200]
        line.counted_by = actor
        line.counted_at = timezone.now()
        line.full_clean(validate_constraints=False)
        line.save()
        return line


def stocktake_finish(*, school: School, actor, stocktake: Stocktake) -> Stocktake:
    """Close counting: what was expected and not seen is missing (盘亏); moves are free again."""
    with transaction.atomic():
        locked = Stocktake.objects.select_for_update().get(pk=stocktake.pk, school=school)
        if locked.status != StocktakeStatus.COUNTING:
            return locked
        if locked.kind == StocktakeKind.STOCK:
            # A quantity nobody counted is not a shortage: every line is counted, zero too.
            uncounted = StockCountLine.objects.filter(stocktake=locked, counted__isnull=True)
            if n := uncounted.count():
                raise ValidationError(
                    _("%(n)s items are not counted yet: enter their quantities (0 if none).")
                    % {"n": n}
                )
        missing = update_with_history(
            StocktakeLine.objects.filter(stocktake=locked, result=CountResult.PENDING),
            result=CountResult.MISSING,
        )
        locked.status = StocktakeStatus.FINISHED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        record_event(
            school=school,
            actor=actor,
            action="assets.stocktake.finished",
            obj=locked,
            summary=locked.title,
            data={"missing": missing},
        )
        return locked


def stocktake_apply(*, school: School, actor, stocktake: Stocktake) -> Stocktake:
    """Settle the results, never silently: missing and damaged lines become write-offs that
    go through their approval chain; misplaced lines are transferred to where they were
    found. Surplus items are listed for registering through the register form."""
    with transaction.atomic():
        locked = Stocktake.objects.select_for_update().get(pk=stocktake.pk, school=school)
        if locked.status == StocktakeStatus.APPLIED:
            return locked
        if locked.status != StocktakeStatus.FINISHED:
            raise ValidationError(_("Finish counting before applying the results."))
        _stock_apply(school, actor, locked)
        lines = StocktakeLine.objects.filter(stocktake=locked).select_related("asset")
        for line in lines:
            if line.result in (CountResult.MISSING, CountResult.DAMAGED):
                reason = (
                    _("Stocktake “%(title)s”: missing")
                    if line.result == CountResult.MISSING
                    else _("Stocktake “%(title)s”: damaged")
                ) % {"title": locked.title}
                if (
                    line.asset.status == AssetStatus.SCRAPPED
                    or WriteOff.objects.filter(
                        school=school, asset=line.asset, status=WriteOffStatus.PENDING
                    ).exists()
                ):
                    continue
                line.writeoff = writeoff_create(
                    school=school, actor=actor, asset=line.asset, reason=f"{reason} {line.note}"
                )
                line.save(update_fields=["writeoff"])
            elif line.result == CountResult.WRONG_PLACE and line.found_location_id:
                asset_move(
                    school=school,
                    actor=actor,
                    asset=line.asset,
                    location=line.found_location,
                    condition=_("Stocktake “%(title)s”") % {"title": locked.title},
                )
                line.moved = True
                line.save(update_fields=["moved"])
        locked.status = StocktakeStatus.APPLIED
        locked.save(update_fields=["status"])
        record_event(
            school=school,
            actor=actor,
            action="assets.stocktake.applied",
            obj=locked,
            summary=locked.title,
        )
        return locked
