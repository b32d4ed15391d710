"""The school staff page: accounts and roles inside one school, within the manager's rights."""

from __future__ import annotations

import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import Workbook

from logistics.demo import DEMO_PASSWORD
from logistics.models import AuditEvent, Membership, Role
from logistics.staff import services

User = get_user_model()


def _url(name, world, *args):
    return reverse(f"staff:{name}", args=[world.school.code, *args])


def _membership(world, username):
    return Membership.objects.get(user__username=username, school=world.school)


def _roles(membership):
    return sorted(r.code for r in membership.roles.all())


def _events(world, action):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(school=world.school, action=action))


@pytest.fixture
def office(world):
    """An office administrator: manages staff, holds a teacher's rights, nothing of finance."""
    teacher = Role.objects.get(code="teacher")
    role = Role.objects.create(
        code="office",
        name="办公室主任",
        capabilities=sorted({*teacher.capabilities, "staff.manage"}),
    )
    user = User.objects.create_user("office", first_name="钟主任")
    Membership.objects.create(user=user, school=world.school).roles.set([role])
    return user


def test_the_principal_adds_an_account_and_sees_its_temporary_password_once(world, login):
    response = login("principal").post(
        _url("add", world),
        {"username": "newteacher", "full_name": "韩老师", "roles": ["teacher"], "password": ""},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    password = body.split('<code class="fs-6">')[1].split("</code>")[0]
    assert len(password) == 12
    client = Client()  # the new account logs in with it, and works at sdcz
    login_page = client.post("/accounts/login/", {"username": "newteacher", "password": password})
    assert login_page.status_code == 302
    assert client.get("/s/sdcz/").status_code == 200
    (event,) = _events(world, "staff.added")
    assert event.actor == world.user("principal")
    assert event.data == {"username": "newteacher", "roles": ["teacher"]}
    assert password not in str(event.data) + event.summary


def test_a_chosen_password_is_checked_like_any_other(world, login):
    response = login("principal").post(
        _url("add", world),
        {"username": "newteacher", "full_name": "韩老师", "roles": ["teacher"], "password": "123"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "这个密码太常见了" in body and "密码只包含数字" in body
    assert 'value="newteacher"' in body
    assert not User.objects.filter(username="newteacher").exists()


def test_a_taken_username_is_refused_whatever_its_case(world, login):
    response = login("principal").post(
        _url("add", world),
        {"username": "Teacher", "full_name": "重名", "roles": ["teacher"], "password": ""},
    )
    assert "该用户名已被使用" in response.content.decode()


def test_roles_reaching_member_schools_are_not_offered_nor_granted(world, login):
    page = login("principal").get(_url("add", world)).content.decode()
    assert 'value="principal"' in page and 'value="central_principal"' not in page
    central = Role.objects.get(code="central_principal")
    with pytest.raises(ValidationError, match="只有系统管理员"):
        services.staff_set_roles(
            school=world.school,
            actor=world.user("principal"),
            membership=_membership(world, "teacher"),
            roles=[central],
        )
    assert _roles(_membership(world, "teacher")) == ["teacher"]


def test_an_office_administrator_cannot_grant_or_remove_rights_beyond_their_own(world, office):
    accountant = Role.objects.get(code="accountant")
    with pytest.raises(ValidationError, match="您自己没有的权限"):
        services.staff_add(
            school=world.school,
            actor=office,
            username="newacc",
            full_name="新会计",
            roles=[accountant],
        )
    for act in (services.staff_deactivate, services.staff_reset_password):
        with pytest.raises(ValidationError):
            act(school=world.school, actor=office, membership=_membership(world, "principal"))
    assert world.user("principal").is_active
    # What the office holds, it may hand out and take back.
    membership, _password = services.staff_add(
        school=world.school,
        actor=office,
        username="newteacher",
        full_name="韩老师",
        roles=[Role.objects.get(code="teacher")],
    )
    services.staff_deactivate(school=world.school, actor=office, membership=membership)


def test_roles_are_assigned_and_removed_and_audited(world, login):
    membership = _membership(world, "teacher")
    response = login("principal").post(
        _url("detail", world, membership.pk), {"roles": ["teacher", "storekeeper"]}
    )
    assert response.status_code == 302
    assert _roles(membership) == ["storekeeper", "teacher"]
    login("principal").post(_url("detail", world, membership.pk), {"roles": ["storekeeper"]})
    assert _roles(membership) == ["storekeeper"]
    added, removed = _events(world, "staff.roles_changed")
    assert added.data["added"] == ["storekeeper"] and removed.data["removed"] == ["teacher"]


def test_the_principal_cannot_take_away_their_own_staff_management(world, login):
    membership = _membership(world, "principal")
    response = login("principal").post(_url("detail", world, membership.pk), {"roles": ["teacher"]})
    assert response.status_code == 200
    assert "不能取消自己管理教职工的权限" in response.content.decode()
    assert _roles(membership) == ["principal"]


def test_a_leaver_is_deactivated_and_can_no_longer_log_in(world, login):
    teacher = login("teacher")
    membership = _membership(world, "teacher")
    assert login("principal").post(_url("deactivate", world, membership.pk)).status_code == 302
    world.user("teacher").refresh_from_db()
    assert not world.user("teacher").is_active and _roles(membership) == []
    assert teacher.get("/s/sdcz/").status_code == 302  # the open session has ended
    refused = Client().post("/accounts/login/", {"username": "teacher", "password": DEMO_PASSWORD})
    assert refused.status_code == 200
    (event,) = _events(world, "staff.deactivated")
    assert event.data == {"removed": ["teacher"], "account_deactivated": True}
    # Given a role again, the account works again.
    login("principal").post(_url("detail", world, membership.pk), {"roles": ["teacher"]})
    world.user("teacher").refresh_from_db()
    assert world.user("teacher").is_active


def test_a_member_who_also_works_elsewhere_only_leaves_this_school(world, login):
    teacher = world.user("teacher")
    Membership.objects.create(user=teacher, school=world.other).roles.set(
        [Role.objects.get(code="teacher")]
    )
    membership = _membership(world, "teacher")
    login("principal").post(_url("deactivate", world, membership.pk))
    teacher.refresh_from_db()
    assert teacher.is_active and _roles(membership) == []
    # Nor may this school's principal take the account over by resetting its password.
    response = login("principal").post(_url("password", world, membership.pk), {"password": ""})
    assert "也在其他学校工作" in response.content.decode()


def test_nobody_deactivates_themselves_nor_a_system_administrator(world, login):
    principal = _membership(world, "principal")
    login("principal").post(_url("deactivate", world, principal.pk))
    assert world.user("principal").is_active and _roles(principal) == ["principal"]
    admin = world.user("admin")
    Membership.objects.create(user=admin, school=world.school).roles.set(
        [Role.objects.get(code="teacher")]
    )
    for act in (services.staff_reset_password, services.staff_deactivate):
        with pytest.raises(ValidationError, match="系统管理员的账号"):
            act(
                school=world.school,
                actor=world.user("principal"),
                membership=_membership(world, "admin"),
            )
    admin.refresh_from_db()
    assert admin.is_active and admin.check_password(DEMO_PASSWORD)


def test_a_password_reset_shows_a_temporary_password_and_lifts_a_lockout(world, login):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "teacher", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="teacher").exists()
    membership = _membership(world, "teacher")
    response = login("principal").post(_url("password", world, membership.pk), {"password": ""})
    password = response.content.decode().split('<code class="fs-6">')[1].split("</code>")[0]
    assert not AccessAttempt.objects.filter(username="teacher").exists()
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "teacher", "password": password}).status_code
        == 302
    )
    (event,) = _events(world, "staff.password_reset")
    assert event.data == {"temporary": True}


