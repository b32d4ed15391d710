"""Inspections and their checklists, hazards and their closed loop, safety equipment and its
monthly checks, and the gate register.

An inspection copies its checklist's items when it starts, so editing a school's checklist
never changes an inspection already done. A hazard is verified by someone other than the
person who fixed it: the service refuses, and a check constraint makes sure.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.models import Attachment, SchoolOwned, Voidable

LIMIT = {"max_digits": 10, "decimal_places": 2}


class Area(models.TextChoices):
    BUILDINGS = "buildings", _("School buildings")
    TEACHING = "teaching", _("Teaching equipment")
    FIRE = "fire", _("Fire equipment")
    CANTEEN = "canteen", _("Canteen")
    DORMITORY = "dormitory", _("Dormitory")
    SURVEILLANCE = "surveillance", _("Surveillance and alarms")
    ELECTRICITY = "electricity", _("Electricity")
    WATER = "water", _("Water")


class ItemKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    NUMBER = "number", _("A number within limits")
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo required")


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Checklist(SchoolOwned):
    """A school's own checklist for one area (a copy of a default one, or its own)."""

    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    name = models.CharField(_("checklist name"), max_length=80)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["area", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="checklist_name_uniq"),
            models.CheckConstraint(
                condition=models.Q(area__in=[a.value for a in Area]), name="checklist_area_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ItemFields(models.Model):
    """What one checklist line asks; copied verbatim from the checklist into an inspection."""

    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("what is checked"), max_length=200)
    kind = models.CharField(
        _("answer"), max_length=10, choices=ItemKind.choices, default=ItemKind.PASS_FAIL
    )
    min_value = models.DecimalField(_("lowest allowed"), **LIMIT, null=True, blank=True)
    max_value = models.DecimalField(_("highest allowed"), **LIMIT, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    basis = models.CharField(
        _("basis"), max_length=200, blank=True, help_text=_("The rule or standard checked.")
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.text

    @property
    def limits(self) -> str:
        low = "" if self.min_value is None else f"≥{self.min_value.normalize():f}"
        high = "" if self.max_value is None else f"≤{self.max_value.normalize():f}"
        return " ".join(x for x in (low, high) if x) + (f" {self.unit}" if self.unit else "")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ChecklistItem(SchoolOwned, ItemFields):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="checklistitem_limits_ordered",
            ),
        ]


class PlanKind(models.TextChoices):
    TERM_START = "term_start", _("Start of term")
    MONTHLY = "monthly", _("Monthly")
    HOLIDAY = "holiday", _("Before a holiday")
    AD_HOC = "ad_hoc", _("Unannounced")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PlannedInspection(SchoolOwned):
    """An inspection due by a date: a to-do until an inspection of it is finished."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices)
    due_on = models.DateField(_("due by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("planned inspection")
        verbose_name_plural = _("planned inspections")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["school", "due_on"])]


class InspectionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Inspection(SchoolOwned, Voidable):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    plan = models.OneToOneField(
        PlannedInspection,
        verbose_name=_("planned inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection",
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.IN_PROGRESS,
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    signed_name = models.CharField(_("signature"), max_length=40, blank=True)
    failed_count = models.PositiveSmallIntegerField(_("failed items"), default=0)

    class Meta(Voidable.Meta):
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["school", "-started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="in_progress")
                | (models.Q(finished_at__isnull=False) & ~models.Q(signed_name="")),
                name="inspection_done_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class InspectionItem(SchoolOwned, ItemFields):
    """One answered (or not yet answered) line of an inspection; saved one at a time."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="items"
    )
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    number = models.DecimalField(_("reading"), **LIMIT, null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = models.ForeignKey(
        Attachment, verbose_name=_("photo"), null=True, blank=True, on_delete=models.PROTECT
    )
    # What the hazard a failed item becomes will say, chosen while answering.
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.GENERAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible for the fix"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("fix by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        ordering = ["inspection", "position", "id"]


class HazardStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the fix")
    FIXED = "fixed", _("Fixed, waiting for verification")
    CLOSED = "closed", _("Verified and closed")


class HazardSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    REPORT = "report", _("Reported")
    DRILL = "drill", _("Drill")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Hazard(SchoolOwned, Voidable):
    """A hazard (隐患) from its report to its verified fix (整改闭环)."""

    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    location = models.CharField(_("hazard location"), max_length=100)
    description = models.CharField(_("hazard"), max_length=300)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.GENERAL
    )
    source = models.CharField(_("source"), max_length=12, choices=HazardSource.choices)
    item = models.OneToOneField(
        InspectionItem,
        verbose_name=_("inspection item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazard",
    )
    # Set when the hazard is a follow-up of a problem found in a drill (演练发现的问题).
    drill = models.ForeignKey(
        "safety.Drill",
        verbose_name=_("drill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hazard reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("hazard reported at"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible for the fix"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("fix by"))
    rectification = models.CharField(_("what was done"), max_length=300, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fixed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fixed_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    return_reason = models.CharField(_("why it was sent back"), max_length=300, blank=True)

    class Meta(Voidable.Meta):
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["school", "-reported_at"]),
            models.Index(fields=["school", "status", "deadline"]),
        ]
        constraints = [
            # 整改闭环: the one who fixed it never verifies it.
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True)
                | models.Q(fixed_by__isnull=True)
                | ~models.Q(verified_by=models.F("fixed_by")),
                name="hazard_fixer_not_verifier",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | (models.Q(verified_by__isnull=False) & models.Q(closed_at__isnull=False)),
                name="hazard_closed_is_verified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location}：{self.description}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class HazardPhoto(SchoolOwned):
    FOUND, EVIDENCE = "found", "evidence"
    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="photos")
    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(
        max_length=8, choices=[(FOUND, _("As found")), (EVIDENCE, _("Fix evidence"))]
    )

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard", "id"]


