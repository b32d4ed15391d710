"""Canteen fixtures: sdcz's kitchen staff, an approved supplier and today's lunch menu."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from canteen import services
from canteen.models import MenuDish, StaffMember, Supplier
from logistics import approvals
from logistics.attachments import clean_upload

TODAY = timezone.localdate


@dataclass
class Kitchen:
    cook: StaffMember  # 周师傅, the `cook` account
    manager: StaffMember  # 孙食堂, the `canteen` account
    helper: StaffMember
    supplier: Supplier  # approved for rice and vegetables
    dishes: list[MenuDish]  # today's lunch


def clean_png(name: str = "留样.png"):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="PNG")
    return clean_upload(SimpleUploadedFile(name, out.getvalue(), content_type="image/png"))


def staff(world, name, position, user=None, expires=None) -> StaffMember:
    with scopes_disabled():
        return services.staff_save(
            school=world.school,
            actor=world.user("canteen"),
            name=name,
            position=position,
            certificate_no=f"JK-{name}",
            certificate_expires=expires or TODAY() + datetime.timedelta(days=200),
            user=user,
        )


def supplier(
    world,
    name="石道粮油店",
    code="91440700MA00000001",
    categories=("rice", "vegetables"),
    licence_expires=None,
    approve=True,
) -> Supplier:
    school = world.school
    with scopes_disabled():
        s = services.supplier_save(
            school=school,
            actor=world.user("director"),
            name=name,
            credit_code=code,
            licence_no="JY14407000000001",
            licence_expires=licence_expires or TODAY() + datetime.timedelta(days=365),
            categories=list(categories),
        )
        if approve:
            approve_list(world, [s])
    return s


def approve_list(world, suppliers):
    with scopes_disabled():
        lst = services.supplier_list_submit(
            school=world.school,
            actor=world.user("director"),
            title="2026年定点供应商",
            valid_from=TODAY() - datetime.timedelta(days=30),
            valid_until=TODAY() + datetime.timedelta(days=300),
            suppliers=suppliers,
        )
        approvals.approval_sign(
            school=world.school, actor=world.user("principal"), approval_id=lst.approval_id, step=0
        )
        lst.refresh_from_db()
    return lst


def lunch(world, names=("红烧肉", "清炒白菜", "番茄蛋汤"), date=None) -> list[MenuDish]:
    with scopes_disabled():
        return services.menu_set(
            school=world.school,
            actor=world.user("canteen"),
            date=date or TODAY(),
            meal="lunch",
            dishes=[(n, 150) for n in names],
        )


def make_kitchen(world) -> Kitchen:
    return Kitchen(
        cook=staff(world, "周师傅", "cook", world.user("cook")),
        manager=staff(world, "孙食堂", "manager", world.user("canteen")),
        helper=staff(world, "李帮厨", "helper"),
        supplier=supplier(world),
        dishes=lunch(world),
    )


@pytest.fixture
def kitchen(world) -> Kitchen:
    return make_kitchen(world)


def line(**kw) -> services.LineInput:
    base = {
        "name": "大米",
        "category": "rice",
        "quantity": Decimal("50"),
        "unit": "kg",
        "unit_price": Decimal("5.20"),
    }
    return services.LineInput(**(base | kw))
