"""The notice safety publishes: 节假日值班安排, the duty roster with phone numbers masked in
public (Column personal="number"). The same snapshot prints the roster for the staff room."""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.models import School
from logistics.notices.kinds import Column, NoRecords, NoticeKind, Snapshot, register_kind
from safety import capabilities as caps
from safety.models import DutyShift

DUTY_KIND = "safety.duty"


def _date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _name(user) -> str:
    return user.get_full_name() or user.username


def duty_snapshot(shifts: list[DutyShift], title: str, period: str) -> Snapshot:
    with translation.override("zh-hans"):
        return Snapshot(
            title=title,
            period=period,
            columns=[
                Column("date", _("Duty date"), "date"),
                Column("kind", _("Shift")),
                Column("leader", _("Leader on duty")),
                Column("leader_phone", _("Leader's phone"), personal="number"),
                Column("staff", _("Staff on duty")),
                Column("staff_phone", _("Staff phone"), personal="number"),
            ],
            rows=[
                {
                    "date": s.date,
                    "kind": s.get_kind_display(),
                    "leader": _name(s.leader),
                    "leader_phone": s.leader_phone,
                    "staff": _name(s.staff),
                    "staff_phone": s.staff_phone,
                }
                for s in shifts
            ],
            notes=_("In an emergency call the leader on duty at once, then 110 / 119 / 120."),
            signatures=(_("Safety officer"), _("Principal")),
        )


def build_duty_notice(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    shifts = list(
        DutyShift.objects.filter(school=school, date__gte=start, date__lte=end)
        .select_related("leader", "staff")
        .order_by("date", "kind")
    )
    if not shifts:
        raise NoRecords(_("No duty shifts in this period."))
    with translation.override("zh-hans"):
        return duty_snapshot(
            shifts, _("Holiday duty arrangements"), f"{_date(start)}至{_date(end)}"
        )


DUTY = NoticeKind(
    code=DUTY_KIND,
    label=gettext_lazy("Holiday duty arrangements (节假日值班安排)"),
    capability=caps.MANAGE,
    build=build_duty_notice,
    help_text=gettext_lazy("Leaders and staff on duty; phone numbers masked in public."),
)


def register() -> None:
    register_kind(DUTY)
