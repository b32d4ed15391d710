"""The rules of the register, stock, requisitions, repairs and write-offs (services)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from assets import selectors, services
from assets.models import (
    Asset,
    AssetStatus,
    CustodyRecord,
    RepairStatus,
    RequisitionStatus,
    StockBalance,
    StockMove,
    WriteOffStatus,
)
from logistics.approvals import ApprovalError, approval_sign
from logistics.attachments import clean_upload
from tests.assets.conftest import png_upload, register, stocked


def _sign(world, who, approval):
    with scopes_disabled():
        approval.refresh_from_db()
        return approval_sign(
            school=world.school,
            actor=world.user(who),
            approval_id=approval.pk,
            step=approval.current_step,
        )


# ---------------------------------------------------------------- register and custody


def test_national_classes_are_installed_once_and_stay_editable(world, place):
    with scopes_disabled():
        assert (
            services.categories_install_defaults(school=world.school, actor=world.user("director"))
            == 0
        )
        books = place.categories["05"]
        services.category_save(
            school=world.school,
            actor=world.user("director"),
            code="05",
            name="图书",
            category=books,
        )
        books.refresh_from_db()
    assert books.name == "图书" and len(place.categories) == 6


def test_locations_nest_building_floor_room_and_a_room_holds_nothing(world, place):
    assert place.room.path == "教学楼 / 二楼 / 初一(1)班教室"
    assert (place.building.kind, place.floor.kind, place.room.kind) == ("building", "floor", "room")
    with scopes_disabled(), pytest.raises(ValidationError):
        services.location_create(
            school=world.school, actor=world.user("director"), name="柜子", parent=place.room
        )


def test_a_new_line_with_a_custodian_is_in_use_and_its_value_is_price_times_quantity(world, place):
    desks = register(
        world,
        place,
        code="JJ-001",
        name="课桌椅",
        price="180.00",
        quantity=50,
        category=place.categories["06"],
        custodian=world.user("teacher"),
        custodian_class="初一(1)班",
        location=place.room,
    )
    assert desks.status == AssetStatus.IN_USE
    assert desks.value == Decimal("9000.00")
    with scopes_disabled():
        assert CustodyRecord.objects.filter(asset=desks).count() == 1


def test_a_class_needs_its_head_teacher_in_the_service_and_the_database(world, place):
    with pytest.raises(ValidationError) as exc:
        register(world, place, custodian_class="初一(1)班")
    assert "custodian" in exc.value.error_dict
    asset = register(world, place)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(custodian_class="初一(2)班")


def test_codes_are_unique_per_school_not_across_schools(world, place):
    from tests.assets.conftest import make_place

    register(world, place)
    with pytest.raises(ValidationError) as exc:
        register(world, place)
    assert "code" in exc.value.error_dict
    other = make_place(world, world.other)
    with scopes_disabled():
        services.asset_create(
            school=world.other,
            actor=world.user("principal_xx"),
            data=services.AssetInput(
                code="ZC-0001", name="投影仪", category=other.categories["02"]
            ),
        )


def test_check_out_and_in_keep_the_custody_history_with_condition_notes(world, place):
    asset = register(world, place, location=place.store)
    director = world.user("director")
    due = timezone.localdate() + datetime.timedelta(days=7)
    with scopes_disabled():
        asset = services.asset_check_out(
            school=world.school,
            actor=director,
            asset=asset,
            custodian=world.user("teacher"),
            due_date=due,
            condition="完好",
        )
        assert (asset.status, asset.due_date) == (AssetStatus.LENT, due)
        with pytest.raises(ValidationError):
            services.asset_check_out(
                school=world.school, actor=director, asset=asset, custodian=director, due_date=due
            )
        asset = services.asset_check_in(
            school=world.school,
            actor=director,
            asset=asset,
            location=place.store,
            condition="镜头有划痕",
        )
        assert asset.status == AssetStatus.IN_STORE and asset.custodian is None
        history = list(selectors.custody_history(world.school, asset))
    assert [h.kind for h in history] == ["in", "out", "assign"]
    assert history[0].condition == "镜头有划痕" and history[1].custodian == world.user("teacher")


def test_a_due_date_in_the_past_is_refused(world, place):
    asset = register(world, place)
    with scopes_disabled(), pytest.raises(ValidationError) as exc:
        services.asset_check_out(
            school=world.school,
            actor=world.user("director"),
            asset=asset,
            custodian=world.user("teacher"),
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "due_date" in exc.value.error_dict


def test_a_scrapped_item_cannot_be_lent_or_put_back_into_use(world, place):
    asset = register(world, place)
    with scopes_disabled():
        Asset.objects.filter(pk=asset.pk).update(status=AssetStatus.SCRAPPED)
        asset.refresh_from_db()
        for call in (
            lambda: services.asset_assign(
                school=world.school,
                actor=world.user("director"),
                asset=asset,
                custodian=world.user("teacher"),
            ),
            lambda: services.asset_check_out(
                school=world.school,
                actor=world.user("director"),
                asset=asset,
                custodian=world.user("teacher"),
                due_date=timezone.localdate(),
            ),
        ):
            with pytest.raises(ValidationError, match="报废"):
                call()


def test_search_finds_chinese_names_codes_specs_and_locations(world, place):
    register(
        world, place, code="ZC-0001", name="监控系统摄像头", spec="海康 4MP", location=place.office
    )
    register(world, place, code="ZC-0002", name="烟雾报警器", spec="JTY-GD", location=place.room)
    with scopes_disabled():

        def names(**f):
            return [a.name for a in selectors.asset_list(world.school, f)]

        assert names(q="控系统") == ["监控系统摄像头"]
        assert names(q="zc-0002") == ["烟雾报警器"]
        assert names(q="海康") == ["监控系统摄像头"]
        assert names(q="初一(1)班") == ["烟雾报警器"]
        assert names(location=str(place.floor.pk)) == ["监控系统摄像头", "烟雾报警器"]
        assert names(status="in_store", category=str(place.categories["02"].pk)) == [
            "监控系统摄像头",
            "烟雾报警器",
        ]


def test_name_search_uses_the_trigram_index(world, place):
    # Enough lines that reading the school's rows whole costs more than the index.
    with scopes_disabled():
        Asset.objects.bulk_create(
            Asset(
                school=world.school,
                code=f"ZC-{i:05d}",
                name=f"课桌椅{i}",
                category=place.categories["06"],
                quantity=1,
            )
            for i in range(3000)
        )
    register(world, place, code="JK-1", name="监控系统摄像头")
    services.merge_search_index()  # as the import does after a bulk insert
    with scopes_disabled():
        qs = selectors.asset_list(world.school, {"q": "监控系统"})
        sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assets_asset")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "asset_name_trgm" in plan, plan
    assert [a.code for a in qs] == ["JK-1"]


# ---------------------------------------------------------------- stock


def test_stock_out_beyond_the_balance_is_refused_and_the_database_backs_it(world, place):
    item = stocked(world, place, quantity=10)
    with scopes_disabled():
        services.stock_out(
            school=world.school,
            actor=world.user("storekeeper"),
            item=item,
            location=place.store,
            quantity=7,
            recipient="初一(1)班",
        )
        with pytest.raises(ValidationError, match="3"):
            services.stock_out(
                school=world.school,
                actor=world.user("storekeeper"),
                item=item,
                location=place.store,
                quantity=4,
            )
        balance = StockBalance.objects.get(item=item)
        assert balance.quantity == 3
        with pytest.raises(IntegrityError), transaction.atomic():
            StockBalance.objects.filter(pk=balance.pk).update(quantity=-1)


def test_a_requisition_is_approved_by_the_director_then_issued_once(world, place):
    item = stocked(world, place, quantity=10)
    with scopes_disabled():
        req = services.requisition_create(
            school=world.school,
            actor=world.user("teacher"),
            item=item,
            quantity=4,
            purpose="上课用",
            class_name="初一(1)班",
        )
        assert [s["label"] for s in req.approval.steps] == ["总务主任"]
        with pytest.raises(ValidationError):
            services.requisition_issue(
                school=world.school,
                actor=world.user("storekeeper"),
                requisition=req,
                location=place.store,
            )
    _sign(world, "director", req.approval)
    with scopes_disabled():
        req.refresh_from_db()
        assert req.status == RequisitionStatus.APPROVED
        for _ in range(2):
            services.requisition_issue(
                school=world.school,
                actor=world.user("storekeeper"),
                requisition=req,
                location=place.store,
            )
        assert StockBalance.objects.get(item=item).quantity == 6
        assert StockMove.objects.filter(requisition=req).count() == 1


def test_the_directors_own_requisition_goes_to_the_principal(world, place):
    item = stocked(world, place)
    with scopes_disabled():
        req = services.requisition_create(
            school=world.school, actor=world.user("director"), item=item, quantity=1, purpose="办公"
        )
    assert [s["capability"] for s in req.approval.steps] == ["assets.sign_principal"]


def test_the_term_start_distribution_is_all_or_nothing(world, place):
    books = stocked(world, place, name="语文课本", quantity=100)
    pens = stocked(world, place, name="红笔", quantity=5)
    cells = {
        ("初一(1)班", books.pk): 45,
        ("初一(2)班", books.pk): 44,
        ("初一(1)班", pens.pk): 3,
        ("初一(2)班", pens.pk): 3,
    }
    with scopes_disabled():
        with pytest.raises(ValidationError, match="红笔"):
            services.distribution_create(
                school=world.school,
                actor=world.user("storekeeper"),
                title="秋季开学",
                location=place.store,
                cells=cells,
            )
        assert StockMove.objects.filter(kind="out").count() == 0
        cells[("初一(2)班", pens.pk)] = 2
        batch = services.distribution_create(
            school=world.school,
            actor=world.user("storekeeper"),
            title="秋季开学",
            location=place.store,
            cells=cells,
        )
        assert batch.moves.count() == 4
        assert StockBalance.objects.get(item=books).quantity == 11
        assert StockBalance.objects.get(item=pens).quantity == 0


# ---------------------------------------------------------------- repairs


def test_the_repair_flow_measures_response_and_fix_times(world, place):
    lock = register(world, place, name="门锁", location=place.room, custodian=world.user("teacher"))
    screws = stocked(world, place, name="锁芯", quantity=3)
    with scopes_disabled():
        ticket = services.repair_report(
            school=world.school,
            actor=world.user("teacher"),
            location=place.room,
            asset=lock,
            description="教室门锁坏了",
            photo=clean_upload(png_upload()),
        )
        with pytest.raises(ValidationError):
            services.repair_assign(
                school=world.school,
                actor=world.user("director"),
                ticket=ticket,
                worker=world.user("teacher"),
            )
        services.repair_assign(
            school=world.school,
            actor=world.user("director"),
            ticket=ticket,
            worker=world.user("storekeeper"),
        )
        lock.refresh_from_db()
        assert lock.status == AssetStatus.REPAIR
        with pytest.raises(ValidationError):
            services.repair_confirm(school=world.school, actor=world.user("teacher"), ticket=ticket)
        services.repair_fix(
            school=world.school,
            actor=world.user("storekeeper"),
            ticket=ticket,
            work_done="更换锁芯",
            parts=[services.PartUsed(screws, place.store, 1)],
        )
        lock.refresh_from_db()
        assert lock.status == AssetStatus.IN_USE
        with pytest.raises(ValidationError):
            services.repair_confirm(
                school=world.school, actor=world.user("director"), ticket=ticket
            )
        ticket = services.repair_confirm(
            school=world.school, actor=world.user("teacher"), ticket=ticket
        )
        assert ticket.status == RepairStatus.CONFIRMED
        assert StockBalance.objects.get(item=screws).quantity == 2
        # Backdate the ticket: reported 3 h before it was assigned, fixed 5 h after the report.
        from assets.models import RepairTicket

        reported = ticket.assigned_at - datetime.timedelta(hours=3)
        RepairTicket.objects.filter(pk=ticket.pk).update(
            reported_at=reported, fixed_at=reported + datetime.timedelta(hours=5)
        )
        stats = selectors.repair_stats(world.school)
    assert len(stats) == 1
    assert stats[0]["tickets"] == 1
    assert stats[0]["response_hours"] == pytest.approx(3.0, abs=0.01)
    assert stats[0]["fix_hours"] == pytest.approx(5.0, abs=0.01)


def test_repeated_faults_on_one_room_are_listed(world, place):
    with scopes_disabled():
        for text in ("灯不亮", "灯又不亮了"):
            services.repair_report(
                school=world.school,
                actor=world.user("teacher"),
                location=place.room,
                description=text,
            )
        services.repair_report(
            school=world.school,
            actor=world.user("teacher"),
            location=place.office,
            description="水管漏水",
        )
        repeated = selectors.repeated_faults(world.school)
    assert [(r["location__path"], r["n"]) for r in repeated] == [(place.room.path, 2)]


# ---------------------------------------------------------------- write-offs


def test_a_small_write_off_needs_director_and_principal_and_scraps_the_item(world, place):
    asset = register(world, place, price="800.00")
    with scopes_disabled():
        writeoff = services.writeoff_create(
            school=world.school, actor=world.user("storekeeper"), asset=asset, reason="摔坏无法修复"
        )
    assert [s["label"] for s in writeoff.approval.steps] == ["总务主任", "校长"]
    _sign(world, "director", writeoff.approval)
    _sign(world, "principal", writeoff.approval)
    with scopes_disabled():
        writeoff.refresh_from_db()
        asset.refresh_from_db()
        assert writeoff.status == WriteOffStatus.APPROVED
        assert asset.status == AssetStatus.SCRAPPED and Asset.objects.filter(pk=asset.pk).exists()
        assert CustodyRecord.objects.filter(asset=asset, status="scrapped").count() == 1


def test_a_write_off_above_the_threshold_goes_to_the_central_principal(world, place):
    with scopes_disabled():
        services.settings_update(
            school=world.school, actor=world.user("director"), writeoff_threshold=Decimal("1000.00")
        )
    at = register(world, place, code="A", price="1000.00")
    above = register(world, place, code="B", price="1000.01")
    with scopes_disabled():
        small = services.writeoff_create(
            school=world.school, actor=world.user("director"), asset=at, reason="丢失"
        )
        large = services.writeoff_create(
            school=world.school, actor=world.user("director"), asset=above, reason="丢失"
        )
    # The director filed them: their own step goes up to the principal.
    assert [s["capability"] for s in small.approval.steps] == ["assets.sign_principal"]
    assert [s["capability"] for s in large.approval.steps] == [
        "assets.sign_principal",
        "assets.sign_central",
    ]
    _sign(world, "principal", large.approval)
    with pytest.raises(ApprovalError):
        _sign(world, "principal", large.approval)
    _sign(world, "central", large.approval)
    with scopes_disabled():
        above.refresh_from_db()
    assert above.status == AssetStatus.SCRAPPED


def test_one_open_write_off_per_item(world, place):
    asset = register(world, place)
    with scopes_disabled():
        services.writeoff_create(
            school=world.school, actor=world.user("storekeeper"), asset=asset, reason="坏"
        )
        with pytest.raises(ValidationError):
            services.writeoff_create(
                school=world.school, actor=world.user("storekeeper"), asset=asset, reason="坏"
            )
