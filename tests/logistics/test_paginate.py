"""A text search pages without counting its matches (logistics.selectors.paginate)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from logistics.selectors import paginate


def _users(n):
    User = get_user_model()
    User.objects.bulk_create(User(username=f"reader{i:03}") for i in range(n))
    return User.objects.filter(username__startswith="reader").order_by("username")


def test_an_uncounted_page_knows_its_neighbours_without_a_count(db):
    users = _users(120)
    with CaptureQueriesContext(connection) as queries:
        first = paginate(users, "1", counted=False)
        names = [u.username for u in first]
    assert len(queries) == 1 and "COUNT" not in queries[0]["sql"]
    assert names == [f"reader{i:03}" for i in range(50)]
    assert first.has_next() and not first.has_previous()
    last = paginate(users, "3", counted=False)
    assert [u.username for u in last][-1] == "reader119" and len(last) == 20
    assert last.has_previous() and not last.has_next()
    assert not paginate(users, "9", counted=False).object_list  # past the end: empty, no error
    assert paginate(users, "x", counted=False)[0].username == "reader000"


def test_the_page_links_name_no_total_when_uncounted(rf, db):
    users = _users(60)
    request = rf.get("/?q=reader&page=1")
    with translation.override("zh-hans"):
        uncounted = render_to_string(
            "_pagination.html", {"page": paginate(users, "1", counted=False), "request": request}
        )
        counted = render_to_string(
            "_pagination.html", {"page": paginate(users, "1"), "request": request}
        )
    assert "第 1 页" in uncounted and "共" not in uncounted and "page=2" in uncounted
    assert "第 1 页，共 2 页" in counted
