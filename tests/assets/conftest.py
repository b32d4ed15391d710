"""Assets fixtures: sdcz's locations, categories, a few register lines and stock items."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from assets import services
from assets.models import Asset, Category, Location, StockItem


@dataclass
class Place:
    building: Location
    floor: Location
    room: Location  # 初一(1)班教室
    office: Location
    store: Location  # 总务仓库
    categories: dict[str, Category]


def make_place(world, school=None) -> Place:
    school = school or world.school
    director = world.user("director") if school == world.school else world.user("principal_xx")
    with scopes_disabled():
        services.categories_install_defaults(school=school, actor=director)
        building = services.location_create(
            school=school, actor=director, name="教学楼", parent=None
        )
        floor = services.location_create(
            school=school, actor=director, name="二楼", parent=building
        )
        room = services.location_create(
            school=school, actor=director, name="初一(1)班教室", parent=floor
        )
        office = services.location_create(
            school=school, actor=director, name="总务处", parent=floor
        )
        store = services.location_create(
            school=school, actor=director, name="总务仓库", parent=floor
        )
        categories = {c.code: c for c in Category.objects.filter(school=school)}
    return Place(building, floor, room, office, store, categories)


@pytest.fixture
def place(world) -> Place:
    return make_place(world)


def register(world, place, *, code="ZC-0001", name="投影仪", price="3000.00", **kwargs) -> Asset:
    kwargs.setdefault("category", place.categories["02"])
    with scopes_disabled():
        return services.asset_create(
            school=world.school,
            actor=world.user("director"),
            data=services.AssetInput(code=code, name=name, price=Decimal(price), **kwargs),
        )


def stocked(world, place, name="粉笔", quantity=10) -> StockItem:
    with scopes_disabled():
        item = services.stock_item_create(
            school=world.school, actor=world.user("storekeeper"), name=name, unit="盒", low_level=2
        )
        if quantity:
            services.stock_in(
                school=world.school,
                actor=world.user("storekeeper"),
                item=item,
                location=place.store,
                quantity=quantity,
                unit_price=Decimal("5.00"),
                supplier="文具店",
            )
    return item


def png_upload(name: str = "照片.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
