"""The inspection pack: every ledger of a period in one PDF with a table of contents and one
workbook, made by the worker's task (run here directly) and then downloaded."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from canteen import packs, services
from canteen.ledgers import LEDGERS
from canteen.models import InspectionPack
from tests.canteen.conftest import TODAY

pytestmark = pytest.mark.django_db


def _pack(world, days=7):
    with scopes_disabled():
        return services.pack_request(
            school=world.school,
            actor=world.user("director"),
            start=TODAY() - datetime.timedelta(days=days - 1),
            end=TODAY(),
        )


def test_the_pack_has_a_table_of_contents_and_every_ledger_in_one_pdf_and_one_workbook(
    world, kitchen
):
    with scopes_disabled():
        services.samples_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            entries=[services.SampleInput(kitchen.dishes[0], Decimal("130"))],
        )
        titles = [str(ledger.title) for ledger in LEDGERS.values()]
    pack = _pack(world)
    assert pack.status == InspectionPack.PENDING
    pack = packs.build_pack(pack.pk)
    assert (pack.status, pack.progress) == ("done", 100)
    assert pack.pdf.name.startswith(f"canteen/packs/{world.school.code}/")

    reader = pypdf.PdfReader(pack.pdf.open("rb"))
    contents = reader.pages[0].extract_text()
    assert "目录" in contents and "食堂食品安全检查资料" in contents
    text = "\n".join(page.extract_text() for page in reader.pages[1:])
    for title in titles:
        assert title in contents and title in text, title
    assert kitchen.dishes[0].name in text

    book = load_workbook(io.BytesIO(pack.xlsx.open("rb").read()))
    assert book.sheetnames == [t[:31] for t in titles]


def test_a_pack_covers_a_period_of_at_most_200_days_that_ends_after_it_starts(world):
    with pytest.raises(ValidationError):
        _pack(world, days=packs.MAX_DAYS + 1)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.pack_request(
            school=world.school,
            actor=world.user("director"),
            start=TODAY(),
            end=TODAY() - datetime.timedelta(days=1),
        )
    assert _pack(world, days=packs.MAX_DAYS).status == "pending"


def test_the_page_shows_the_progress_then_the_two_downloads(world, login):
    client = login("director")
    response = client.post(
        reverse("canteen:pack_list", args=[world.school.code]),
        {"start": (TODAY() - datetime.timedelta(days=3)).isoformat(), "end": TODAY().isoformat()},
    )
    with scopes_disabled():
        pack = InspectionPack.objects.get()
    assert response["Location"].endswith(f"/packs/{pack.pk}/")
    detail = reverse("canteen:pack_detail", args=[world.school.code, pack.pk])
    part = client.get(detail, {"part": 1}).content.decode()
    assert "hx-get" in part and "进度" in part
    download = reverse("canteen:pack_download", args=[world.school.code, pack.pk, "pdf"])
    assert client.get(download).status_code == 404
    packs.build_pack(pack.pk)
    part = client.get(detail, {"part": 1}).content.decode()
    assert "hx-get" not in part and download in part
    got = client.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    xlsx = client.get(reverse("canteen:pack_download", args=[world.school.code, pack.pk, "xlsx"]))
    assert xlsx.status_code == 200


def test_only_the_canteen_managers_make_a_pack(world, login):
    url = reverse("canteen:pack_list", args=[world.school.code])
    data = {"start": TODAY().isoformat(), "end": TODAY().isoformat()}
    assert login("committee").get(url).status_code == 200
    assert login("committee").post(url, data).status_code == 403
    with scopes_disabled():
        assert not InspectionPack.objects.exists()