def test_a_chosen_password_is_set_without_being_shown(world, login):
    membership = _membership(world, "teacher")
    response = login("principal").post(
        _url("password", world, membership.pk), {"password": "Grün-Tee-2026!"}
    )
    assert response.status_code == 302
    world.user("teacher").refresh_from_db()
    assert world.user("teacher").check_password("Grün-Tee-2026!")


def test_another_schools_member_is_not_found(world, login):
    theirs = Membership.objects.get(user__username="principal_xx")
    client = login("principal")
    for name in ("detail", "password"):
        assert client.get(_url(name, world, theirs.pk)).status_code == 404
    assert client.post(_url("deactivate", world, theirs.pk)).status_code == 404
    assert client.post(_url("detail", world, theirs.pk), {"roles": ["teacher"]}).status_code == 404
    world.user("principal_xx").refresh_from_db()
    assert world.user("principal_xx").is_active
    assert _roles(theirs) == ["principal"]


def test_the_staff_list_costs_the_same_queries_for_any_number_of_staff(world, login):
    client = login("principal")
    url = _url("list", world)
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    teacher = Role.objects.get(code="teacher")
    for i in range(15):
        user = User.objects.create_user(f"extra{i}", first_name=f"教师{i}")
        Membership.objects.create(user=user, school=world.school).roles.set([teacher])
    assert count() == few
    assert few <= 8


