from __future__ import annotations

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from canteen import checklists, packs, services
from canteen.models import (
    CanteenDay,
    Complaint,
    CorrectiveAction,
    FollowUp,
    GapMark,
    Incident,
    MealFeeIncome,
    MenuDish,
    MonthlyMeeting,
    SelfInspection,
    WasteRecord,
)
from canteen.selectors import followup_list
from tests.canteen.conftest import TODAY, clean_png, lunch, make_kitchen, staff, supplier
from tests.matrix import Row

DAY = "2026-11-02"  # any date: the pages of a day need no records to exist


def _s(name, *args):
    return lambda w, s: reverse(f"canteen:{name}", args=[s.code, *args])


def _today(name, *args):
    """A page of today's lunch, with its menu."""

    def path(w, s):
        lunch(w)
        return reverse(f"canteen:{name}", args=[s.code, TODAY().isoformat(), *args])

    return path


def _followup(w, s):
    kitchen = make_kitchen(w)
    with scopes_disabled():
        services.accompanied_record(
            school=s,
            actor=w.user("principal"),
            date=TODAY(),
            meal="lunch",
            ratings={d.pk: 3 for d in kitchen.dishes},
            problems="米饭偏硬",
        )
        item = followup_list(s).get()
    return reverse("canteen:followup_reply", args=[s.code, item.pk])


def _staff_edit(w, s):
    return reverse("canteen:staff_edit", args=[s.code, staff(w, "王帮厨", "helper").pk])


def _supplier_edit(w, s):
    return reverse("canteen:supplier_edit", args=[s.code, supplier(w, approve=False).pk])


def _holiday(s, w) -> None:
    for key in ("meal:breakfast", "meal:lunch", "meal:dinner", "temperature"):
        services.gap_mark(school=s, actor=w.user("canteen"), date=TODAY(), key=key, reason="放假")


def _closed(name, close=True):
    def path(w, s):
        with scopes_disabled():
            _holiday(s, w)
            if close:
                services.day_close(school=s, actor=w.user("canteen"), date=TODAY())
        return reverse(f"canteen:{name}", args=[s.code, TODAY().isoformat()])

    return path


def _day_is(status, **extra):
    def effect(w) -> bool:
        with scopes_disabled():
            return CanteenDay.objects.filter(
                school=w.school, date=TODAY(), status=status, **extra
            ).exists()

    return effect


def _exists(model, **lookup):
    def effect(w) -> bool:
        with scopes_disabled():
            return model.objects.filter(school=w.school, **lookup).exists()

    return effect


def _monday():
    return TODAY() - datetime.timedelta(days=TODAY().weekday())


def _last_week_menu(w, s):
    lunch(w, date=_monday() - datetime.timedelta(days=7))
    return reverse("canteen:menu_copy", args=[s.code])


def _this_week_menu(w) -> bool:
    with scopes_disabled():
        return MenuDish.objects.filter(school=w.school, date__gte=_monday()).exists()


def _complaint(w, s):
    with scopes_disabled():
        item = services.complaint_record(
            school=s,
            actor=w.user("director"),
            received_on=TODAY(),
            channel="phone",
            content="饭凉",
        )
    return reverse("canteen:complaint_reply", args=[s.code, item.pk])


def _statement(w, s):
    found = supplier(w)
    return reverse("canteen:statement", args=[s.code, TODAY().strftime("%Y-%m"), found.pk])


def _action(fixed_by=None):
    """A corrective action of the committee's inspection, owned by the director (and fixed)."""

    def path(w, s):
        with scopes_disabled():
            inspection = services.inspection_record(
                school=s,
                actor=w.user("committee"),
                kind="committee",
                date=TODAY(),
                items=[services.ItemInput("留样柜未上锁", False)],
                owner=w.user("director"),
                deadline=TODAY(),
            )
            action = CorrectiveAction.objects.get(item__inspection=inspection)
            if fixed_by:
                services.action_fix(
                    school=s,
                    actor=w.user("director"),
                    action_id=action.pk,
                    note="已上锁",
                    evidence=clean_png(),
                )
        name = "action_verify" if fixed_by else "action_fix"
        return reverse(f"canteen:{name}", args=[s.code, action.pk])

    return path


def _action_is(status):
    return _exists(CorrectiveAction, status=status)


def _incident(name):
    def path(w, s):
        with scopes_disabled():
            incident = services.incident_open(
                school=s,
                actor=w.user("principal"),
                discovered_at=timezone.now() - datetime.timedelta(hours=2),
                description="学生腹痛",
                stopped="停止供应晚餐",
            )
            if name == "incident_close":
                services.incident_report(
                    school=s,
                    actor=w.user("principal"),
                    incident_id=incident.pk,
                    reported_at=timezone.now() - datetime.timedelta(hours=1),
                    reported_to="县市场监管局",
                )
        return reverse(f"canteen:{name}", args=[s.code, incident.pk])

    return path


