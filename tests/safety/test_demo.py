"""The demo data of sdcz loads, is idempotent, and tells the seed's story."""

from __future__ import annotations

from django.utils import timezone
from django_scopes import scopes_disabled

from safety import selectors
from safety.demo import load_safety_demo
from safety.models import (
    Drill,
    DutyRoster,
    EquipmentCheck,
    EquipmentKind,
    Hazard,
    HazardStatus,
    Inspection,
)


def test_the_demo_loads_once_with_the_start_of_term_inspection_and_its_two_hazards(world):
    with scopes_disabled():
        load_safety_demo()
        load_safety_demo()  # idempotent
        school = world.school
        assert Inspection.objects.filter(school=school, kind="term_start").count() == 4
        closed = Hazard.objects.get(school=school, status=HazardStatus.CLOSED)
        assert closed.fixed_by != closed.verified_by
        assert closed.photos.filter(stage="evidence").exists()
        assert list(selectors.overdue_hazards(school)) == [  # the drill's follow-up is not due
            Hazard.objects.get(school=school, area="fire", source="inspection")
        ]
        assert EquipmentCheck.objects.filter(
            equipment__kind=EquipmentKind.SMOKE_ALARM, ok=False
        ).exists()
        assert EquipmentCheck.objects.filter(equipment__kind=EquipmentKind.CAMERA).count() == 18
        roster = DutyRoster.objects.get(school=school)
        assert roster.shifts.count() == 56 and "寒假" in roster.title
        drill = Drill.objects.get(school=school)
        assert drill.evacuation_seconds == 186 and drill.hazards.count() == 1
        assert selectors.still_inside(school, timezone.localdate()).count() == 1
