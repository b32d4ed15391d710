"""The sdcz demo month loads once and holds the problems the committee is meant to find."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from canteen.demo import DAYS, MISSING_SAMPLE_DAY, load_canteen_demo
from canteen.models import (
    CanteenDay,
    CorrectiveAction,
    FollowUp,
    MonthlyMeeting,
    ReceivingLine,
    Sample,
    SelfInspection,
    TemperatureLog,
)
from canteen.selectors import day_board
from logistics.notices.models import Notice


def test_the_demo_month_loads_once_with_its_problems(world):
    today = timezone.localdate()
    with scopes_disabled():
        load_canteen_demo()
        load_canteen_demo()  # idempotent
        school = world.school
        assert Sample.objects.filter(school=school).count() > 500
        gap_day = today - datetime.timedelta(days=MISSING_SAMPLE_DAY)
        assert any("留样" in i.label for i in day_board(school, gap_day).missing)
        assert (
            TemperatureLog.objects.filter(in_range=False, celsius=11)
            .exclude(corrective_action="")
            .exists()
        )
        assert ReceivingLine.objects.filter(accepted=False).count() == 1
        days = CanteenDay.objects.filter(school=school)
        assert days.filter(status="closed").count() == 2
        assert days.filter(status="reviewed").count() >= 25
        assert FollowUp.objects.filter(replied_at__isnull=True).count() == 1
        answered = FollowUp.objects.get(source="accompanied")
        assert (answered.replied_at.date() - answered.date).days == 2
        assert (
            Notice.objects.filter(status=Notice.PUBLISHED, kind__startswith="canteen.").count() == 2
        )
        assert SelfInspection.objects.filter(school=school, kind="daily").count() == DAYS
        actions = CorrectiveAction.objects.filter(school=school)
        assert sorted(actions.values_list("status", flat=True)) == ["fixed", "open", "verified"]
        assert actions.get(status="open").deadline < today
        assert MonthlyMeeting.objects.get(school=school).status == "approved"
