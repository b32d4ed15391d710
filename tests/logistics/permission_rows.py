from __future__ import annotations

from django.urls import reverse

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
        data={"action": "remind"},
        ok=(302,),
    ),
    Row("attachment_download", _attachment, allowed="director", denied="cook"),
    Row("password_change", lambda w, s: reverse("password_change"), allowed="teacher"),
]
