"""Assets pages: what each persona sees, the forms, reports that agree, query counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from pypdf import PdfReader

from assets import selectors, services
from assets.forms import LocationForm
from assets.models import Asset, RepairStatus, RepairTicket, StockBalance
from logistics.approvals import approval_sign
from logistics.models import Role
from logistics.registry import DocumentRef, registry
from logistics.services import record_void
from tests.assets.conftest import make_place, png_upload, register, stocked


def _count(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    return len(ctx.captured_queries), len(counts)


def _lines(world, place, n, start=0):
    for i in range(start, start + n):
        register(
            world,
            place,
            code=f"KZ-{i:04d}",
            name=f"课桌{i}",
            location=place.room,
            custodian=world.user("teacher"),
            custodian_class="初一(1)班",
        )


def _seed(world, place, name, n, start):
    """n rows of what the page lists (and nothing else, to keep the test fast)."""
    teacher, storekeeper = world.user("teacher"), world.user("storekeeper")
    with scopes_disabled():
        if name in ("asset_list", "my_custody", "writeoff_list"):
            _lines(world, place, n, start)
        for i in range(start, start + n):
            if name in ("stock_list", "stock_moves", "requisition_list"):
                item = stocked(world, place, name=f"纸{i}", quantity=5)
            if name == "requisition_list":
                services.requisition_create(
                    school=world.school, actor=teacher, item=item, quantity=1, purpose="用"
                )
            if name == "stocktake_list":
                services.stocktake_start(
                    school=world.school,
                    actor=storekeeper,
                    title=f"盘点{i}",
                    category=place.categories["02"],
                )
            if name == "repair_list":
                services.repair_report(
                    school=world.school, actor=teacher, location=place.room, description="灯坏"
                )
            if name == "writeoff_list":
                asset = Asset.objects.get(code=f"KZ-{i:04d}")
                services.writeoff_create(
                    school=world.school, actor=storekeeper, asset=asset, reason="坏"
                )


@pytest.mark.parametrize(
    "name,who,query",
    [
        ("asset_list", "director", ""),
        ("asset_list", "director", "?q=课桌&status=in_use&location=1"),
        ("asset_list", "director", "?custodian=1&voided=hide"),
        ("my_custody", "teacher", ""),
        ("stocktake_list", "storekeeper", ""),
        ("stock_list", "storekeeper", ""),
        ("stock_moves", "storekeeper", ""),
        ("repair_list", "director", ""),
        ("requisition_list", "director", ""),
        ("writeoff_list", "director", ""),
    ],
)
def test_list_pages_run_the_same_few_queries_for_1_and_12_rows(
    world, place, login, name, who, query
):
    client = login(who)
    url = reverse(f"assets:{name}", args=[world.school.code]) + query.replace(
        "location=1", f"location={place.floor.pk}"
    )
    _seed(world, place, name, 1, 0)
    one, counts = _count(client, url)
    _seed(world, place, name, 11, 1)
    many, _counts = _count(client, url)
    assert one == many, (name, one, many)
    # At most 10 queries with one exact COUNT (the paginator's).
    assert one <= 10 and counts <= 1, (name, one, counts)


def test_the_register_strikes_voided_lines_through_with_the_reason_unless_hidden(
    world, place, login
):
    client = login("director")
    url = reverse("assets:asset_list", args=[world.school.code])
    _lines(world, place, 1)
    with scopes_disabled():
        record_void(
            school=world.school,
            actor=world.user("director"),
            record=Asset.objects.get(code="KZ-0000"),
            reason="重复登记",
        )
    one, _counts = _count(client, url)
    _lines(world, place, 11, start=1)
    with scopes_disabled():
        for asset in Asset.objects.filter(code__in=["KZ-0001", "KZ-0002"]):
            record_void(
                school=world.school, actor=world.user("director"), record=asset, reason="错"
            )
    many, _counts = _count(client, url)
    assert one == many
    page = client.get(url).content.decode()
    assert page.count('class="text-decoration-line-through text-body-secondary voided"') == 3
    assert "已作废：重复登记" in page and "KZ-0011" in page
    hidden = client.get(url + "?voided=hide").content.decode()
    assert "KZ-0000" not in hidden and "重复登记" not in hidden and "KZ-0011" in hidden
    # Exports and labels never carry voided lines (an export re-imports as the live register).
    with scopes_disabled():
        assert "KZ-0000" not in [a.code for a in selectors.asset_list(world.school, {})]


def test_the_register_filters_by_a_custodian_chosen_from_the_schools_people(world, place, login):
    client = login("director")
    url = reverse("assets:asset_list", args=[world.school.code])
    _lines(world, place, 2)  # the teacher's class
    register(world, place, code="DN-1", name="电脑", custodian=world.user("director"))
    page = client.get(url).content.decode()
    teacher = world.user("teacher")
    assert f'<option value="{teacher.pk}">{teacher.get_full_name()}</option>' in page
    filtered = client.get(url + f"?custodian={teacher.pk}").content.decode()
    assert "KZ-0001" in filtered and "DN-1" not in filtered
    assert f'<option value="{teacher.pk}" selected>' in filtered


def test_the_register_search_bar_offers_the_schools_choices_and_keeps_what_was_chosen(
    world, place, login
):
    theirs = make_place(world, world.other)
    register(world, place, code="KZ-1", name="课桌", location=place.room)
    client = login("director")
    url = reverse("assets:asset_list", args=[world.school.code])
    category = place.categories["02"]
    page = client.get(
        url + f"?q=<课桌>&category={category.pk}&status=in_store&location={place.room.pk}"
    ).content.decode()
    assert 'name="q" value="&lt;课桌&gt;"' in page
    assert f'<option value="{category.pk}" selected>02 {category.name}</option>' in page
    assert f'<option value="{place.room.pk}" selected>{place.room.path}</option>' in page
    assert '<option value="in_store" selected>在库</option>' in page
    assert '<select name="custodian" class="form-select" aria-label="保管人"' in page
    assert '<option value="" selected>全部保管人</option>' in page
    # The export, the printed register and the labels take the same filters.
    kept = f"category={category.pk}&amp;status=in_store&amp;location={place.room.pk}"
    assert f"{kept}&amp;by=lines&amp;fmt=pdf" in page and "export/?q=%3C" in page
    assert f'<input type="hidden" name="category" value="{category.pk}">' in page
    # Another school's rooms, categories and people are not offered.
    for name, pk in [
        ("location", theirs.room.pk),
        ("category", theirs.categories["02"].pk),
        ("custodian", world.user("principal_xx").pk),
    ]:
        options = page.split(f'<select name="{name}"')[1].split("</select>")[0]
        assert f'<option value="{pk}"' not in options, name
    # Values that are no choice filter nothing and select nothing (never a 500).
    bad = client.get(url + "?category=x&status=nonsense&location=abc&custodian=9x&page=zz")
    assert bad.status_code == 200
    shown = bad.content.decode()
    search_bar = shown.split('role="search"')[1].split("</form>")[0]
    assert "KZ-1" in shown and " selected>" not in search_bar


def test_the_assets_tabs_follow_the_capabilities_and_mark_the_open_page(world, place, login):
    base = f"/s/{world.school.code}/assets/"
    office = login("director").get(base + "repairs/").content.decode()
    assert f'<a class="nav-link text-nowrap active" href="{base}repairs/">报修</a>' in office
    assert f'<a class="nav-link text-nowrap" href="{base}">台账</a>' in office
    assert f'href="{base}locations/"' in office
    for page, tab in [("locations/", "locations/"), ("repairs/stats/", "repairs/")]:
        shown = login("director").get(base + page).content.decode()
        assert f'<a class="nav-link text-nowrap active" href="{base}{tab}">' in shown, page
    shown = login("accountant").get(base + "reports/register/").content.decode()
    assert f'<a class="nav-link text-nowrap active" href="{base}reports/register/">' in shown
    teacher = login("teacher").get(base + "mine/").content.decode()
    assert f'<a class="nav-link text-nowrap active" href="{base}mine/">' in teacher
    assert f'href="{base}requisitions/"' in teacher
    assert f'href="{base}"' not in teacher and f'href="{base}locations/"' not in teacher
    # Tabs drawn once per process are drawn per school, capabilities, page and language.
    theirs = login("teacher").get(base + "repairs/").content.decode()
    assert f'<a class="nav-link text-nowrap active" href="{base}repairs/">报修</a>' in theirs
    assert f'href="{base}"' not in theirs and f'href="{base}locations/"' not in theirs
    other = f"/s/{world.other.code}/assets/"
    page = login("principal_xx").get(other + "repairs/").content.decode()
    assert f'<a class="nav-link text-nowrap active" href="{other}repairs/">报修</a>' in page
    assert f'href="{base}' not in page
    english = login("director")
    english.post("/i18n/setlang/", {"language": "en", "next": base})
    page = english.get(base + "repairs/").content.decode()
    assert f'<a class="nav-link text-nowrap active" href="{base}repairs/">Repairs</a>' in page


def test_a_register_line_shows_its_place_custodian_value_and_status_in_chinese(world, place, login):
    teacher = world.user("teacher")
    asset = register(
        world,
        place,
        code="KZ-9",
        name="课桌",
        spec="双人",
        price="150.00",
        quantity=40,
        location=place.room,
        custodian=teacher,
        custodian_class="初一(1)班",
    )
    client = login("director")
    url = reverse("assets:asset_list", args=[world.school.code])
    page = client.get(url).content.decode()
    row = page[page.index(f'<a href="{url}{asset.pk}/">KZ-9</a>') :].split("</tr>")[0]
    for cell in [
        '课桌 <span class="text-muted">双人</span>',
        f"<td>{place.room.path}</td>",
        f"<td>初一(1)班 · {teacher.get_full_name()}</td>",
        '<td class="text-end">40</td>',
        '<td class="text-end">6,000.00</td>',
        "<td>在用</td>",  # with a custodian, in use
    ]:
        assert cell in row, cell
    # Values are shown only to those who may see prices.
    role = Role.objects.get(code="director")
    role.capabilities = [c for c in role.capabilities if c != "assets.prices"]
    role.save()
    page = client.get(url).content.decode()
    assert "KZ-9" in page and "6,000.00" not in page


def test_a_text_search_pages_through_its_matches_without_counting_them(world, place, login):
    """An exact COUNT of substring matches is what made the search slow; the page reads one
    line more instead, so it still knows whether to link the next page."""
    with scopes_disabled():
        Asset.objects.bulk_create(
            Asset(
                school=world.school,
                code=f"KZ-{i:04d}",
                name=f"课桌{i}",
                category=place.categories["02"],
                location=place.room,
            )
            for i in range(51)
        )
    client = login("director")
    url = reverse("assets:asset_list", args=[world.school.code])
    _queries, counts = _count(client, url + "?q=课桌")
    assert counts == 0
    first = client.get(url + "?q=课桌").content.decode()
    assert "KZ-0049" in first and "KZ-0050" not in first
    assert "第 1 页</span>" in first and "page=2" in first
    second = client.get(url + "?q=课桌&page=2").content.decode()
    assert "KZ-0050" in second and "KZ-0049" not in second
    assert "第 2 页</span>" in second and "page=3" not in second and "page=1" in second
    # Without a text search the register is counted, with its total of pages.
    _queries, counts = _count(client, url)
    assert counts == 1
    assert "第 1 页，共 2 页" in client.get(url).content.decode()


def test_a_teacher_sees_their_own_custody_without_prices_and_not_the_register(world, place, login):
    mine = register(
        world, place, code="A-1", name="讲台电脑", custodian=world.user("teacher"), price="4321.00"
    )
    theirs = register(world, place, code="A-2", name="总务打印机", custodian=world.user("director"))
    client = login("teacher")
    page = client.get(reverse("assets:my_custody", args=[world.school.code])).content.decode()
    assert "讲台电脑" in page and "总务打印机" not in page
    assert f'{mine.pk}/">A-1 讲台电脑</a>' in page and " · 数量 1 · 在用</div>" in page
    detail = client.get(
        reverse("assets:asset_detail", args=[world.school.code, mine.pk])
    ).content.decode()
    assert "讲台电脑" in detail and "4,321.00" not in detail
    assert (
        client.get(reverse("assets:asset_detail", args=[world.school.code, theirs.pk])).status_code
        == 404
    )
    assert client.get(reverse("assets:asset_list", args=[world.school.code])).status_code == 403
    office = login("director").get(
        reverse("assets:asset_detail", args=[world.school.code, mine.pk])
    )
    assert "4,321.00" in office.content.decode()


def test_another_schools_label_is_404(world, place, login):
    from tests.assets.conftest import make_place

    other = make_place(world, world.other)
    with scopes_disabled():
        theirs = services.asset_create(
            school=world.other,
            actor=world.user("principal_xx"),
            data=services.AssetInput(code="X-1", name="钢琴", category=other.categories["03"]),
        )
    url = reverse("assets:asset_detail", args=[world.school.code, theirs.pk])
    assert login("director").get(url).status_code == 404


def test_registering_through_the_form_keeps_input_and_names_the_error_in_chinese(
    world, place, login
):
    client = login("director")
    url = reverse("assets:asset_create", args=[world.school.code])
    data = {
        "code": "ZC-9",
        "name": "音乐器材",
        "category": place.categories["03"].pk,
        "custodian_class": "初二(1)班",
        "price": "1200.00",
        "quantity": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "班级资产由班主任保管" in body and "音乐器材" in body
    data["custodian"] = world.user("teacher").pk
    data["photo"] = png_upload()
    response = client.post(url, data)
    assert response.status_code == 302
    with scopes_disabled():
        asset = Asset.objects.get(code="ZC-9")
        assert asset.custodian == world.user("teacher") and asset.photos.count() == 1


def test_a_stock_in_shows_the_finance_expense_as_a_link(world, place, login):
    item = stocked(world, place, quantity=0)
    code = "finance.expense"
    saved = registry.document_types.get(code)
    registry.document_types[code] = lambda school, numbers: {
        n: DocumentRef(f"支出 {n}", f"/s/{school.code}/finance/expenses/{n}/")
        for n in numbers
        if n == "42"
    }
    try:
        client = login("storekeeper")
        response = client.post(
            reverse("assets:stock_in", args=[world.school.code]),
            {
                "item": item.pk,
                "location": place.store.pk,
                "quantity": "20",
                "unit_price": "3.50",
                "supplier": "书店",
                "expense_number": "42",
            },
        )
        assert response.status_code == 302
        page = client.get(reverse("assets:stock_moves", args=[world.school.code])).content.decode()
        link = f'<a href="/s/{world.school.code}/finance/expenses/42/">42 支出 42</a>'
        row = page[: page.index(link)].rsplit("<tr>", 1)[1]
        # The kind's Chinese label, the item, the quantity and the supplier on the same row.
        assert "<td>入库</td><td>粉笔</td>" in row
        assert '<td class="text-end">20</td><td>书店</td>' in row
    finally:
        if saved is None:
            registry.document_types.pop(code)
        else:
            registry.document_types[code] = saved
    with scopes_disabled():
        assert StockBalance.objects.get(item=item).quantity == 20


def test_the_stock_page_lists_each_balance_with_its_store_and_unit_and_warns_of_low_stock(
    world, place, login
):
    stocked(world, place, name="粉笔", quantity=10)
    stocked(world, place, name="墨水", quantity=2)
    page = login("storekeeper").get(reverse("assets:stock_list", args=[world.school.code]))
    page = page.content.decode()
    row = f'<tr><td>粉笔</td><td>{place.store.path}</td><td class="text-end">10 盒</td></tr>'
    assert row in page
    assert "库存不足： 墨水（2 盒）" in page
    assert f'href="/s/{world.school.code}/assets/stock/in/"' in page


def test_a_stock_out_beyond_the_balance_is_shown_beside_the_quantity(world, place, login):
    item = stocked(world, place, quantity=3)
    response = login("storekeeper").post(
        reverse("assets:stock_out", args=[world.school.code]),
        {"item": item.pk, "location": place.store.pk, "quantity": "5", "recipient": "初一(1)班"},
    )
    assert response.status_code == 200
    assert (
        "库存不足" in response.content.decode() and 'value="初一(1)班"' in response.content.decode()
    )


def test_register_totals_by_category_and_location_agree_with_the_register(world, place, login):
    register(world, place, code="A", price="100.00", quantity=3, location=place.room)
    register(
        world,
        place,
        code="B",
        price="0.10",
        quantity=7,
        location=place.office,
        category=place.categories["06"],
    )
    register(
        world, place, code="C", price="2500.55", location=None, category=place.categories["05"]
    )
    client = login("accountant")
    url = reverse("assets:report_register", args=[world.school.code])
    expected = Decimal("300.00") + Decimal("0.70") + Decimal("2500.55")
    for by in ("category", "location"):
        response = client.get(url + f"?by={by}")
        rows, totals = response.context["rows"], response.context["totals"]
        assert sum(Decimal(r["cells"][3]["value"]) for r in rows) == totals[3]["value"]
        assert totals[3]["value"] == expected
        assert sum(r["cells"][2]["value"] for r in rows) == totals[2]["value"] == 11
    # Line by line, the register's total is the same (账账相符).
    totals = client.get(url + "?by=lines").context["totals"]
    assert (totals[-2]["value"], totals[-1]["value"]) == (11, expected)
    xlsx = client.get(url + "?by=category&fmt=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    pdf = client.get(url + "?by=location&fmt=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_distribution_table_hands_out_a_batch_and_prints_a_signed_list(world, place, login):
    books = stocked(world, place, name="语文课本", quantity=90)
    client = login("storekeeper")
    url = reverse("assets:distribution_create", args=[world.school.code])
    response = client.post(
        url, {"title": "秋季开学", "classes": "初一(1)班，初一(2)班", "location": place.store.pk}
    )
    assert "初一(2)班" in response.content.decode()
    response = client.post(
        url,
        {
            "title": "秋季开学",
            "classes": "初一(1)班,初一(2)班",
            "location": place.store.pk,
            f"q-初一(1)班-{books.pk}": "45",
            f"q-初一(2)班-{books.pk}": "44",
            "cells": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "发放签收单" in page and "班主任签收" in page and "89" in page
    assert client.get(response["Location"] + "?fmt=pdf").content.startswith(b"%PDF")


def test_repair_pages_take_a_fault_from_report_to_confirmation(world, place, login):
    teacher, director, storekeeper = login("teacher"), login("director"), login("storekeeper")
    response = teacher.post(
        reverse("assets:repair_create", args=[world.school.code]),
        {"location": place.room.pk, "description": "门锁坏了", "photo": png_upload("锁.png")},
    )
    assert response.status_code == 302
    with scopes_disabled():
        ticket = RepairTicket.objects.get()
    assert (
        "1 条报修待派修"
        in director.get(reverse("dashboard", args=[world.school.code])).content.decode()
    )
    director.post(
        reverse("assets:repair_assign", args=[world.school.code, ticket.pk]),
        {"worker": world.user("storekeeper").pk},
    )
    storekeeper.post(
        reverse("assets:repair_fix", args=[world.school.code, ticket.pk]), {"work_done": "换锁"}
    )
    assert (
        "等待您确认" in teacher.get(reverse("dashboard", args=[world.school.code])).content.decode()
    )
    teacher.post(reverse("assets:repair_confirm", args=[world.school.code, ticket.pk]))
    with scopes_disabled():
        ticket.refresh_from_db()
    assert ticket.status == RepairStatus.CONFIRMED


def test_the_repairs_list_shows_each_ticket_with_its_people_and_status_struck_if_voided(
    world, place, login
):
    teacher, director = world.user("teacher"), world.user("director")
    long = "三楼东侧男卫生间的水龙头一直在漏水，地面湿滑，学生容易摔倒，请尽快安排维修人员处理"
    with scopes_disabled():
        ticket = services.repair_report(
            school=world.school, actor=teacher, location=place.room, description=long
        )
        services.repair_assign(
            school=world.school, actor=director, ticket=ticket, worker=world.user("storekeeper")
        )
        voided = services.repair_report(
            school=world.school, actor=teacher, location=place.office, description="灯坏"
        )
        record_void(school=world.school, actor=director, record=voided, reason="重复报修")
    url = reverse("assets:repair_list", args=[world.school.code])
    page = login("director").get(url).content.decode()
    assert f'<a href="{url}{ticket.pk}/">{place.room.path}：{long[:39]}…</a>' in page
    assert '<span class="badge text-bg-secondary">已派修</span>' in page
    names = f"{teacher.get_full_name()} → {world.user('storekeeper').get_full_name()}</div>"
    assert names in page
    struck = page[: page.index(f'href="{url}{voided.pk}/"')].rsplit("<li", 1)[1]
    assert "text-decoration-line-through" in struck
    assert "已作废：重复报修</div>" in page
    assert 'class="nav-link active" href="?">全部</a>' in page
    # A status filter shows that status alone; an unknown one filters nothing (not a 500).
    reported = login("director").get(url + "?status=reported").content.decode()
    assert f'href="{url}{voided.pk}/"' in reported and f'href="{url}{ticket.pk}/"' not in reported
    unknown = login("director").get(url + "?status=nonsense").content.decode()
    assert f'href="{url}{voided.pk}/"' in unknown and f'href="{url}{ticket.pk}/"' in unknown
    # Someone who only reports faults sees the tickets they reported or must fix.
    with scopes_disabled():
        cooks = services.repair_report(
            school=world.school, actor=world.user("cook"), location=place.room, description="门坏"
        )
    mine = login("teacher").get(url).content.decode()
    assert f'href="{url}{ticket.pk}/"' in mine and f'href="{url}{cooks.pk}/"' not in mine
    # Another school's list shows none of them.
    other = reverse("assets:repair_list", args=[world.other.code])
    theirs = login("principal_xx").get(other).content.decode()
    assert "重复报修" not in theirs and f"repairs/{ticket.pk}/" not in theirs


def test_write_offs_requisitions_and_stocktakes_list_what_each_one_is(world, place, login):
    teacher, storekeeper = world.user("teacher"), world.user("storekeeper")
    asset = register(world, place, code="TY-1", name="投影仪", price="3000.00")
    reason = (
        "投影仪灯泡烧坏，主板受潮无法开机，厂家已停产配件，维修费用超过购置价格的一半以上，建议报损"
    )
    item = stocked(world, place, name="粉笔")
    with scopes_disabled():
        writeoff = services.writeoff_create(
            school=world.school, actor=storekeeper, asset=asset, reason=reason
        )
        requisition = services.requisition_create(
            school=world.school,
            actor=teacher,
            item=item,
            quantity=3,
            purpose="上课",
            class_name="初一(1)班",
        )
        stocktake = services.stocktake_start(
            school=world.school, actor=storekeeper, title="期末盘点", location=place.room
        )
    code = world.school.code
    office = login("director")
    page = office.get(reverse("assets:writeoff_list", args=[code])).content.decode()
    assert (
        f'{writeoff.pk}/">TY-1 投影仪</a> <span class="badge text-bg-secondary">待签批</span>'
        in page
    )
    assert f" · {reason[:39]}… · ¥3,000.00</div>" in page
    page = office.get(reverse("assets:requisition_list", args=[code])).content.decode()
    assert (
        f'{requisition.pk}/">粉笔 × 3</a> <span class="badge text-bg-secondary">待审批</span>'
        in page
    )
    assert f" · {teacher.get_full_name()} · 初一(1)班 · 上课</div>" in page
    # Without the store's or an approver's capability one sees one's own requisitions only.
    url = reverse("assets:requisition_list", args=[code])
    assert f"{requisition.pk}/" in login("teacher").get(url).content.decode()
    assert f"requisitions/{requisition.pk}/" not in login("doctor").get(url).content.decode()
    page = login("storekeeper").get(reverse("assets:stocktake_list", args=[code]))
    page = page.content.decode()
    assert (
        f'{stocktake.pk}/">期末盘点</a> <span class="badge text-bg-secondary">盘点中</span>' in page
    )
    assert f" · 资产（按标签逐件） · {place.room.path}</div>" in page


def test_low_stock_is_a_dashboard_todo_for_the_storekeeper(world, place, login):
    stocked(world, place, quantity=2)  # low level 2
    page = login("storekeeper").get(reverse("dashboard", args=[world.school.code])).content.decode()
    assert "1 种库存物品不足" in page, page[page.find("<main") :][:1500]


def test_a_lend_out_prints_a_hand_over_form_with_signature_lines(world, place, login):
    asset = register(world, place, code="YQ-1", name="电子琴")
    with scopes_disabled():
        services.asset_check_out(
            school=world.school,
            actor=world.user("director"),
            asset=asset,
            custodian=world.user("teacher"),
            due_date=timezone.localdate() + datetime.timedelta(days=3),
            condition="完好",
        )
        record = asset.custody_records.first()
    url = reverse("assets:asset_handover", args=[world.school.code, asset.pk, record.pk])
    response = login("director").get(url)
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "资产交接单" in text and "电子琴" in text and "接收人" in text


@pytest.mark.parametrize("kind", ["custody", "stock", "repairs"])
def test_custody_stock_and_repair_reports_print_and_export(world, place, login, kind):
    register(world, place, custodian=world.user("teacher"), custodian_class="初一(1)班")
    stocked(world, place)
    client = login("director")
    url = reverse("assets:report_other", args=[world.school.code, kind])
    assert client.get(url).status_code == 200
    assert client.get(url + "?fmt=pdf").content.startswith(b"%PDF")
    assert client.get(url + "?fmt=xlsx").status_code == 200


def test_the_central_principal_sees_member_write_offs_waiting_on_the_central_dashboard(
    world, place, login
):
    asset = register(world, place, price="9000.00")
    with scopes_disabled():
        writeoff = services.writeoff_create(
            school=world.school, actor=world.user("director"), asset=asset, reason="丢失"
        )
        approval_sign(
            school=world.school,
            actor=world.user("principal"),
            approval_id=writeoff.approval_id,
            step=0,
        )
    page = login("central").get(reverse("dashboard", args=[world.central.code])).content.decode()
    assert "石道初级中学：1 份报损单等待您签字" in page
    assert f"/s/{world.school.code}/approvals/" in page


def _pdf_text(response) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def _struck_rows(response, reason: str) -> list:
    ws = load_workbook(io.BytesIO(response.content)).active
    return [row for row in ws.iter_rows() if any(c.value == f"作废：{reason}" for c in row)]


def test_the_printed_register_strikes_voided_lines_through_with_their_reason(world, place, login):
    teacher = world.user("teacher")
    register(
        world,
        place,
        code="ZC-1",
        name="投影仪",
        price="3000.00",
        location=place.room,
        custodian=teacher,
        custodian_class="初一(1)班",
    )
    twice = register(world, place, code="ZC-2", name="投影仪", price="3000.00")
    with scopes_disabled():
        record_void(
            school=world.school, actor=world.user("director"), record=twice, reason="重复登记"
        )
    client = login("director")
    url = reverse("assets:report_register", args=[world.school.code]) + "?by=lines"
    text = _pdf_text(client.get(url + "&fmt=pdf"))
    assert "资产台账" in text and "ZC-1" in text and "ZC-2" in text and "作废：重复登记" in text
    assert "3,000.00" in text and "6,000.00" not in text  # the total counts live lines only
    struck = _struck_rows(client.get(url + "&fmt=xlsx"), "重复登记")
    assert len(struck) == 1 and next(c for c in struck[0] if c.value == "ZC-2").font.strike
    page = client.get(url).content.decode()
    assert "voided" in page and "已作废：重复登记" in page
    assert (
        '<tr class="text-decoration-line-through text-body-secondary voided"><td>ZC-2</td>' in page
    )
    assert '<td class="text-end">3,000.00</td></tr>' in page  # a line's value, and the total
    held = f"<td>{place.room.path}</td><td>初一(1)班 · {teacher.get_full_name()}</td><td>在用</td>"
    assert held in page
    # Filtered as on the register page: a location, or the live register only.
    assert "ZC-2" not in _pdf_text(client.get(url + f"&location={place.room.pk}&fmt=pdf"))
    assert "重复登记" not in _pdf_text(client.get(url + "&voided=hide&fmt=pdf"))


def test_the_printed_custody_list_strikes_a_voided_line_through_out_of_the_totals(
    world, place, login
):
    teacher = world.user("teacher")
    register(world, place, code="KZ-1", name="课桌", price="100.00", custodian=teacher)
    wrong = register(world, place, code="KZ-2", name="课桌", price="100.00", custodian=teacher)
    with scopes_disabled():
        record_void(school=world.school, actor=world.user("director"), record=wrong, reason="录错")
    client = login("director")
    url = reverse("assets:report_other", args=[world.school.code, "custody"])
    text = _pdf_text(client.get(url + "?fmt=pdf"))
    assert "KZ-2" in text and "作废：录错" in text
    struck = _struck_rows(client.get(url + "?fmt=xlsx"), "录错")
    assert len(struck) == 1 and next(c for c in struck[0] if c.value == "KZ-2").font.strike
    page = client.get(url).content.decode()
    struck_row = page[page.index('text-body-secondary voided">') :].split("</tr>")[0]
    assert f"<td>{teacher.get_full_name()}</td>" in struck_row and "<td>KZ-2</td>" in struck_row
    assert "已作废：录错" in page
    ws = load_workbook(io.BytesIO(client.get(url + "?fmt=xlsx").content)).active
    totals = next(row for row in ws.iter_rows() if row[0].value == "合计")
    assert [c.value for c in totals if isinstance(c.value, (int, float))][-1] == 100


def test_the_locations_page_lists_kinds_in_chinese_and_offers_no_room_as_a_parent(
    world, place, login
):
    other = make_place(world, world.other)
    client = login("director")
    url = reverse("assets:location_list", args=[world.school.code])
    page = client.get(url).content.decode()
    assert f'{place.building.path} <span class="text-muted">楼栋</span>' in page
    assert f'{place.room.path} <span class="text-muted">房间</span>' in page
    # The parent's options drawn from the listed places: the model-backed form's markup.
    with scopes_disabled():
        assert str(LocationForm(school=world.school)) in page
    assert f'<option value="{place.floor.pk}">{place.floor.path}</option>' in page
    assert f'value="{place.room.pk}"' not in page and f'value="{other.floor.pk}"' not in page
    # Another school's floor posted is refused beside the field, not a 500.
    response = client.post(url, {"name": "三楼", "parent": other.floor.pk})
    assert response.status_code == 200 and response.context["form"].errors["parent"]


def test_the_stock_report_lists_each_item_by_store_and_no_other_schools(world, place, login):
    stocked(world, place, name="粉笔", quantity=12)
    other = make_place(world, world.other)
    with scopes_disabled():
        theirs = services.stock_item_create(
            school=world.other, actor=world.user("principal_xx"), name="墨水", unit="瓶"
        )
        services.stock_in(
            school=world.other,
            actor=world.user("principal_xx"),
            item=theirs,
            location=other.store,
            quantity=3,
            unit_price=Decimal("1.00"),
            supplier="文具店",
        )
    page = login("director").get(reverse("assets:report_other", args=[world.school.code, "stock"]))
    page = page.content.decode()
    row = (
        f'<tr><td>粉笔</td><td>盒</td><td>{place.store.path}</td><td class="text-end">12</td></tr>'
    )
    assert row in page and "墨水" not in page
