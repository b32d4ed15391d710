"""The pages on a phone: today, sampling a meal in one form, closing, reviewing, answering."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from canteen import services
from canteen.models import CanteenDay, FollowUp, Sample
from logistics.notices.kinds import VOID_REASON
from tests.canteen.conftest import TODAY, line

pytestmark = pytest.mark.django_db


def url(name, world, *args):
    return reverse(f"canteen:{name}", args=[world.school.code, *args])


def test_today_lists_each_lunch_dish_as_missing_until_sampled(world, kitchen, login):
    page = login("cook").get(url("today", world)).content.decode()
    for dish in kitchen.dishes:
        assert dish.name in page
    assert "无留样" in page or "未留样" in page
    assert url("sample_meal", world, TODAY().isoformat(), "lunch") in page


def test_sampling_a_meal_is_one_form_with_a_weight_per_dish(world, kitchen, login):
    client = login("cook")
    form_url = url("sample_meal", world, TODAY().isoformat(), "lunch")
    page = client.get(form_url).content.decode()
    assert all(d.name in page for d in kitchen.dishes)
    data = {f"grams_{d.pk}": "130" for d in kitchen.dishes}
    data |= {"sampler": kitchen.cook.pk, "reviewer": kitchen.manager.pk, "fridge": "留样柜1"}
    response = client.post(form_url, data)
    assert response.status_code == 302
    with scopes_disabled():
        assert Sample.objects.filter(school=world.school, date=TODAY()).count() == 3


def test_a_light_sample_is_refused_beside_its_field_and_the_input_is_kept(world, kitchen, login):
    client = login("cook")
    form_url = url("sample_meal", world, TODAY().isoformat(), "lunch")
    data = {f"grams_{d.pk}": "130" for d in kitchen.dishes}
    data[f"grams_{kitchen.dishes[0].pk}"] = "100"
    data |= {"sampler": kitchen.cook.pk, "reviewer": kitchen.manager.pk}
    response = client.post(form_url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "125" in page and 'value="100"' in page
    with scopes_disabled():
        assert not Sample.objects.exists()


def test_an_out_of_range_temperature_without_action_shows_the_error(world, login):
    response = login("cook").post(
        url("temperature_new", world), {"equipment": "fridge", "celsius": "11"}
    )
    assert response.status_code == 200
    assert "纠偏措施" in response.content.decode()


def test_closing_with_gaps_is_refused_with_the_missing_entries(world, kitchen, login):
    response = login("canteen").post(url("day_close", world, TODAY().isoformat()), follow=True)
    assert "还缺" in response.content.decode()
    with scopes_disabled():
        assert not CanteenDay.objects.filter(status="closed").exists()


def _closed_day(world, kitchen):
    with scopes_disabled():
        for key in (
            "meal:breakfast",
            "meal:lunch",
            "meal:dinner",
            "temperature",
            *tuple(f"morning:{s.pk}" for s in (kitchen.cook, kitchen.manager, kitchen.helper)),
        ):
            services.gap_mark(
                school=world.school,
                actor=world.user("canteen"),
                date=TODAY(),
                key=key,
                reason="测试日：停餐",
            )
        services.day_close(school=world.school, actor=world.user("canteen"), date=TODAY())


def test_committee_reviews_a_closed_day_or_raises_a_concern_the_manager_answers(
    world, kitchen, login
):
    _closed_day(world, kitchen)
    day = TODAY().isoformat()
    committee = login("committee")
    page = committee.get(url("day_review", world, day)).content.decode()
    assert "不适用" in page and "sign-review" in page
    committee.post(
        url("day_concern", world, day),
        {
            "text": "午餐停餐未提前通知家长",
            "deadline": (TODAY() + datetime.timedelta(days=2)).isoformat(),
        },
    )
    with scopes_disabled():
        item = FollowUp.objects.get()
    login("canteen").post(url("followup_reply", world, item.pk), {"reply": "已通知，今后提前一天"})
    page = committee.get(url("day_review", world, day)).content.decode()
    assert "已通知，今后提前一天" in page
    committee.post(url("day_sign", world, day), {"comment": "同意"})
    with scopes_disabled():
        assert CanteenDay.objects.get().status == "reviewed"


def test_the_day_review_shows_every_ledger_of_the_day_with_its_people_and_numbers(
    world, kitchen, login
):
    from tests.canteen.conftest import clean_png, line

    school, canteen = world.school, world.user("canteen")
    with scopes_disabled():
        services.samples_record(
            school=school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            entries=[services.SampleInput(kitchen.dishes[0], Decimal("130.5"), clean_png())],
        )
        services.morning_check_record(
            school=school,
            actor=canteen,
            staff=kitchen.cook,
            date=TODAY(),
            temperature=Decimal("36.6"),
        )
        services.receiving_create(
            school=school,
            actor=canteen,
            date=TODAY(),
            supplier=kitchen.supplier,
            inspector=kitchen.manager,
            second_inspector=kitchen.helper,
            lines=[
                line(),
                line(name="白菜", category="vegetables", accepted=False, disposal="退货"),
            ],
        )
        services.accompanied_record(
            school=school,
            actor=world.user("principal"),
            date=TODAY(),
            meal="lunch",
            ratings={kitchen.dishes[0].pk: 4},
            problems="偏咸",
        )
        services.disinfection_record(
            school=school,
            actor=canteen,
            date=TODAY(),
            meal="lunch",
            method="chlorine",
            mg_per_litre=250,
            seconds=300,
            operator=kitchen.cook,
            checker=kitchen.manager,
        )
        services.temperature_record(
            school=school,
            actor=canteen,
            equipment="fridge",
            celsius=Decimal("11.5"),
            corrective_action="调低温度",
        )
    page = login("committee").get(url("day_review", world, TODAY().isoformat())).content.decode()
    for text in (
        "130.5 g",
        "周师傅/孙食堂",
        "¥260.00",
        "孙食堂、李帮厨",
        "退货",
        f"{kitchen.dishes[0].name} 4★",
        "偏咸",
        "250 mg/L 300 s",
        "11.5°C",
        "调低温度",
        "/attachments/",
    ):
        assert text in page, text
    today = login("cook").get(url("today", world)).content.decode()
    assert "36.6°C" in today and "130.5 g" in today


def test_the_director_reopens_a_reviewed_day_with_a_reason(world, kitchen, login):
    _closed_day(world, kitchen)
    with scopes_disabled():
        services.day_review(school=world.school, actor=world.user("committee"), date=TODAY())
    login("director").post(url("day_reopen", world, TODAY().isoformat()), {"reason": "补录"})
    page = login("committee").get(url("day_review", world, TODAY().isoformat())).content.decode()
    assert "补录" in page


def test_the_days_list_links_each_day_and_names_who_signed_it(world, kitchen, login):
    _closed_day(world, kitchen)
    committee = login("committee")
    day = TODAY().isoformat()
    page = committee.get(url("day_list", world)).content.decode()
    closer = world.user("canteen")
    assert f'href="{url("day_review", world, day)}"' in page
    weekdays = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
    weekday = weekdays[TODAY().weekday()]
    assert f"<span>{day} {weekday}</span>" in page
    assert "已日结" in page and (closer.get_full_name() or closer.username) in page
    with scopes_disabled():
        services.day_review(school=world.school, actor=world.user("committee"), date=TODAY())
    reviewer = world.user("committee")
    page = committee.get(url("day_list", world)).content.decode()
    assert "已审核" in page and (reviewer.get_full_name() or reviewer.username) in page


@pytest.mark.parametrize(
    "kind",
    [
        "samples",
        "morning",
        "receiving",
        "disinfection",
        "accompanied",
        "temperatures",
        "inspections",
        "actions",
        "minutes",
        "incidents",
    ],
)
@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_every_ledger_prints_as_pdf_and_excel(world, kitchen, login, kind, fmt):
    with scopes_disabled():
        services.temperature_record(
            school=world.school,
            actor=world.user("cook"),
            equipment="fridge",
            celsius=Decimal("11"),
            corrective_action="维修",
        )
    response = login("director").get(url("ledger", world, kind), {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_the_sample_ledger_marks_voided_rows_and_missing_samples(world, kitchen, login):
    from canteen.ledgers import LEDGERS
    from logistics.services import record_void

    with scopes_disabled():
        sample = services.samples_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            entries=[services.SampleInput(kitchen.dishes[0], Decimal("130"))],
        )[0]
        record_void(school=world.school, actor=world.user("canteen"), record=sample, reason="称错")
        snapshot = LEDGERS["samples"].snapshot(world.school, TODAY(), TODAY())
    assert [r.get(VOID_REASON) for r in snapshot.rows if r.get(VOID_REASON)] == ["称错"]
    assert [r.get("remark") for r in snapshot.rows].count("未留样：记录不完整") == 3
    page = login("director").get(url("ledger", world, "samples")).content.decode()
    assert "text-decoration-line-through" in page and "已作废：称错" in page

    # Printed: the row struck through with its reason, not a remark.
    pdf = login("director").get(url("ledger", world, "samples"), {"format": "pdf"})
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "作废：称错" in text and "【作废】" not in text
    xlsx = login("director").get(url("ledger", world, "samples"), {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    struck = [row for row in ws.iter_rows() if any(c.value == "作废：称错" for c in row)]
    assert len(struck) == 1
    dish_cell = next(c for c in struck[0] if c.value == kitchen.dishes[0].name)
    assert dish_cell.font.strike
    unvoided = next(
        row for row in ws.iter_rows() if any(c.value == "未留样：记录不完整" for c in row)
    )
    assert not any(c.font.strike for c in unvoided)


def test_the_ledger_pages_name_each_rows_people_and_supplier(world, kitchen, login):
    canteen = world.user("canteen")
    with scopes_disabled():
        sample = services.samples_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            entries=[services.SampleInput(kitchen.dishes[0], Decimal("130"))],
        )[0]
        services.sample_dispose(
            school=world.school,
            actor=canteen,
            sample_ids=[sample.pk],
            now=sample.taken_at + datetime.timedelta(hours=49),
        )
        services.receiving_create(
            school=world.school,
            actor=canteen,
            date=TODAY(),
            supplier=kitchen.supplier,
            inspector=kitchen.manager,
            second_inspector=kitchen.helper,
            lines=[line()],
        )
        services.morning_check_record(
            school=world.school,
            actor=canteen,
            staff=kitchen.helper,
            date=TODAY(),
            temperature=Decimal("36.4"),
        )
    client = login("director")
    name = canteen.get_full_name() or canteen.username
    samples = client.get(url("ledger", world, "samples")).content.decode()
    row = samples[samples.index(f"<td>{kitchen.dishes[0].name}</td>") :].split("</tr>")[0]
    assert "<td>周师傅</td><td>孙食堂</td>" in row and f"<td>{name}</td>" in row
    receiving = client.get(url("ledger", world, "receiving")).content.decode()
    assert f"<td>{kitchen.supplier.name}</td>" in receiving
    assert "<td>孙食堂、李帮厨</td>" in receiving
    morning = client.get(url("ledger", world, "morning")).content.decode()
    row = morning[morning.index("<td>李帮厨</td>") :].split("</tr>")[0]
    assert "<td>合格</td>" in row and f"<td>{name}</td>" in row


def test_a_ledger_cell_is_escaped_and_its_date_and_money_printed_as_in_a_template(
    world, kitchen, login
):
    with scopes_disabled():
        services.receiving_create(
            school=world.school,
            actor=world.user("canteen"),
            date=TODAY(),
            supplier=kitchen.supplier,
            inspector=kitchen.manager,
            second_inspector=kitchen.helper,
            lines=[line(name="<b>米&面</b>", quantity=Decimal("2500"), unit_price=Decimal("5.2"))],
        )
    page = login("director").get(url("ledger", world, "receiving")).content.decode()
    row = page[page.index("&lt;b&gt;米&amp;面&lt;/b&gt;") :].split("</tr>")[0]
    assert "<b>米" not in page
    assert "<td>5.20</td><td>13,000.00</td>" in row
    assert page.count(f"<td>{TODAY().year}年{TODAY().month}月{TODAY().day}日</td>") == 1


def test_the_receiving_and_morning_ledgers_void_the_delivery_and_the_check_of_a_row(
    world, kitchen, login
):
    from logistics.services import record_void

    canteen = world.user("canteen")
    with scopes_disabled():
        wrong, kept = (
            services.receiving_create(
                school=world.school,
                actor=canteen,
                date=TODAY(),
                supplier=kitchen.supplier,
                inspector=kitchen.manager,
                second_inspector=kitchen.helper,
                lines=[line(name=name, quantity=Decimal("2500")), line(name=f"{name}二")],
            )
            for name in ("糯米", "粳米")
        )
        record_void(school=world.school, actor=canteen, record=wrong, reason="送错")
        check = services.morning_check_record(
            school=world.school,
            actor=canteen,
            staff=kitchen.helper,
            date=TODAY(),
            temperature=Decimal("36.4"),
        )
        elsewhere = services.staff_save(
            school=world.other,
            actor=world.user("principal_xx"),
            name="王外校",
            position="cook",
            certificate_no="JK-王外校",
            certificate_expires=TODAY() + datetime.timedelta(days=200),
        )
        services.morning_check_record(
            school=world.other,
            actor=world.user("principal_xx"),
            staff=elsewhere,
            date=TODAY(),
            temperature=Decimal("36.5"),
        )
    client = login("canteen")

    def void_url(label, pk):
        return reverse("record_void", args=[world.school.code, label, pk])

    receiving = client.get(url("ledger", world, "receiving")).content.decode()
    rows = {r.split("<td>")[3].split("</td>")[0]: r for r in receiving.split("<tr")[2:]}
    for name in ("糯米", "糯米二"):  # each line of the voided delivery, struck through
        assert "text-decoration-line-through" in rows[name] and "已作废：送错" in rows[name]
        assert "void-form" not in rows[name]
    # Money as the kernel writes it: 2500 kg at 5.20.
    assert "<td>5.20</td><td>13,000.00</td>" in rows["粳米"]
    for name in ("粳米", "粳米二"):  # a live line voids its whole delivery
        assert f'action="{void_url("canteen.receiving", kept.pk)}"' in rows[name]
        assert "text-decoration-line-through" not in rows[name]
    morning = client.get(url("ledger", world, "morning")).content.decode()
    assert f'action="{void_url("canteen.morningcheck", check.pk)}"' in morning
    assert "李帮厨" in morning and "王外校" not in morning


def test_the_staff_list_shows_each_members_position_certificate_and_its_expiry(
    world, kitchen, login
):
    from tests.canteen.conftest import staff

    expired = staff(world, "过期工", "helper", expires=TODAY() - datetime.timedelta(days=1))
    soon = staff(world, "将到期", "cook", expires=TODAY() + datetime.timedelta(days=3))
    with scopes_disabled():
        services.staff_save(
            school=world.other,
            actor=world.user("principal_xx"),
            name="王外校",
            position="cook",
            certificate_no="JK-王外校",
            certificate_expires=TODAY() + datetime.timedelta(days=200),
        )
    page = login("canteen").get(url("staff_list", world)).content.decode()
    assert "王外校" not in page

    def row(name):
        start = page.index(f"<strong>{name}</strong>")
        return page[start : page.index("</a>", start)]

    assert "<small>帮厨</small>" in row("过期工") and "已过期" in row("过期工")
    assert f"JK-过期工 · 有效期至 {expired.certificate_expires.isoformat()}" in row("过期工")
    assert "即将到期" in row("将到期") and "已过期" not in row("将到期")
    assert "到期" not in row("李帮厨")
    assert f'href="{url("staff_edit", world, soon.pk)}"' in row("将到期")
    assert (
        url("staff_edit", world, soon.pk)
        not in login("cook").get(url("staff_list", world)).content.decode()
    )


def test_a_receiving_is_entered_with_its_lines_on_one_page(world, kitchen, login):
    data = {
        "date": TODAY().isoformat(),
        "supplier": kitchen.supplier.pk,
        "inspector": kitchen.manager.pk,
        "second_inspector": kitchen.helper.pk,
        "line-TOTAL_FORMS": "3",
        "line-INITIAL_FORMS": "0",
        "line-0-name": "大米",
        "line-0-category": "rice",
        "line-0-quantity": "50",
        "line-0-unit": "kg",
        "line-0-weighed": "49.8",
        "line-0-unit_price": "5.20",
        "line-1-name": "白菜",
        "line-1-category": "vegetables",
        "line-1-quantity": "10",
        "line-1-unit": "kg",
        "line-1-unit_price": "2.00",
        "line-1-rejected": "on",
    }
    client = login("canteen")
    response = client.post(url("receiving_new", world), data)
    assert response.status_code == 200
    assert "请填写拒收货品如何处置" in response.content.decode()
    response = client.post(url("receiving_new", world), data | {"line-1-disposal": "退回"})
    assert response.status_code == 302
    with scopes_disabled():
        from canteen.models import ReceivingLine

        lines = ReceivingLine.objects.order_by("id")
        assert [(ln.amount, ln.accepted) for ln in lines] == [
            (Decimal("258.96"), True),
            (Decimal("20.00"), False),
        ]


def test_an_unapproved_supplier_is_refused_beside_the_supplier_field(world, kitchen, login):
    from tests.canteen.conftest import supplier

    other = supplier(world, "散户", "91440700MA00000009", approve=False)
    response = login("canteen").post(
        url("receiving_new", world),
        {
            "date": TODAY().isoformat(),
            "supplier": other.pk,
            "inspector": kitchen.manager.pk,
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-0-name": "白菜",
            "line-0-category": "vegetables",
            "line-0-quantity": "10",
            "line-0-unit": "kg",
            "line-0-unit_price": "2.00",
        },
    )
    assert response.status_code == 200
    assert "定点供应商名单" in response.content.decode()


def test_a_failed_morning_check_is_announced_and_the_person_shows_off_duty(world, kitchen, login):
    client = login("canteen")
    response = client.post(
        url("morning_new", world, TODAY().isoformat()),
        {"staff": kitchen.cook.pk, "temperature": "36.6", "diarrhoea": "on", "hygiene_ok": "on"},
        follow=True,
    )
    page = response.content.decode()
    assert "晨检不合格，今日离岗" in page and "离岗" in page


def test_samples_ready_for_disposal_are_ticked_and_disposed_of(world, kitchen, login):
    taken = timezone.now() - datetime.timedelta(hours=49)
    with scopes_disabled():
        samples = services.samples_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            taken_at=taken,
            entries=[services.SampleInput(d, Decimal("130")) for d in kitchen.dishes],
        )
    client = login("cook")
    assert 'name="sample"' in client.get(url("ledger", world, "samples")).content.decode()
    client.post(url("sample_dispose", world), {"sample": [s.pk for s in samples]})
    with scopes_disabled():
        assert not Sample.objects.filter(disposed_at__isnull=True).exists()
        assert Sample.objects.filter(disposed_by=world.user("cook")).count() == 3


def test_only_samples_kept_long_enough_and_not_sealed_are_offered_for_disposal(
    world, kitchen, login
):
    def record(dishes, taken_at):
        return services.samples_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            taken_at=taken_at,
            entries=[services.SampleInput(d, Decimal("130")) for d in dishes],
        )

    now = timezone.now()
    with scopes_disabled():
        kept, sealed = record(kitchen.dishes[:2], now - datetime.timedelta(hours=48, minutes=1))
        (young,) = record(kitchen.dishes[2:], now - datetime.timedelta(hours=47, minutes=59))
        services.incident_open(
            school=world.school,
            actor=world.user("principal"),
            discovered_at=now,
            description="腹泻",
            stopped="午餐",
            sample_ids=[sealed.pk],
        )
    page = login("cook").get(url("ledger", world, "samples")).content.decode()
    assert f'name="sample" value="{kept.pk}"' in page
    assert f'name="sample" value="{sealed.pk}"' not in page
    assert f'name="sample" value="{young.pk}"' not in page


def test_the_supplier_list_shows_categories_in_chinese_and_expired_licences(world, login):
    from tests.canteen.conftest import supplier

    fresh = supplier(world, approve=False)
    stale = supplier(
        world,
        name="过期蔬菜行",
        code="91440700MA00000002",
        categories=("vegetables",),
        licence_expires=TODAY() - datetime.timedelta(days=1),
        approve=False,
    )
    with scopes_disabled():
        services.supplier_save(
            school=world.other,
            actor=world.user("principal_xx"),
            name="外校供应商",
            credit_code="91440700MA00000003",
            licence_no="JY1",
            licence_expires=TODAY(),
            categories=["rice"],
        )
    page = login("director").get(url("supplier_list", world)).content.decode()
    items = page.split('<div class="list-group-item">')[1:]
    assert len(items) == 2 and "外校供应商" not in page
    fresh_item = next(i for i in items if "石道粮油店" in i)
    stale_item = next(i for i in items if "过期蔬菜行" in i)
    assert "大米、蔬菜" in fresh_item and "已过期" not in fresh_item
    assert "蔬菜" in stale_item and "已过期" in stale_item
    assert url("supplier_edit", world, stale.pk) in stale_item
    assert url("supplier_edit", world, fresh.pk) in fresh_item
    assert (
        url("supplier_edit", world, fresh.pk)
        not in login("cook").get(url("supplier_list", world)).content.decode()
    )


def test_the_principal_approves_the_designated_list_from_the_supplier_page(world, login):
    from tests.canteen.conftest import supplier

    with scopes_disabled():
        s = supplier(world, approve=False)
        listing = services.supplier_list_submit(
            school=world.school,
            actor=world.user("director"),
            title="2027年定点",
            valid_from=TODAY(),
            valid_until=TODAY(),
            suppliers=[s],
        )
    client = login("principal")
    assert "2027年定点" in client.get(url("supplier_list", world)).content.decode()
    client.post(
        reverse("approval_action", args=[world.school.code, listing.approval_id]),
        {"action": "sign", "step": 0},
    )
    with scopes_disabled():
        listing.refresh_from_db()
    assert listing.status == "approved"


def test_the_menu_is_typed_one_dish_a_line_with_grams(world, login):
    client = login("canteen")
    client.post(
        url("menu_edit", world, TODAY().isoformat(), "dinner"),
        {"dishes": "米饭 150\n红烧鱼\n\n炒青菜 120"},
    )
    page = client.get(url("menu_week", world), {"week": TODAY().isoformat()}).content.decode()
    assert "米饭（150g）" in page and "红烧鱼" in page


def test_a_complaint_is_recorded_answered_and_its_days_to_close_counted(world, login):
    from canteen.models import Complaint

    login("director").post(
        url("complaint_list", world),
        {
            "received_on": (TODAY() - datetime.timedelta(days=2)).isoformat(),
            "channel": "phone",
            "content": "汤太淡",
        },
    )
    with scopes_disabled():
        complaint = Complaint.objects.get()
    client = login("canteen")
    client.post(url("complaint_reply", world, complaint.pk), {"reply": ""})
    with scopes_disabled():
        assert Complaint.objects.get().closed_on is None
    client.post(url("complaint_reply", world, complaint.pk), {"reply": "已调整"})
    with scopes_disabled():
        assert Complaint.objects.get().days_to_close == 2
    assert "2 天内办结" in client.get(url("complaint_list", world)).content.decode()


def test_the_complaint_list_shows_channels_in_chinese_the_replier_and_voided_ones_struck(
    world, login
):
    from logistics.services import record_void

    director = world.user("director")
    with scopes_disabled():
        answered, open_, wrong = (
            services.complaint_record(
                school=world.school,
                actor=director,
                received_on=TODAY() - datetime.timedelta(days=3),
                channel=channel,
                content=content,
            )
            for channel, content in (
                ("phone", "汤太淡"),
                ("mailbox", "米饭夹生"),
                ("online", "录错了"),
            )
        )
        services.complaint_reply(
            school=world.school, actor=director, complaint_id=answered.pk, reply="已调整"
        )
        record_void(school=world.school, actor=director, record=wrong, reason="重复登记")
        services.complaint_record(
            school=world.other,
            actor=world.user("principal_xx"),
            received_on=TODAY(),
            channel="phone",
            content="外校的投诉",
        )
    page = login("canteen").get(url("complaint_list", world)).content.decode()
    cards = page.split('class="card mb-2 complaint')[1:]
    assert len(cards) == 3 and "外校的投诉" not in page
    # The open ones first; only the live open one may be answered.
    open_card = next(c for c in cards if "米饭夹生" in c)
    assert "意见箱" in open_card
    assert url("complaint_reply", world, open_.pk) in open_card
    voided = next(c for c in cards if "录错了" in c)
    assert voided.startswith(" text-decoration-line-through") and "重复登记" in voided
    assert "complaint_reply" not in voided and url("complaint_reply", world, wrong.pk) not in voided
    done = next(c for c in cards if "汤太淡" in c)
    name = director.get_full_name() or director.username
    assert "电话" in done and f"已调整（{name}，3 天内办结）" in done
    assert url("complaint_reply", world, answered.pk) not in done


def test_a_setting_below_the_national_rule_is_refused_beside_its_field(world, login):
    from canteen.forms import SettingsForm

    data = {f: "" for f in SettingsForm.Meta.fields}
    with scopes_disabled():
        current = services.settings_for(world.school)
    for field in SettingsForm.Meta.fields:
        value = getattr(current, field)
        data[field] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    response = login("director").post(url("settings", world), data | {"sample_hours": "24"})
    assert response.status_code == 200
    assert "国家规定至少为 48" in response.content.decode()
    response = login("director").post(url("settings", world), data | {"sample_hours": "72"})
    assert response.status_code == 302
    with scopes_disabled():
        assert services.settings_for(world.school).sample_hours == 72


def test_a_survey_below_the_95_percent_target_is_flagged(world, login):
    client = login("director")
    data = {"semester": "2026年秋季学期", "date": TODAY().isoformat(), "respondents": "200"}
    response = client.post(url("survey_list", world), data | {"satisfied": "201"})
    assert "满意人数多于参与人数" in response.content.decode()
    client.post(url("survey_list", world), data | {"satisfied": "188"})
    spring = {"semester": "2026年春季学期", "satisfied": "191", "findings": "菜品花样少"}
    client.post(url("survey_list", world), data | spring)
    with scopes_disabled():
        services.survey_record(
            school=world.other,
            actor=world.user("principal_xx"),
            semester="外校学期",
            date=TODAY(),
            respondents=10,
            satisfied=10,
        )
    page = client.get(url("survey_list", world)).content.decode()
    items = page.split("list-group-item small survey")[1:]
    assert len(items) == 2
    autumn, spring_ = (next(i for i in items if s in i) for s in ("秋季", "春季"))
    assert "94.0%" in autumn and "低于95%的目标" in autumn and "text-danger" in autumn
    assert '<span class="text-success">95.5%</span>' in spring_ and "95%的目标" not in spring_
    assert "菜品花样少" in spring_ and "外校学期" not in page