def test_working_staff_come_first_and_leavers_last(world, login):
    teacher = Role.objects.get(code="teacher")
    # No name: by name alone they would come first.
    leaver = User.objects.create_user("aaa_leaver", is_active=False)
    Membership.objects.create(user=leaver, school=world.school).roles.set([teacher])
    roleless = User.objects.create_user("aaa_norole")
    Membership.objects.create(user=roleless, school=world.school)
    body = login("principal").get(_url("list", world)).content.decode()
    principal = world.user("principal").first_name
    assert body.index(principal) < body.index("aaa_leaver")
    assert body.index(principal) < body.index("aaa_norole")
    assert body.count("已停用") >= 2


# --- Excel import --------------------------------------------------------------------------


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _import(client, world, data, name="staff.xlsx"):
    return client.post(_url("import", world), {"file": SimpleUploadedFile(name, data)})


def test_a_staff_list_is_imported_with_a_temporary_password_each(world, login):
    data = _xlsx(
        [
            ["用户名", "姓名", "角色"],
            ["t1001", "韩梅梅", "教师"],
            [1002, "李雷", "教师、保管员"],
            [None, None, None],
        ]
    )
    response = _import(login("principal"), world, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<code class="fs-6">') == 2
    assert _roles(_membership(world, "1002")) == ["storekeeper", "teacher"]
    assert User.objects.get(username="t1001").first_name == "韩梅梅"
    assert len(_events(world, "staff.added")) == 2
    (summary,) = _events(world, "staff.imported")
    assert summary.data == {"usernames": ["t1001", "1002"]}


def test_an_import_with_any_error_saves_nothing_and_names_each_row_and_column(world, login):
    data = _xlsx(
        [
            ["姓名", "用户名", "角色"],
            ["韩梅梅", "t1001", "教师"],
            ["", "t1002", "教师"],
            ["李雷", "teacher", "厨神"],
            ["王五", "t1001", "中心校长"],
            ["赵六", "bad name!", "教师"],
        ]
    )
    response = _import(login("principal"), world, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行“姓名”列：为空" in body
    assert "第 4 行“用户名”列：teacher 已被使用" in body
    assert "第 4 行“角色”列：没有名为“厨神”的角色" in body
    assert "第 5 行“用户名”列：t1001 在表中出现了两次" in body
    assert "第 5 行“角色”列：" in body and "只有系统管理员" in body
    assert "第 6 行“用户名”列：" in body
    assert not User.objects.filter(username__in=["t1001", "t1002"]).exists()
    assert not _events(world, "staff.added")


def test_an_import_without_a_needed_column_says_which(world, login):
    body = _import(login("principal"), world, _xlsx([["姓名", "角色"], ["韩梅梅", "教师"]]))
    assert "第 1 行：缺少“用户名”列" in body.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x" * (1024 * 1024 + 1), "文件超过 1 MB"),
        (b"not a workbook", "无法读取该文件"),
    ],
)
def test_an_oversized_or_broken_file_is_refused_before_it_is_parsed(world, login, data, message):
    response = _import(login("principal"), world, data)
    assert response.status_code == 200 and message in response.content.decode()


def test_a_sheet_declaring_a_huge_range_is_refused_before_its_rows_are_read(world, login):
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_xlsx([["用户名", "姓名", "角色"], ["t1", "甲", "教师"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b'<dimension ref="A1:C2" />', b'<dimension ref="A1:XFD5002" />'
                )
            target.writestr(item, content)
    response = _import(login("principal"), world, out.getvalue())
    assert "远超" in response.content.decode()
    assert not User.objects.filter(username="t1").exists()


def test_the_bench_seeder_gives_each_school_a_staff_list_the_page_shows(world, login):
    import random

    from logistics.staff.bench import PER_SCHOOL, seed_staff

    seed_staff([world.school, world.other], 1, random.Random(1))
    assert (
        Membership.objects.filter(school=world.other, user__username__startswith="bench_").count()
        == PER_SCHOOL
    )
    client = login("principal")
    client.get(_url("list", world))
    with CaptureQueriesContext(connection) as queries:
        body = client.get(_url("list", world)).content.decode()
    assert len(queries) <= 8
    # Fifty a page: the rest on the next.
    rest = client.get(_url("list", world) + "?page=2").content.decode()
    assert body.count("教工") + rest.count("教工") == PER_SCHOOL
    assert body.count('<li class="list-group-item d-flex') == 50
