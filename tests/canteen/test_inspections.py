"""Self-inspection (日管控·周排查·月调度), corrective actions, incidents, and the warning days."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canteen import checklists, services
from canteen.models import CorrectiveAction, Incident, MonthlyMeeting, Sample, SelfInspection
from canteen.todos import canteen_todos
from logistics import approvals
from logistics.audit import events_for
from logistics.roles import capabilities_for
from tests.canteen.conftest import TODAY, clean_png, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _daily(world, failed=("storage", "pests"), owner="canteen", deadline=None, date=None):
    items = [
        services.ItemInput(
            label, code not in failed, code=code, note="过期酱油" if code in failed else ""
        )
        for code, label in checklists.DAILY
    ]
    return services.inspection_record(
        school=world.school,
        actor=world.user("canteen"),
        kind="daily",
        date=date or TODAY(),
        items=items,
        owner=world.user(owner) if owner else None,
        deadline=deadline or TODAY() + datetime.timedelta(days=2),
    )


def _todos(world, who):
    user = world.user(who)
    return {
        t.text: t.count
        for t in canteen_todos(world.school, user, capabilities_for(user, world.school))
    }


# ---------------------------------------------------------------- checklists and actions


def test_each_failed_checklist_item_opens_a_corrective_action_with_owner_and_deadline(world):
    inspection = _daily(world)
    actions = CorrectiveAction.objects.filter(item__inspection=inspection).order_by("id")
    assert [a.item.code for a in actions] == ["storage", "pests"]
    assert {a.owner for a in actions} == {world.user("canteen")}
    assert all(a.deadline == TODAY() + datetime.timedelta(days=2) for a in actions)
    assert "过期酱油" in actions[0].problem
    assert inspection.items.count() == len(checklists.DAILY)
    assert events_for(inspection).filter(action="canteen.inspection.daily").exists()


def test_a_checklist_is_answered_whole_and_once_a_day(world):
    with pytest.raises(ValidationError, match="每一项"):
        services.inspection_record(
            school=world.school,
            actor=world.user("canteen"),
            kind="daily",
            date=TODAY(),
            items=[services.ItemInput("x", True, code="storage")],
        )
    _daily(world, failed=())
    with pytest.raises(ValidationError):
        _daily(world, failed=())


def test_failed_items_need_someone_to_fix_them_by_a_date_not_before_the_inspection(world):
    with pytest.raises(ValidationError) as exc:
        _daily(world, owner=None)
    assert "owner" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        _daily(world, deadline=TODAY() - datetime.timedelta(days=1))
    assert "deadline" in exc.value.error_dict
    assert not CorrectiveAction.objects.exists()


def test_a_committee_inspection_records_findings_each_with_its_action(world):
    inspection = services.inspection_record(
        school=world.school,
        actor=world.user("committee"),
        kind="committee",
        date=TODAY(),
        items=[
            services.ItemInput("操作间地面积水", False),
            services.ItemInput("留样柜未上锁", False),
        ],
        owner=world.user("canteen"),
        deadline=TODAY(),
    )
    assert inspection.items.count() == 2
    assert CorrectiveAction.objects.filter(item__inspection=inspection).count() == 2


def test_the_fix_is_reported_by_its_owner_with_evidence_and_verified_by_someone_else(world):
    action = CorrectiveAction.objects.filter(item__inspection=_daily(world)).first()
    fix = {"school": world.school, "action_id": action.pk, "note": "已清理"}
    with pytest.raises(ValidationError, match="负责人"):
        services.action_fix(actor=world.user("director"), evidence=clean_png(), **fix)
    with pytest.raises(ValidationError) as exc:
        services.action_fix(actor=world.user("canteen"), evidence=None, **fix)
    assert "evidence" in exc.value.error_dict
    services.action_fix(actor=world.user("canteen"), evidence=clean_png(), **fix)
    with pytest.raises(ValidationError, match="其他人"):
        services.action_verify(
            school=world.school, actor=world.user("canteen"), action_id=action.pk, accepted=True
        )
    action = services.action_verify(
        school=world.school, actor=world.user("director"), action_id=action.pk, accepted=True
    )
    assert (action.status, action.verified_by, action.fixed_by) == (
        "verified",
        world.user("director"),
        world.user("canteen"),
    )
    assert action.evidence.view_capability == "canteen.view"


def test_a_fix_sent_back_is_open_again_for_its_owner(world):
    action = CorrectiveAction.objects.filter(item__inspection=_daily(world)).first()
    services.action_fix(
        school=world.school,
        actor=world.user("canteen"),
        action_id=action.pk,
        note="已清理",
        evidence=clean_png(),
    )
    with pytest.raises(ValidationError):
        services.action_verify(
            school=world.school, actor=world.user("director"), action_id=action.pk, accepted=False
        )
    action = services.action_verify(
        school=world.school,
        actor=world.user("director"),
        action_id=action.pk,
        accepted=False,
        note="仍有过期品",
    )
    assert action.status == "open" and action.verified_by is None


def test_the_database_refuses_a_fix_verified_by_the_person_who_fixed_it(world):
    action = CorrectiveAction.objects.filter(item__inspection=_daily(world)).first()
    action = services.action_fix(
        school=world.school,
        actor=world.user("canteen"),
        action_id=action.pk,
        note="已清理",
        evidence=clean_png(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectiveAction.objects.filter(pk=action.pk).update(
            status="verified", verified_by=world.user("canteen"), verified_at=timezone.now()
        )


def test_overdue_and_fixed_actions_are_to_dos_in_the_one_canteen_query(world):
    _daily(
        world,
        failed=("storage",),
        date=TODAY() - datetime.timedelta(days=5),
        deadline=TODAY() - datetime.timedelta(days=1),
    )
    _daily(world, failed=("pests",), owner="director")
    canteen = _todos(world, "canteen")
    assert canteen["1 项整改已逾期"] == 1
    assert canteen["1 项整改等待您完成"] == 1
    director = _todos(world, "director")
    assert director["1 项整改等待您完成"] == 1
    action = CorrectiveAction.objects.get(item__code="pests")
    services.action_fix(
        school=world.school,
        actor=world.user("director"),
        action_id=action.pk,
        note="已灭蝇",
        evidence=clean_png(),
    )
    assert _todos(world, "canteen")["1 项整改等待您验证"] == 1
    assert "1 项整改等待您验证" not in _todos(world, "director")
    user = world.user("principal")
    held = capabilities_for(user, world.school)
    with CaptureQueriesContext(connection) as ctx:
        list(canteen_todos(world.school, user, held))
    assert len(ctx.captured_queries) == 1


def test_the_actions_of_a_voided_inspection_are_void_with_it(world):
    from logistics.services import record_void

    inspection = _daily(world, failed=("storage",), deadline=TODAY())
    assert _todos(world, "canteen")["1 项整改等待您完成"] == 1
    record_void(school=world.school, actor=world.user("canteen"), record=inspection, reason="录错")
    assert "1 项整改等待您完成" not in _todos(world, "canteen")
    with pytest.raises(ValidationError):
        services.action_fix(
            school=world.school,
            actor=world.user("canteen"),
            action_id=inspection.items.get(code="storage").action.pk,
            note="已整改",
            evidence=clean_png(),
        )


# ---------------------------------------------------------------- monthly minutes


def _minutes(world, who="director"):
    return services.minutes_submit(
        school=world.school,
        actor=world.user(who),
        month=TODAY(),
        held_on=TODAY(),
        chair="王校长",
        attendees="王校长、李主任、孙食堂",
        summary="本月无食品安全事故。",
        plan="下月开展消毒培训。",
    )


def test_the_monthly_minutes_wait_for_the_principal_and_are_signed_through_the_engine(world):
    meeting = _minutes(world)
    assert meeting.status == "pending"
    assert _todos(world, "principal") == {"1 份月调度会议纪要等待您签字": 1}
    approvals.approval_sign(
        school=world.school,
        actor=world.user("principal"),
        approval_id=meeting.approval_id,
        step=0,
    )
    meeting.refresh_from_db()
    assert meeting.status == MonthlyMeeting.APPROVED
    assert _todos(world, "principal") == {}
    with pytest.raises(ValidationError):
        _minutes(world)


def test_minutes_the_principal_wrote_name_them_on_their_step(world):
    meeting = _minutes(world, "principal")
    assert meeting.approval.steps[0]["user_id"] == world.user("principal").pk
    approvals.approval_sign(
        school=world.school,
        actor=world.user("principal"),
        approval_id=meeting.approval_id,
        step=0,
    )
    meeting.refresh_from_db()
    assert meeting.status == MonthlyMeeting.APPROVED


# ---------------------------------------------------------------- incidents


def _old_samples(world, kitchen, hours=72):
    return services.samples_record(
        school=world.school,
        actor=world.user("cook"),
        date=TODAY(),
        meal="lunch",
        sampler=kitchen.cook,
        reviewer=kitchen.manager,
        entries=[services.SampleInput(d, Decimal("150")) for d in kitchen.dishes],
        taken_at=timezone.now() - datetime.timedelta(hours=hours),
    )


def _incident(world, samples, discovered=None):
    return services.incident_open(
        school=world.school,
        actor=world.user("principal"),
        discovered_at=discovered or timezone.now() - datetime.timedelta(hours=3),
        description="午餐后12名学生腹泻",
        people_affected=12,
        stopped="停止供应当日晚餐，封存剩余食品",
        sample_ids=[s.pk for s in samples],
    )


def test_sealed_samples_are_never_disposed_of(world, kitchen):
    samples = _old_samples(world, kitchen)
    incident = _incident(world, samples[:2])
    assert Sample.objects.filter(incident=incident, sealed_at__isnull=False).count() == 2
    with pytest.raises(ValidationError, match="封存"):
        services.sample_dispose(
            school=world.school, actor=world.user("cook"), sample_ids=[s.pk for s in samples]
        )
    # The one not sealed is disposed of as usual.
    assert (
        services.sample_dispose(
            school=world.school, actor=world.user("cook"), sample_ids=[samples[2].pk]
        )
        == 1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.filter(pk=samples[0].pk).update(disposed_at=timezone.now())


def test_an_incident_records_its_report_time_and_to_whom_and_closes_only_after(world, kitchen):
    discovered = timezone.now() - datetime.timedelta(hours=3)
    incident = _incident(world, [], discovered)
    close = {"school": world.school, "actor": world.user("principal"), "incident_id": incident.pk}
    with pytest.raises(ValidationError, match="报告"):
        services.incident_close(note="结案", **close)
    with pytest.raises(ValidationError) as exc:
        services.incident_report(
            reported_at=discovered - datetime.timedelta(minutes=1),
            reported_to="县市场监管局",
            **close,
        )
    assert "reported_at" in exc.value.error_dict
    incident = services.incident_report(
        reported_at=discovered + datetime.timedelta(minutes=90),
        reported_to="县市场监管局 王科长；县教育局",
        **close,
    )
    incident.refresh_from_db()
    assert incident.reported_at == discovered + datetime.timedelta(minutes=90)
    assert incident.hours_to_report == Decimal("1.5")
    assert events_for(incident).filter(action="canteen.incident.reported").exists()
    assert _todos(world, "principal") == {"1 起食品安全事故尚未结案": 1}
    services.incident_close(note="疾控排除食源性", **close)
    assert Incident.objects.get(pk=incident.pk).status == "closed"
    assert _todos(world, "principal") == {}


def test_an_incident_says_what_was_stopped(world):
    with pytest.raises(ValidationError) as exc:
        services.incident_open(
            school=world.school,
            actor=world.user("principal"),
            discovered_at=timezone.now(),
            description="腹泻",
            stopped=" ",
        )
    assert "stopped" in exc.value.error_dict


# ---------------------------------------------------------------- warning days


def test_expiry_to_dos_follow_the_schools_own_warning_days(world):
    services.settings_update(
        school=world.school, actor=world.user("director"), warning_days=[60, 10]
    )
    for name, days in (
        ("已过期", -1),
        ("十天", 10),
        ("十一天", 11),
        ("六十天", 60),
        ("六十一天", 61),
    ):
        staff(world, name, "cook", expires=TODAY() + datetime.timedelta(days=days))
    lines = {t: n for t, n in _todos(world, "canteen").items() if "健康证明" in t}
    assert lines == {
        "2 份健康证明将在 10 天内到期或已过期": 2,
        "2 份健康证明将在 60 天内到期": 2,
    }, lines
    with pytest.raises(ValidationError):
        services.settings_update(
            school=world.school, actor=world.user("director"), warning_days=[400]
        )


# ---------------------------------------------------------------- pages


def test_the_officer_ticks_the_daily_checklist_on_a_phone_and_the_owner_reports_the_fix(
    world, login
):
    client = login("canteen")
    url = reverse("canteen:inspection_new", args=[world.school.code, "daily"])
    assert client.get(url).status_code == 200
    data = {f"ok_{code}": "on" for code, _label in checklists.DAILY if code != "pests"}
    data |= {
        "date": TODAY().isoformat(),
        "note_pests": "灭蝇灯损坏",
        "owner": world.user("director").pk,
        "deadline": TODAY().isoformat(),
    }
    assert client.post(url, data).status_code == 302
    action = CorrectiveAction.objects.get()
    assert action.item.code == "pests" and "灭蝇灯损坏" in action.problem
    page = login("director").get(reverse("canteen:inspection_list", args=[world.school.code]))
    assert "灭蝇灯损坏" in page.content.decode()
    fixed = login("director").post(
        reverse("canteen:action_fix", args=[world.school.code, action.pk]),
        {"fix_note": "已更换", "evidence": _png_file()},
    )
    assert fixed.status_code == 302
    assert CorrectiveAction.objects.get().status == "fixed"


def test_the_inspection_list_shows_failed_items_with_their_action_and_voided_ones_struck(
    world, login
):
    from django.utils import translation

    from logistics.services import record_void

    day = datetime.timedelta(days=1)
    _daily(world, failed=("pests",))
    _daily(world, failed=(), owner=None, date=TODAY() - day)
    voided = _daily(world, failed=(), owner=None, date=TODAY() - 2 * day)
    record_void(school=world.school, actor=world.user("canteen"), record=voided, reason="录错日期")
    services.inspection_record(
        school=world.other,
        actor=world.user("principal_xx"),
        kind="committee",
        date=TODAY(),
        items=[services.ItemInput("外校问题", False)],
        owner=world.user("principal_xx"),
        deadline=TODAY() + day,
    )
    page = login("director").get(reverse("canteen:inspection_list", args=[world.school.code]))
    cards = page.content.decode().split('<div class="card mb-2 inspection')[1:]
    with translation.override("zh-hans"):
        open_label = str(dict(CorrectiveAction.STATUS_CHOICES)["open"])
        daily = str(SelfInspection.Kind("daily").label)
    pests = dict(checklists.DAILY)["pests"]
    # Newest first: the failed item with its note and its action's status, then none failed.
    assert f"{daily} {TODAY():%Y-%m-%d}" in cards[0]
    assert f"✗ {pests}：过期酱油 · {open_label}" in cards[0]
    assert "未发现问题。" in cards[1] and "✗" not in cards[1]
    assert cards[2].startswith(' text-decoration-line-through"') and "已作废：录错日期" in cards[2]
    assert len(cards) == 3 and "外校问题" not in page.content.decode()


def test_a_checklist_without_an_owner_for_its_failed_item_keeps_what_was_typed(world, login):
    client = login("canteen")
    url = reverse("canteen:inspection_new", args=[world.school.code, "daily"])
    data = {f"ok_{code}": "on" for code, _label in checklists.DAILY if code != "pests"}
    data |= {"date": TODAY().isoformat(), "note_pests": "灭蝇灯损坏"}
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "灭蝇灯损坏" in body and "整改负责人" in body
    assert not SelfInspection.objects.exists()


def _png_file():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="PNG")
    return SimpleUploadedFile("证据.png", out.getvalue(), content_type="image/png")


# ---------------------------------------------------------------- printed ledgers


def test_the_action_and_incident_ledgers_print_who_fixed_verified_sealed_and_reported(
    world, kitchen
):
    from canteen.ledgers import LEDGERS

    action = CorrectiveAction.objects.filter(item__inspection=_daily(world)).first()
    services.action_fix(
        school=world.school,
        actor=world.user("canteen"),
        action_id=action.pk,
        note="已清理过期酱油",
        evidence=clean_png(),
    )
    services.action_verify(
        school=world.school, actor=world.user("director"), action_id=action.pk, accepted=True
    )
    incident = _incident(world, _old_samples(world, kitchen)[:1])
    services.incident_report(
        school=world.school,
        actor=world.user("principal"),
        incident_id=incident.pk,
        reported_at=timezone.now(),
        reported_to="县市场监管局",
    )
    actions = LEDGERS["actions"].snapshot(world.school, TODAY(), TODAY()).rows
    row = next(r for r in actions if r["fix"] == "已清理过期酱油")
    assert row["status"] == "已验证" and row["verified"].startswith("李总务")
    assert row["fixed"].startswith("孙食堂")
    inspections = LEDGERS["inspections"].snapshot(world.school, TODAY(), TODAY()).rows
    assert "过期酱油" in inspections[0]["problems"] and inspections[0]["checked"] == 14
    incidents = LEDGERS["incidents"].snapshot(world.school, TODAY(), TODAY()).rows
    assert incidents[0]["sealed"].endswith(kitchen.dishes[0].name)
    assert incidents[0]["reported_to"] == "县市场监管局" and incidents[0]["reported"]
