"""Queries compiled once and run with each call's values (logistics.prepared)."""

from __future__ import annotations

import pytest
from django.db.models import CharField, DateField
from django_scopes import scopes_disabled

from logistics.models import Notification
from logistics.prepared import AnyOf, Param, ParamList, Prepared, PreparedList, counts
from logistics.selectors import paginate


@pytest.fixture(autouse=True)
def _unscoped():
    with scopes_disabled():
        yield


def _notes(world, school, user, *texts) -> None:
    Notification.objects.bulk_create(
        Notification(school=school, user=world.user(user), text=t, url="/") for t in texts
    )


def test_a_prepared_query_is_built_once_and_bound_anew_on_every_call(world):
    _notes(world, world.school, "principal", "甲", "乙")
    _notes(world, world.other, "principal_xx", "丙")
    built = []

    def build():
        built.append(1)
        return counts(
            notes=Notification.objects.filter(
                AnyOf("text", ParamList("texts")), school=Param("school")
            )
        )

    query = Prepared(build)
    assert query.row(school=world.school.pk, texts=["甲", "乙"]) == {"notes": 2}
    assert query.row(school=world.school.pk, texts=["甲"]) == {"notes": 1}
    assert query.row(school=world.school.pk, texts=[]) == {"notes": 0}
    assert query.row(school=world.other.pk, texts=["丙"]) == {"notes": 1}
    assert len(built) == 1


def test_a_value_left_out_is_an_error_not_a_null(world):
    query = Prepared(lambda: counts(notes=Notification.objects.filter(school=Param("school"))))
    with pytest.raises(KeyError):
        query.row()


def test_dates_are_bound_as_parameters(world):
    _notes(world, world.school, "principal", "甲")
    query = Prepared(
        lambda: counts(
            notes=Notification.objects.filter(
                school=Param("school"), created_at__date__lte=Param("day", DateField())
            )
        )
    )
    today = Notification.objects.get(text="甲").created_at.date()
    assert query.row(school=world.school.pk, day=today) == {"notes": 1}
    assert query.row(school=world.school.pk, day=today.replace(year=today.year - 1)) == {"notes": 0}


def _notes_filtered(by_text: bool):
    qs = Notification.objects.filter(school=Param("school"))
    return qs.filter(text=Param("text", CharField())) if by_text else qs


def _notes_shown(qs):
    return qs.order_by("text").values("text")


def test_a_prepared_list_pages_and_counts_per_school_and_filter(world):
    _notes(world, world.school, "principal", *[f"通知{i:02}" for i in range(55)])
    _notes(world, world.other, "principal_xx", "别校")

    def listed(school, text=""):
        return PreparedList(
            _notes_filtered, _notes_shown, (bool(text),), school=school.pk, text=text
        )

    page = paginate(listed(world.school), "2")
    assert page.paginator.count == 55 and [n.text for n in page] == [
        f"通知{i:02}" for i in range(50, 55)
    ]
    assert [n.text for n in paginate(listed(world.other), "1")] == ["别校"]
    assert [n.text for n in paginate(listed(world.school, "通知07"), "1")] == ["通知07"]
    assert paginate(listed(world.other, "通知07"), "1").paginator.count == 0