class EquipmentKind(models.TextChoices):
    EXTINGUISHER = "extinguisher", _("Fire extinguisher")
    HYDRANT = "hydrant", _("Fire hydrant")
    SMOKE_ALARM = "smoke_alarm", _("Smoke alarm")
    CAMERA = "camera", _("Surveillance camera")
    EMERGENCY_LIGHT = "emergency_light", _("Emergency light")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Equipment(SchoolOwned):
    kind = models.CharField(_("kind"), max_length=16, choices=EquipmentKind.choices)
    code = models.CharField(_("number"), max_length=30)
    location = models.CharField(_("location"), max_length=100)
    model = models.CharField(_("type and model"), max_length=60, blank=True)
    next_check_on = models.DateField(
        _("next service"), null=True, blank=True, help_text=_("Annual test or refill.")
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        verbose_name = _("safety equipment")
        verbose_name_plural = _("safety equipment")
        ordering = ["kind", "location", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="equipment_code_uniq"),
        ]
        indexes = [models.Index(fields=["school", "kind", "location", "code"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}（{self.location}）"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class EquipmentCheck(SchoolOwned, Voidable):
    """The monthly check of one item: one row per item and month (voided rows aside)."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, related_name="checks"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month checked."))
    ok = models.BooleanField(_("in order"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("monthly check by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta(Voidable.Meta):
        verbose_name = _("equipment check")
        verbose_name_plural = _("equipment checks")
        ordering = ["-month", "equipment"]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "month"],
                condition=models.Q(voided_at__isnull=True),
                name="equipmentcheck_one_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="equipmentcheck_month_first_day"
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Visitor(SchoolOwned):
    """A visitor as last seen at the gate, found again by phone number."""

    phone = models.CharField(_("phone"), max_length=20)
    name = models.CharField(_("name"), max_length=40)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    unit = models.CharField(_("work unit"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        constraints = [
            models.UniqueConstraint(fields=["school", "phone"], name="visitor_phone_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class GateEntry(SchoolOwned, Voidable):
    """One visit (门卫登记): who, why, whom, time in and out. Kept as entered at the gate."""

    visitor = models.ForeignKey(
        Visitor, verbose_name=_("visitor"), on_delete=models.PROTECT, related_name="entries"
    )
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    unit = models.CharField(_("work unit"), max_length=80, blank=True)
    reason = models.CharField(_("reason for the visit"), max_length=100)
    host = models.CharField(_("person visited"), max_length=40)
    time_in = models.DateTimeField(_("time in"))
    time_out = models.DateTimeField(_("time out"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("guard"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Voidable.Meta):
        verbose_name = _("gate entry")
        verbose_name_plural = _("gate entries")
        ordering = ["-time_in", "-id"]
        indexes = [models.Index(fields=["school", "-time_in"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_out__isnull=True)
                | models.Q(time_out__gte=models.F("time_in")),
                name="gateentry_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.time_in:%Y-%m-%d %H:%M}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DutyRoster(SchoolOwned):
    """A holiday or term duty roster (值班护校): a school leader and a staff member per shift."""

    title = models.CharField(_("roster title"), max_length=80)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("duty roster")
        verbose_name_plural = _("duty rosters")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="dutyroster_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ShiftKind(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DutyShift(SchoolOwned):
    roster = models.ForeignKey(
        DutyRoster, verbose_name=_("duty roster"), on_delete=models.PROTECT, related_name="shifts"
    )
    date = models.DateField(_("duty date"))
    kind = models.CharField(_("shift"), max_length=6, choices=ShiftKind.choices)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader on duty"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader_phone = models.CharField(_("leader's phone"), max_length=20)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff on duty"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff_phone = models.CharField(_("staff phone"), max_length=20)
    # The duty log of the shift (值班记录): handover and what happened.
    handover = models.CharField(_("handover"), max_length=300, blank=True)
    happenings = models.CharField(_("what happened"), max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "date", "kind"], name="dutyshift_uniq"),
            models.CheckConstraint(
                condition=~models.Q(leader=models.F("staff")), name="dutyshift_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved and swapped")
    REFUSED = "refused", _("Not approved")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class SwapRequest(SchoolOwned):
    """Someone on a shift asks to hand it to another person; the director approves."""

    shift = models.ForeignKey(
        DutyShift, verbose_name=_("duty shift"), on_delete=models.PROTECT, related_name="swaps"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    replacement = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replacement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    replacement_phone = models.CharField(_("replacement's phone"), max_length=20)
    reason = models.CharField(_("why"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.PENDING
    )
    approval = models.OneToOneField(
        "logistics.Approval", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("duty swap request")
        verbose_name_plural = _("duty swap requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.shift}: {self.requested_by} → {self.replacement}"


class EmergencyKind(models.TextChoices):
    EVACUATION = "evacuation", _("Evacuating the teaching building")
    FIRE = "fire", _("Fire")
    ACTIVITY = "activity", _("Student activities")
    FOOD = "food", _("Food safety")
    OTHER = "other", _("Other emergencies")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class EmergencyPlan(SchoolOwned):
    """One version of an emergency plan (应急预案); a new version replaces the current one."""

    kind = models.CharField(_("plan"), max_length=12, choices=EmergencyKind.choices)
    title = models.CharField(_("plan title"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"))
    document = models.ForeignKey(
        Attachment, verbose_name=_("document"), null=True, blank=True, on_delete=models.PROTECT
    )
    effective_on = models.DateField(_("in force from"))
    review_on = models.DateField(_("review by"))
    is_current = models.BooleanField(_("current version"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "version"], name="emergencyplan_version_uniq"
            ),
            models.UniqueConstraint(
                fields=["school", "kind"],
                condition=models.Q(is_current=True),
                name="emergencyplan_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（V{self.version}）"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DrillSchedule(SchoolOwned):
    """The yearly drill plan: which plan is drilled in which month."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    kind = models.CharField(_("plan"), max_length=12, choices=EmergencyKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("planned drill")
        verbose_name_plural = _("planned drills")
        ordering = ["year", "month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "month", "kind"], name="drillschedule_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="drillschedule_month_valid"
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Drill(SchoolOwned, Voidable):
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="drills"
    )
    held_on = models.DateField(_("drill date"))
    participants = models.PositiveIntegerField(_("participants"))
    evacuation_seconds = models.PositiveIntegerField(
        _("evacuation time (seconds)"), null=True, blank=True
    )
    findings = models.CharField(_("findings"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Voidable.Meta):
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participants__gte=1), name="drill_has_participants"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.plan.title}"
