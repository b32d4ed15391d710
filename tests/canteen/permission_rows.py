from __future__ import annotations

import datetime

from django.urls import reverse
from django_scopes import scopes_disabled

from canteen import services
from canteen.models import (
    CanteenDay,
    Complaint,
    FollowUp,
    GapMark,
    MealFeeIncome,
    MenuDish,
    WasteRecord,
)
from canteen.selectors import followup_list
from tests.canteen.conftest import TODAY, lunch, make_kitchen, staff, supplier
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
]