class _Png(io.BytesIO):
    """An upload the matrix may post several times: each request reads it from the start."""

    name = "证据.png"
    content_type = "image/png"

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


def _png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="PNG")
    return out.getvalue()


_png = _Png(_png_bytes())
_REPORTED = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def _pack(name, fmt=None):
    def path(w, s):
        with scopes_disabled():
            pack = services.pack_request(
                school=s, actor=w.user("director"), start=TODAY(), end=TODAY()
            )
            if fmt:
                packs.build_pack(pack.pk)
        return reverse(f"canteen:{name}", args=[s.code, pack.pk, *([fmt] if fmt else [])])

    return path


_DAILY = {f"ok_{code}": "on" for code, _label in checklists.DAILY} | {"date": TODAY().isoformat()}

ROWS = [
    Row("canteen:today", _s("today"), allowed="cook", denied="teacher"),
    Row("canteen:day_review", _s("day_review", DAY), allowed="committee", denied="teacher"),
    Row("canteen:sample_meal", _today("sample_meal", "lunch"), allowed="cook", denied="committee"),
    Row(
        "canteen:disinfection_new",
        _today("disinfection_new", "lunch"),
        allowed="cook",
        denied="committee",
    ),
    Row(
        "canteen:accompanied_new",
        _today("accompanied_new", "lunch"),
        allowed="principal",
        denied="cook",
    ),
    Row("canteen:morning_new", _s("morning_new", DAY), allowed="canteen", denied="cook"),
    Row(
        "canteen:gap_mark",
        _s("gap_mark", DAY),
        allowed="canteen",
        denied="cook",
        method="post",
        data={"key": "temperature", "reason": "停电"},
        ok=(302,),
        effect=_exists(GapMark, key="temperature", reason="停电"),
    ),
    Row(
        "canteen:day_close",
        _closed("day_close", close=False),
        allowed="canteen",
        denied="cook",
        method="post",
        ok=(302,),
        effect=_day_is("closed"),
    ),
    Row(
        "canteen:day_sign",
        _closed("day_sign"),
        allowed="committee",
        denied="cook",
        method="post",
        data={"comment": "同意"},
        ok=(302,),
        effect=_day_is("reviewed"),
    ),
    Row(
        "canteen:day_concern",
        _closed("day_concern"),
        allowed="committee",
        denied="cook",
        method="post",
        data={"text": "为何停餐", "deadline": "2099-01-01"},
        ok=(302,),
        effect=_exists(FollowUp, text="为何停餐"),
    ),
    Row(
        "canteen:day_reopen",
        _closed("day_reopen"),
        allowed="director",
        denied="canteen",
        method="post",
        data={"reason": "更正"},
        ok=(302,),
        effect=_day_is("open", reopen_reason="更正"),
    ),
    Row("canteen:day_list", _s("day_list"), allowed="committee", denied="teacher"),
    Row("canteen:temperature_new", _s("temperature_new"), allowed="cook", denied="committee"),
    Row("canteen:receiving_new", _s("receiving_new"), allowed="cook", denied="committee"),
    Row("canteen:followup_list", _s("followup_list"), allowed="committee", denied="teacher"),
    Row(
        "canteen:followup_reply",
        _followup,
        allowed="canteen",
        denied="committee",
        method="post",
        data={"reply": "已改进"},
        ok=(302,),
        effect=_exists(FollowUp, reply="已改进"),
    ),
    Row("canteen:staff_list", _s("staff_list"), allowed="cook", denied="teacher"),
    Row("canteen:staff_create", _s("staff_create"), allowed="director", denied="cook"),
    Row("canteen:staff_edit", _staff_edit, allowed="director", denied="cook"),
    Row("canteen:supplier_list", _s("supplier_list"), allowed="director", denied="teacher"),
    Row("canteen:supplier_create", _s("supplier_create"), allowed="director", denied="cook"),
    Row("canteen:supplier_edit", _supplier_edit, allowed="director", denied="cook"),
    Row("canteen:supplier_list_new", _s("supplier_list_new"), allowed="director", denied="cook"),
    Row("canteen:menu_week", _s("menu_week"), allowed="cook", denied="teacher"),
    Row(
        "canteen:menu_copy",
        _last_week_menu,
        allowed="canteen",
        denied="cook",
        method="post",
        ok=(302,),
        effect=_this_week_menu,
    ),
    Row("canteen:menu_edit", _s("menu_edit", DAY, "lunch"), allowed="canteen", denied="cook"),
    Row(
        "canteen:sample_dispose",
        _s("sample_dispose"),
        allowed="cook",
        denied="committee",
        method="post",
        ok=(302,),
    ),
    Row("canteen:ledger", _s("ledger", "samples"), allowed="director", denied="teacher"),
    Row("canteen:settings", _s("settings"), allowed="director", denied="cook"),
    Row("canteen:account", _s("account"), allowed="accountant", denied="cook"),
    Row(
        "canteen:income_set",
        _s("income_set", "2026-11"),
        allowed="canteen",
        denied="accountant",
        method="post",
        data={"amount": "1000.00", "student_days": "100"},
        ok=(302,),
        effect=_exists(MealFeeIncome, amount=1000),
    ),
    Row("canteen:statement", _statement, allowed="accountant", denied="cook"),
    Row("canteen:complaint_list", _s("complaint_list"), allowed="committee", denied="teacher"),
    Row(
        "canteen:complaint_reply",
        _complaint,
        allowed="canteen",
        denied="committee",
        method="post",
        data={"reply": "已加热保温"},
        ok=(302,),
        effect=_exists(Complaint, reply="已加热保温"),
    ),
    Row(
        "canteen:waste_new",
        _s("waste_new", DAY),
        allowed="cook",
        denied="committee",
        method="post",
        data={"kind": "kitchen", "kg": "30", "hauler": "石道环卫公司"},
        ok=(302,),
        effect=_exists(WasteRecord, hauler="石道环卫公司"),
    ),
    Row("canteen:training_new", _s("training_new"), allowed="canteen", denied="cook"),
    Row("canteen:survey_list", _s("survey_list"), allowed="committee", denied="teacher"),
    Row("canteen:inspection_list", _s("inspection_list"), allowed="committee", denied="teacher"),
    Row(
        "canteen:inspection_new",
        _s("inspection_new", "daily"),
        allowed="canteen",
        denied="committee",
        method="post",
        data=_DAILY,
        ok=(302,),
        effect=_exists(SelfInspection, kind="daily"),
    ),
    Row(
        "canteen:action_fix",
        _action(),
        allowed="director",
        denied="teacher",
        method="post",
        data={"fix_note": "已上锁", "evidence": _png},
        ok=(302,),
        effect=_action_is("fixed"),
    ),
    Row(
        "canteen:action_verify",
        _action(fixed_by="director"),
        allowed="canteen",
        denied="committee",
        method="post",
        data={"accepted": "1", "verify_note": "已核实"},
        ok=(302,),
        effect=_action_is("verified"),
    ),
    Row(
        "canteen:minutes_new",
        _s("minutes_new"),
        allowed="director",
        denied="cook",
        method="post",
        data={
            "month": TODAY().replace(day=1).isoformat(),
            "held_on": TODAY().isoformat(),
            "chair": "王校长",
            "attendees": "王校长、李主任",
            "summary": "本月正常",
            "plan": "继续培训",
        },
        ok=(302,),
        effect=_exists(MonthlyMeeting, status="pending"),
    ),
    Row("canteen:incident_list", _s("incident_list"), allowed="committee", denied="teacher"),
    Row(
        "canteen:incident_new",
        _s("incident_new"),
        allowed="principal",
        denied="cook",
        method="post",
        data={
            "discovered_at": "2026-01-05T12:30",
            "description": "学生呕吐",
            "people_affected": "3",
            "stopped": "停止供应午餐",
        },
        ok=(302,),
        effect=_exists(Incident, description="学生呕吐"),
    ),
    Row(
        "canteen:incident_detail",
        _incident("incident_detail"),
        allowed="committee",
        denied="teacher",
    ),
    Row(
        "canteen:incident_report",
        _incident("incident_report"),
        allowed="principal",
        denied="committee",
        method="post",
        data={"reported_at": _REPORTED, "reported_to": "县教育局"},
        ok=(302,),
        effect=_exists(Incident, reported_to="县教育局"),
    ),
    Row(
        "canteen:incident_close",
        _incident("incident_close"),
        allowed="principal",
        denied="committee",
        method="post",
        data={"closing_note": "结案"},
        ok=(302,),
        effect=_exists(Incident, status="closed"),
    ),
    Row("canteen:pack_list", _s("pack_list"), allowed="committee", denied="teacher"),
    Row("canteen:pack_detail", _pack("pack_detail"), allowed="committee", denied="teacher"),
    Row(
        "canteen:pack_download",
        _pack("pack_download", "xlsx"),
        allowed="committee",
        denied="teacher",
    ),
]
