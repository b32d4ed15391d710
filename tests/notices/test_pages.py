"""Staff pages: query counts that do not grow, actions through the forms."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from logistics.notices.models import Notice
from tests.notices.helpers import draft, fee_snapshot, published


@pytest.mark.parametrize("n", [1, 55])
def test_staff_list_query_count_does_not_grow(world, login, django_assert_num_queries, n):
    for i in range(n):
        (published if i % 2 else draft)(world, snapshot=fee_snapshot(title=f"公示{i}"))
    client = login("teacher")
    # session, user, access (school, capabilities, switcher), count, page
    with django_assert_num_queries(5):
        response = client.get("/s/sdcz/notices/")
    assert response.content.decode().count("list-group-item-action") == min(n, 50)


def test_the_staff_list_shows_each_notices_author_status_and_another_schools_none(world, login):
    published(world, snapshot=fee_snapshot(title="本校公示"))
    draft(world, world.other, snapshot=fee_snapshot(title="他校公示"))
    page = login("teacher").get("/s/sdcz/notices/").content.decode()
    director = world.user("director")
    assert "本校公示" in page and "他校公示" not in page
    # By their full name, as get_full_name() gives it; "已发布": published, in Chinese.
    assert f"{director.get_full_name()} · " in page and "已发布" in page
    drafts = login("teacher").get("/s/sdcz/notices/?status=draft").content.decode()
    assert "本校公示" not in drafts


@pytest.mark.parametrize("rows", [1, 200])
def test_detail_query_count_does_not_grow_with_rows(world, login, django_assert_num_queries, rows):
    notice = published(world, snapshot=fee_snapshot(rows=rows))
    client = login("director")
    client.get(f"/s/sdcz/notices/{notice.pk}/")  # warm the per-session caches
    with django_assert_num_queries(8):
        client.get(f"/s/sdcz/notices/{notice.pk}/")


def test_principal_signs_on_the_notice_page_and_it_is_published(world, login):
    notice = draft(world)
    assert login("director").post(f"/s/sdcz/notices/{notice.pk}/submit/").status_code == 302
    with scopes_disabled():
        notice.refresh_from_db()
    page = login("principal").get(f"/s/sdcz/notices/{notice.pk}/").content.decode()
    assert 'value="sign"' in page
    response = login("principal").post(
        f"/s/sdcz/approvals/{notice.approval_id}/act/", {"action": "sign", "step": 0}
    )
    assert response.status_code == 302
    with scopes_disabled():
        notice.refresh_from_db()
    assert notice.status == Notice.PUBLISHED


def test_a_bad_publication_period_is_refused_and_the_draft_kept(world, login):
    notice = draft(world)
    response = login("director").post(
        f"/s/sdcz/notices/{notice.pk}/edit/",
        {"notes": "新的说明", "publication_days": 0},
        follow=True,
    )
    assert "确保该值大于或等于1" in response.content.decode()
    with scopes_disabled():
        notice.refresh_from_db()
    assert notice.snapshot["publication_days"] == 7 and notice.snapshot["notes"] == "多退少补。"


def test_withdrawing_without_a_reason_is_refused(world, login):
    notice = published(world)
    response = login("principal").post(
        f"/s/sdcz/notices/{notice.pk}/withdraw/", {"reason": ""}, follow=True
    )
    assert "请填写撤回公示的原因" in response.content.decode()
    with scopes_disabled():
        notice.refresh_from_db()
    assert notice.status == Notice.PUBLISHED


def test_another_schools_notice_is_not_found_under_our_address(world, login):
    theirs = published(world, world.other)
    for suffix in ("", "table/"):
        assert login("director").get(f"/s/sdcz/notices/{theirs.pk}/{suffix}").status_code == 404
    assert (
        login("principal")
        .post(f"/s/sdcz/notices/{theirs.pk}/withdraw/", {"reason": "x"})
        .status_code
        == 404
    )
