"""Demo schools and accounts (DOMAIN.md personas). Apps add their demo records."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from logistics.models import Membership, Role, School
from logistics.roles import sync_default_roles

DEMO_PASSWORD = "demo12345"  # nosec B105  # the demo's published password (README)

SCHOOLS = [
    # code, name, parent code
    ("sdzx", "石道中心学校", None),
    ("sdcz", "石道初级中学", "sdzx"),
    ("sdxx", "石道中心小学", "sdzx"),
]

# username, full name, school code, role codes, description shown by `make run`
ACCOUNTS = [
    ("central", "陈中心", "sdzx", ["central_principal"], "中心校长 石道中心学校"),
    ("principal", "王校长", "sdcz", ["principal"], "校长 石道初级中学"),
    ("director", "李总务", "sdcz", ["director"], "总务主任"),
    ("accountant", "赵会计", "sdcz", ["accountant"], "会计"),
    ("finance", "钱理财", "sdcz", ["finance_member"], "理财小组成员"),
    (
        "canteen",
        "孙食堂",
        "sdcz",
        ["canteen_manager", "food_safety_officer"],
        "食堂管理员 + 食品安全管理员",
    ),
    ("cook", "周师傅", "sdcz", ["canteen_staff"], "食堂从业人员"),
    ("committee", "吴家长", "sdcz", ["committee"], "膳食委员会成员"),
    ("doctor", "郑校医", "sdcz", ["doctor"], "校医"),
    ("safety", "冯安全", "sdcz", ["safety_officer"], "安全员"),
    ("storekeeper", "陈保管", "sdcz", ["storekeeper"], "保管员"),
    ("teacher", "褚老师", "sdcz", ["teacher"], "教师"),
    ("guard", "卫门卫", "sdcz", ["guard"], "门卫"),
    ("principal_xx", "蒋校长", "sdxx", ["principal"], "校长 石道中心小学"),
]


@transaction.atomic
def load_schools_and_accounts() -> list[tuple[str, str]]:
    """Idempotent: creates what is missing, resets demo passwords. Returns (username, what)."""
    sync_default_roles()
    schools: dict[str, School] = {}
    for code, name, parent in SCHOOLS:
        schools[code], _ = School.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": schools.get(parent) if parent else None,
                "address": f"{name}（石道镇）",
                "complaint_phone": "0750-1234567",
            },
        )
    roles = {r.code: r for r in Role.objects.all()}
    User = get_user_model()
    listed = []
    for username, full_name, school_code, role_codes, what in ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.set_password(DEMO_PASSWORD)
        user.save()
        membership, _ = Membership.objects.get_or_create(user=user, school=schools[school_code])
        membership.roles.set([roles[c] for c in role_codes])
        listed.append((username, what))
    admin, _ = User.objects.get_or_create(username="admin")
    admin.first_name = "系统管理员"
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    listed.append(("admin", "系统管理员 /admin/"))
    return listed
