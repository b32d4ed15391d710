"""Personal data: who viewed it in full is logged and readable by the principal; personal
fields are blanked after the retention period by the registered anonymisers."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scopes_disabled

from logistics.models import PersonalDataView
from logistics.privacy import record_personal_view
from logistics.registry import registry


def _view(world, who="accountant", what="资助申请 #1 身份证号"):
    request = RequestFactory().get("/s/sdcz/finance/aid/1/")
    request.school, request.user = world.school, world.user(who)
    with scopes_disabled():
        record_personal_view(request, what=what, obj=world.user(who))


def test_the_principal_reads_who_viewed_personal_data(world, login):
    _view(world)
    page = login("principal").get(reverse("privacy_log", args=["sdcz"])).content.decode()
    assert "资助申请 #1 身份证号" in page and "/s/sdcz/finance/aid/1/" in page
    assert login("accountant").get(reverse("privacy_log", args=["sdcz"])).status_code == 403


def test_the_view_log_cannot_be_changed_or_deleted(world):
    _view(world)
    with scopes_disabled():
        for change in (
            lambda: PersonalDataView.objects.update(what="x"),
            lambda: PersonalDataView.objects.all().delete(),
        ):
            with pytest.raises(Exception, match="Cannot"), transaction.atomic():
                change()


@pytest.mark.parametrize("n", [1, 30])
def test_the_view_log_query_count_does_not_grow(world, login, django_assert_max_num_queries, n):
    for _ in range(n):
        _view(world)
    client = login("principal")
    client.get(reverse("privacy_log", args=["sdcz"]))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("privacy_log", args=["sdcz"]))
    assert response.content.decode().count("资助申请") == n


def test_anonymisers_get_the_retention_cut_off(world, settings, monkeypatch):
    from django.utils import timezone

    seen = []
    registry.anonymiser("test", lambda before: seen.append(before) or 0)
    try:
        settings.PERSONAL_DATA_RETENTION_YEARS = 3
        monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2028, 2, 29))
        call_command("anonymise_personal_data")
        call_command("anonymise_personal_data", years=1)
    finally:
        del registry.anonymisers["test"]
    assert seen == [datetime.date(2025, 2, 28), datetime.date(2027, 2, 28)]
