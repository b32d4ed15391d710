from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from logistics.models import Attachment, AuditEvent, Signature
from tests.logistics.factories import ApprovalFactory, AttachmentFactory
from tests.matrix import Row


def _attachment(world, school):
    return reverse(
        "attachment_download",
        args=[
            school.code,
            AttachmentFactory(school=school, uploaded_by=world.user("director")).uuid,
        ],
    )


def _void(world, school):
    attachment = AttachmentFactory(school=school, uploaded_by=world.user("director"))
    return reverse("record_void", args=[school.code, "logistics.attachment", attachment.pk])


def _voided(world):
    with scopes_disabled():
        return Attachment.objects.filter(school=world.school, voided_at__isnull=False).exists()


def _signed(world):
    with scopes_disabled():
        return Signature.objects.filter(school=world.school).exists()


def _approval_act(world, school):
    approval = ApprovalFactory(school=school, requested_by=world.user("teacher"))
    return reverse("approval_action", args=[school.code, approval.pk])


ROWS = [
    Row("home", lambda w, s: reverse("home"), allowed="principal", ok=(302,)),
    Row("dashboard", lambda w, s: reverse("dashboard", args=[s.code]), allowed="cook"),
    Row(
        "audit_log",
        lambda w, s: reverse("audit_log", args=[s.code]),
        allowed="director",
        denied="teacher",
    ),
    Row(
        "approvals_waiting",
        lambda w, s: reverse("approvals_waiting", args=[s.code]),
        allowed="principal",
    ),
    Row(
        "approval_action",
        _approval_act,
        allowed="principal",
        method="post",
        data={"action": "sign", "step": 0},
        ok=(302,),
        effect=_signed,
    ),
    Row(
        "record_void",
        _void,
        allowed="director",
        denied="teacher",
        method="post",
        data={"reason": "上传错了", "next": "/"},
        ok=(302,),
        effect=_voided,
    ),
    Row("attachment_download", _attachment, allowed="director", denied="cook"),
    Row("password_change", lambda w, s: reverse("password_change"), allowed="teacher"),
    Row(
        "privacy_log",
        lambda w, s: reverse("privacy_log", args=[s.code]),
        allowed="principal",
        denied="accountant",
    ),
]


# --- the school staff page (logistics/staff) ------------------------------------------------


def _staff_member(world, school):
    from django.contrib.auth import get_user_model

    from logistics.models import Membership, Role

    user = get_user_model().objects.create_user("member1", first_name="成员一")
    membership = Membership.objects.create(user=user, school=school)
    membership.roles.set([Role.objects.get(code="teacher")])
    return membership


def _staff_url(name):
    return lambda w, s: reverse(f"staff:{name}", args=[s.code, _staff_member(w, s).pk])


def _staff_event(action):
    def effect(world):
        with scopes_disabled():
            return AuditEvent.objects.filter(school=world.school, action=action).exists()

    return effect


ROWS += [
    Row(
        "staff:list",
        lambda w, s: reverse("staff:list", args=[s.code]),
        allowed="principal",
        denied="director",
    ),
    Row(
        "staff:add",
        lambda w, s: reverse("staff:add", args=[s.code]),
        allowed="principal",
        denied="director",
        method="post",
        data={"username": "newbie", "full_name": "新同事", "roles": ["teacher"], "password": ""},
        effect=_staff_event("staff.added"),
    ),
    Row(
        "staff:import",
        lambda w, s: reverse("staff:import", args=[s.code]),
        allowed="principal",
        denied="director",
    ),
    Row(
        "staff:detail",
        _staff_url("detail"),
        allowed="principal",
        denied="director",
        method="post",
        data={"roles": ["teacher", "storekeeper"]},
        ok=(302,),
        effect=_staff_event("staff.roles_changed"),
    ),
    Row(
        "staff:deactivate",
        _staff_url("deactivate"),
        allowed="principal",
        denied="director",
        method="post",
        ok=(302,),
        effect=_staff_event("staff.deactivated"),
    ),
    Row(
        "staff:password",
        _staff_url("password"),
        allowed="principal",
        denied="director",
        method="post",
        data={"password": ""},
        effect=_staff_event("staff.password_reset"),
    ),
]


# --- two-factor sign-in (logistics/twofactor); the rules are in test_twofactor.py ----------


def _staff_member_with_phone(world, school):
    from logistics.twofactor import services

    membership = _staff_member(world, school)
    device = services.two_factor_start(user=membership.user)
    device.confirmed = True
    device.save()
    return reverse("staff:two_factor", args=[school.code, membership.pk])


ROWS += [
    # With TWO_FACTOR_ROLES empty (as here) nobody owes a second factor: both steps send on.
    Row("twofactor:enrol", lambda w, s: reverse("twofactor:enrol"), allowed="teacher", ok=(302,)),
    Row("twofactor:verify", lambda w, s: reverse("twofactor:verify"), allowed="teacher", ok=(302,)),
    Row(
        "staff:two_factor",
        _staff_member_with_phone,
        allowed="principal",
        denied="director",
        method="post",
        ok=(302,),
        effect=_staff_event("staff.two_factor_reset"),
    ),
]
