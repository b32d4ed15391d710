from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from safety import services
from safety.models import Area, EquipmentKind
from tests.matrix import Row
from tests.safety.conftest import install, soon


def _s(name):
    return lambda w, s: reverse(f"safety:{name}", args=[s.code])


def _inspection(w, s):
    checklists = install(w)
    with scopes_disabled():
        return services.inspection_start(
            school=s, actor=w.user("safety"), checklist=checklists[Area.FIRE]
        )


def _i(name):
    return lambda w, s: reverse(f"safety:{name}", args=[s.code, _inspection(w, s).pk])


def _item(w, s):
    inspection = _inspection(w, s)
    with scopes_disabled():
        item = inspection.items.get(position=1)
    return reverse("safety:inspection_item", args=[s.code, inspection.pk, item.pk])


def _checklist(w, s, name="checklist_detail"):
    checklist = install(w)[Area.FIRE]
    return reverse(f"safety:{name}", args=[s.code, checklist.pk])


def _checklist_item(w, s):
    checklist = install(w)[Area.FIRE]
    with scopes_disabled():
        item = checklist.items.first()
    return reverse("safety:checklist_item_edit", args=[s.code, checklist.pk, item.pk])


def _hazard(w, s, name="hazard_detail", fixed=False):
    with scopes_disabled():
        hazard = services.hazard_report(
            school=s,
            actor=w.user("teacher"),
            area=Area.BUILDINGS,
            location="操场",
            description="地面破损",
            owner=w.user("director"),
            deadline=soon(),
        )
        if fixed:
            from tests.safety.conftest import clean_png

            services.hazard_rectify(
                school=s,
                actor=w.user("director"),
                hazard=hazard,
                rectification="已修补",
                evidence=[clean_png()],
            )
    return reverse(f"safety:{name}", args=[s.code, hazard.pk])


def _equipment(w, s):
    with scopes_disabled():
        e = services.equipment_save(
            school=s,
            actor=w.user("safety"),
            kind=EquipmentKind.EXTINGUISHER,
            code="MHQ-1",
            location="一楼",
        )
    return reverse("safety:equipment_edit", args=[s.code, e.pk])


def _gate_out(w, s):
    with scopes_disabled():
        entry = services.gate_log_in(
            school=s,
            actor=w.user("guard"),
            phone="13800138000",
            name="张三",
            id_number="440781198003150018",
            reason="送货",
            host="李总务",
        )
    return reverse("safety:gate_out", args=[s.code, entry.pk])


def _roster(w):
    from tests.safety.test_duty import roster_with_shift

    return roster_with_shift(w)


def _r(name):
    return lambda w, s: reverse(f"safety:{name}", args=[s.code, _roster(w)[0].pk])


def _shift(name):
    return lambda w, s: reverse(f"safety:{name}", args=[s.code, _roster(w)[1].pk])


def _drill(w, s):
    from tests.safety.test_drills import drill, plan

    return reverse("safety:drill_detail", args=[s.code, drill(w, plan(w)).pk])


ROWS = [
    Row("safety:inspection_list", _s("inspection_list"), allowed="principal", denied="teacher"),
    Row(
        "safety:inspection_start",
        lambda w, s: (install(w), _s("inspection_start")(w, s))[1],
        allowed="safety",
        denied="principal",
        method="post",
        data={"checklist": ""},  # no checklist chosen: a 404, so allowed is 404 or 302
        ok=(302, 404),
    ),
    Row("safety:inspection_detail", _i("inspection_detail"), allowed="principal", denied="teacher"),
    Row("safety:inspection_item", _item, allowed="safety", denied="principal"),
    Row(
        "safety:inspection_finish",
        _i("inspection_finish"),
        allowed="safety",
        denied="principal",
        method="post",
        data={"signed_name": "冯安全"},
        ok=(302,),
    ),
    Row(
        "safety:inspection_report",
        lambda w, s: _i("inspection_report")(w, s) + "?fmt=xlsx",
        allowed="principal",
        denied="teacher",
    ),
    Row("safety:plan_create", _s("plan_create"), allowed="safety", denied="principal"),
    Row("safety:checklist_list", _s("checklist_list"), allowed="director", denied="teacher"),
    Row(
        "safety:checklist_install",
        _s("checklist_install"),
        allowed="safety",
        denied="principal",
        method="post",
        ok=(302,),
    ),
    Row("safety:checklist_create", _s("checklist_create"), allowed="safety", denied="principal"),
    Row("safety:checklist_detail", _checklist, allowed="principal", denied="teacher"),
    Row("safety:checklist_item_edit", _checklist_item, allowed="safety", denied="principal"),
    Row("safety:hazard_list", _s("hazard_list"), allowed="cook"),
    Row("safety:hazard_create", _s("hazard_create"), allowed="guard"),
    Row("safety:hazard_register", _s("hazard_register"), allowed="principal", denied="teacher"),
    # The reporter sees their hazard; an unrelated teacher is told it does not exist.
    Row("safety:hazard_detail", _hazard, allowed="teacher"),
    Row("safety:hazard_rectify", lambda w, s: _hazard(w, s, "hazard_rectify"), allowed="director"),
    Row(
        "safety:hazard_verify",
        lambda w, s: _hazard(w, s, "hazard_verify", fixed=True),
        allowed="safety",
        denied="teacher",
        method="post",
        data={"decision": "accept"},
        ok=(302,),
    ),
    Row("safety:equipment_list", _s("equipment_list"), allowed="principal", denied="teacher"),
    Row("safety:equipment_create", _s("equipment_create"), allowed="safety", denied="principal"),
    Row("safety:equipment_edit", _equipment, allowed="safety", denied="principal"),
    Row("safety:equipment_check", _s("equipment_check"), allowed="safety", denied="principal"),
    Row("safety:gate", _s("gate"), allowed="guard", denied="teacher"),
    Row(
        "safety:gate_in",
        _s("gate_in"),
        allowed="guard",
        denied="teacher",
        method="post",
        data={
            "phone": "13900000000",
            "name": "王五",
            "id_number": "440781198003150018",
            "reason": "家访",
            "host": "褚老师",
        },
        ok=(302,),
    ),
    Row("safety:gate_out", _gate_out, allowed="guard", denied="teacher", method="post", ok=(302,)),
    Row("safety:gate_register", _s("gate_register"), allowed="guard", denied="teacher"),
    Row("safety:roster_list", _s("roster_list"), allowed="teacher", denied="committee"),
    Row("safety:roster_create", _s("roster_create"), allowed="safety", denied="teacher"),
    Row("safety:roster_detail", _r("roster_detail"), allowed="teacher", denied="committee"),
    Row("safety:shift_detail", _shift("shift_detail"), allowed="teacher", denied="committee"),
    Row("safety:shift_log", _shift("shift_log"), allowed="teacher", denied="committee"),
    Row("safety:shift_swap", _shift("shift_swap"), allowed="teacher", denied="committee"),
    Row(
        "safety:emergency_plan_list",
        _s("emergency_plan_list"),
        allowed="principal",
        denied="teacher",
    ),
    Row(
        "safety:emergency_plan_create",
        _s("emergency_plan_create"),
        allowed="safety",
        denied="principal",
    ),
    Row("safety:drill_list", _s("drill_list"), allowed="principal", denied="teacher"),
    Row("safety:drill_create", _s("drill_create"), allowed="safety", denied="principal"),
    Row("safety:drill_detail", _drill, allowed="principal", denied="teacher"),
]
