"""Finance fixtures: the sdcz funds of 2026 with generous budget lines."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from finance import services
from finance.models import Category, Fund, FundKind
from logistics.attachments import clean_upload


@dataclass
class Funds:
    public: Fund
    meal: Fund
    earmarked: Fund


def make_funds(world) -> Funds:
    accountant = world.user("accountant")
    with scopes_disabled():
        school = world.school
        public = services.fund_create(
            school=school,
            actor=accountant,
            year=2026,
            kind=FundKind.PUBLIC,
            name="公用经费",
            amount=Decimal("1000000.00"),
        )
        meal = services.fund_create(
            school=school,
            actor=accountant,
            year=2026,
            kind=FundKind.MEAL,
            name="学生伙食费",
            amount=Decimal("300000.00"),
        )
        earmarked = services.fund_create(
            school=school,
            actor=accountant,
            year=2026,
            kind=FundKind.EARMARKED,
            name="校园安全专项资金",
            purpose="校园安全设施",
            allowed_categories=[Category.SAFETY],
            amount=Decimal("100000.00"),
        )
        for category in (Category.EQUIPMENT, Category.OFFICE, Category.REPAIR, Category.TEACHING):
            services.budget_line_set(
                school=school,
                actor=accountant,
                fund=public,
                category=category,
                amount=Decimal("200000.00"),
            )
        services.budget_line_set(
            school=school,
            actor=accountant,
            fund=meal,
            category=Category.FOOD,
            amount=Decimal("300000.00"),
        )
        services.budget_line_set(
            school=school,
            actor=accountant,
            fund=earmarked,
            category=Category.SAFETY,
            amount=Decimal("100000.00"),
        )
    return Funds(public, meal, earmarked)


@pytest.fixture
def funds(world) -> Funds:
    return make_funds(world)


def png_upload(name: str = "报价.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def clean_png(name: str = "报价.png"):
    return clean_upload(png_upload(name))


def three_quotes(amount: Decimal):
    return [
        services.QuoteInput("甲公司", amount),
        services.QuoteInput("乙公司", amount + 100),
        services.QuoteInput("丙公司", amount + 200),
    ]


def request(
    world,
    funds,
    *,
    who="teacher",
    amount="6000.00",
    category=Category.EQUIPMENT,
    fund=None,
    **kwargs,
):
    amount = Decimal(amount)
    kwargs.setdefault("quotes", three_quotes(amount))
    with scopes_disabled():
        return services.expense_create(
            school=world.school,
            actor=world.user(who),
            fund=fund or funds.public,
            category=category,
            purpose=kwargs.pop("purpose", "购买投影仪"),
            amount=amount,
            payee=kwargs.pop("payee", "甲公司"),
            **kwargs,
        )
