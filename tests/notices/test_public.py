"""The public board and verification pages: no login, nothing unpublished, masked data."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from logistics.notices import services
from tests.notices.helpers import TITLE, draft, fee_snapshot, publish, published


@pytest.fixture
def anonymous():
    return Client()


def test_board_shows_published_notices_only_and_needs_no_login(world, anonymous):
    on_board = published(world)
    waiting = draft(world, snapshot=fee_snapshot(title="草稿中的公示"))
    theirs = draft(world, world.other, snapshot=fee_snapshot(title="别校草稿"), user="principal_xx")
    page = anonymous.get("/public/sdcz/").content.decode()
    assert on_board.title in page and on_board.verify_code in page
    assert "草稿中的公示" not in page and waiting.verify_code not in page
    assert "别校草稿" not in page and theirs.verify_code not in page
    assert anonymous.get("/public/nosuch/").status_code == 404


def test_unpublished_notice_pages_are_not_found(world, anonymous):
    notice = draft(world)
    for suffix in ("", "pdf/", "xlsx/"):
        assert anonymous.get(f"/public/sdcz/{notice.verify_code}/{suffix}").status_code == 404
    assert anonymous.get(f"/verify/{notice.verify_code}/").status_code == 404


def test_a_notice_is_not_shown_under_another_schools_address(world, anonymous):
    notice = published(world)
    assert anonymous.get(f"/public/sdxx/{notice.verify_code}/").status_code == 404


@pytest.mark.parametrize("n", [1, 12])
def test_board_query_count_does_not_grow(world, anonymous, django_assert_max_num_queries, n):
    for i in range(n):
        published(world, snapshot=fee_snapshot(title=f"公示{i}"))
    # Filling the cache: the school, a cache read, the notices, the archive's months, and
    # the database cache's write (its cull count, read, insert and savepoint).
    with django_assert_max_num_queries(9):
        response = anonymous.get("/public/sdcz/")
    assert response.content.decode().count('class="fw-bold"') == n


def test_a_cached_board_costs_two_queries_and_changes_with_each_publication(
    world, anonymous, login, django_assert_num_queries
):
    first = published(world)
    assert first.verify_code in anonymous.get("/public/sdcz/").content.decode()
    with django_assert_num_queries(2):  # the school, the cached page
        assert first.verify_code in anonymous.get("/public/sdcz/").content.decode()
    second = published(world, snapshot=fee_snapshot(title="第二份公示"))
    page = anonymous.get("/public/sdcz/").content.decode()
    assert second.verify_code in page and first.verify_code in page
    with scopes_disabled():
        services.notice_withdraw(
            school=world.school, actor=world.user("principal"), notice_id=first.pk, reason="错"
        )
    page = anonymous.get("/public/sdcz/").content.decode()
    assert second.verify_code in page and first.verify_code not in page


def test_the_board_keeps_nothing_of_the_visitor_who_filled_the_cache(world, anonymous, login):
    published(world)
    staff = login("principal")
    first = staff.get("/public/sdcz/")
    assert first.status_code == 200
    page = anonymous.get("/public/sdcz/").content.decode()
    assert page == first.content.decode()
    principal = world.user("principal")
    assert "csrfmiddlewaretoken" not in page and "X-CSRFToken" not in page
    assert principal.get_full_name() not in page and "/accounts/logout/" not in page


def test_archive_by_month_lists_superseded_versions_too(world, anonymous):
    first = published(world)
    with scopes_disabled():
        second = services.notice_correct(
            school=world.school, actor=world.user("director"), notice_id=first.pk
        )
    publish(world, second)
    month = first.published_at.astimezone().strftime("%Y-%m")
    page = anonymous.get(f"/public/sdcz/?month={month}").content.decode()
    assert first.verify_code in page and second.verify_code in page
    assert anonymous.get("/public/sdcz/?month=nonsense").status_code == 404


def test_verify_says_current_superseded_or_withdrawn(world, anonymous):
    first = published(world)
    page = anonymous.get(f"/verify/{first.verify_code.lower()}/").content.decode()
    assert "现行版本" in page
    with scopes_disabled():
        second = services.notice_correct(
            school=world.school, actor=world.user("director"), notice_id=first.pk
        )
    second = publish(world, second)
    page = anonymous.get(f"/verify/{first.verify_code}/").content.decode()
    assert "已被更正版本取代" in page
    assert f"/public/sdcz/{second.verify_code}/" in page
    with scopes_disabled():
        services.notice_withdraw(
            school=world.school,
            actor=world.user("principal"),
            notice_id=second.pk,
            reason="收费标准调整",
        )
    page = anonymous.get(f"/verify/{second.verify_code}/").content.decode()
    assert "已撤回" in page and "收费标准调整" in page


def test_public_page_masks_names_and_id_numbers(world, anonymous):
    notice = published(world)
    page = anonymous.get(f"/public/sdcz/{notice.verify_code}/").content.decode()
    assert "张*明" in page and "张三明" not in page
    assert "**************0000" in page and "440101201001010000" not in page
    assert TITLE in page and "¥3,706.50" in page


def test_staff_who_prepare_notices_see_personal_data_in_full_others_masked(world, login):
    notice = published(world)
    url = f"/s/sdcz/notices/{notice.pk}/"
    assert "张三明" in login("director").get(url).content.decode()
    teacher_view = login("teacher").get(url).content.decode()
    assert "张*明" in teacher_view and "张三明" not in teacher_view
