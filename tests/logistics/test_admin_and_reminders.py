from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scopes_disabled

from logistics import approvals
from tests.logistics.factories import TEST_DOC


@pytest.mark.parametrize(
    "path",
    [
        "/admin/logistics/school/",
        "/admin/logistics/membership/",
        "/admin/logistics/role/",
        "/admin/logistics/role/{role}/change/",
        "/admin/auth/user/",
        "/admin/logistics/auditevent/",
    ],
)
def test_the_administrator_manages_schools_people_and_roles_in_the_admin(world, login, path):
    from logistics.models import Role

    # Role ids depend on what ran before (a transactional test recreates the roles).
    role = Role.objects.get(code="principal").pk
    assert login("admin").get(path.format(role=role)).status_code == 200


def test_school_staff_cannot_open_the_admin(world, login):
    assert login("principal").get("/admin/logistics/school/").status_code == 302


def test_reminders_mail_each_user_their_to_dos(world):
    principal = world.user("principal")
    principal.email = "wang@example.edu.cn"
    principal.save()
    with scopes_disabled():
        doc = approvals.approval_start(
            school=world.school,
            actor=world.user("storekeeper"),
            doc_type=TEST_DOC,
            obj=world.school,
            title="购买粉笔",
        )
        approvals.approval_sign(
            school=world.school, actor=world.user("teacher"), approval_id=doc.pk, step=0
        )
    call_command("send_reminders")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.edu.cn"]
    assert "石道初级中学：1 份文件等待您签批" in mail.outbox[0].body
