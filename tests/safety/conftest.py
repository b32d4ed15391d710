"""Safety fixtures: sdcz with the default checklists installed, photos, dates."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from logistics.attachments import clean_upload
from safety import services
from safety.models import Area, Checklist, Result


def png_upload(name: str = "现场.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def clean_png(name: str = "现场.png"):
    return clean_upload(png_upload(name))


def install(world) -> dict[str, Checklist]:
    with scopes_disabled():
        services.checklists_install_defaults(school=world.school, actor=world.user("safety"))
        return {c.area: c for c in Checklist.objects.filter(school=world.school)}


@pytest.fixture
def checklists(world) -> dict[str, Checklist]:
    return install(world)


def soon(days: int = 7) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def answer_all(world, inspection, *, fail_first: bool = False, owner="director"):
    """Answer every item so that it passes (the first one fails when asked)."""
    with scopes_disabled():
        for n, item in enumerate(inspection.items.all()):
            kwargs: dict = {"result": Result.PASS}
            if item.kind == "number":
                kwargs["number"] = item.min_value if item.min_value is not None else item.max_value
            if item.kind == "text":
                kwargs["answer"] = "正常"
            if item.kind == "photo":
                kwargs["photo"] = clean_png()
            if fail_first and n == 0:
                kwargs.update(
                    result=Result.FAIL, note="压力不足", owner=world.user(owner), deadline=soon()
                )
                kwargs.pop("number", None)
                if item.kind == "number":
                    kwargs["number"] = (item.min_value or item.max_value) - 100
            services.inspection_item_answer(
                school=world.school, actor=world.user("safety"), item=item, **kwargs
            )


def finished_inspection(world, checklists, *, fail_first=True, area=Area.FIRE):
    with scopes_disabled():
        inspection = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=checklists[area]
        )
    answer_all(world, inspection, fail_first=fail_first)
    with scopes_disabled():
        return services.inspection_finish(
            school=world.school,
            actor=world.user("safety"),
            inspection=inspection,
            signed_name="冯安全",
        )
