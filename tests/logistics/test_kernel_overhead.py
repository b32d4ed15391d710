"""What the kernel costs a school page before its view runs, and that nothing of it is stale.

The budget (docs/performance.md): one query more than a stock Django page with a login —
school, capabilities and the switcher's schools in one statement, read on every request.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from logistics import todos
from logistics.bench import stock_client
from logistics.models import Membership, Notification, Role
from logistics.registry import registry
from logistics.roles import capabilities_for
from tests.factories import SchoolFactory
from tests.logistics.factories import ApprovalFactory

pytestmark = pytest.mark.urls("logistics.bench_urls")


def test_a_stock_login_page_costs_the_session_and_the_user(world, django_assert_num_queries):
    client = stock_client()
    client.force_login(world.user("principal"))
    with django_assert_num_queries(2):
        response = client.get("/__stock__/bare/")
    assert response.status_code == 200
    # None of the project's middleware ran: no CSP header, no school on the request.
    assert "Content-Security-Policy" not in response
    assert not hasattr(response.wsgi_request, "school")


def test_a_trivial_school_page_costs_one_query_more(world, login, django_assert_num_queries):
    client = login("principal")
    with django_assert_num_queries(3):  # session, user, access
        response = client.get("/s/sdcz/__bench__/trivial/")
    assert response.status_code == 200
    assert response.wsgi_request.capabilities >= {"dashboard.view"}


def test_the_layout_and_its_switcher_add_no_query(world, login, django_assert_num_queries):
    client = login("central")
    with django_assert_num_queries(3):  # session, user, access
        body = client.get("/s/sdcz/__bench__/bare/").content.decode()
    switcher = body[body.index('id="school-switcher"') :]
    assert switcher.index("/s/sdzx/") < switcher.index("/s/sdcz/") < switcher.index("/s/sdxx/")
    assert 'dropdown-item active" href="/s/sdcz/"' in switcher
    # The layout's links and assets, made once per school (layout_urls), point where they did.
    for link in (
        'href="/static/vendor/bootstrap/bootstrap.min.css"',
        'href="/s/sdcz/audit/"',
        'href="/accounts/password_change/"',
        'action="/accounts/logout/"',
        'action="/i18n/setlang/"',
    ):
        assert link in body, link


def test_an_inactive_school_leaves_the_switcher_and_answers_404(world, login):
    SchoolFactory(code="sdold", name="旧校", parent=world.central, is_active=False)
    client = login("central")
    assert "/s/sdold/" not in client.get("/s/sdcz/").content.decode()
    assert client.get("/s/sdold/").status_code == 404


def test_a_role_given_is_seen_on_the_next_request(world, login):
    client = login("teacher")
    assert client.get("/s/sdcz/audit/").status_code == 403
    with scopes_disabled():
        membership = Membership.objects.get(user=world.user("teacher"), school=world.school)
    membership.roles.add(Role.objects.get(code="director"))
    assert client.get("/s/sdcz/audit/").status_code == 200
    membership.roles.remove(Role.objects.get(code="director"))
    assert client.get("/s/sdcz/audit/").status_code == 403


def test_a_membership_removed_is_seen_on_the_next_request(world, login):
    client = login("teacher")
    assert client.get("/s/sdcz/").status_code == 200
    with scopes_disabled():
        Membership.objects.filter(user=world.user("teacher")).delete()
    assert client.get("/s/sdcz/").status_code == 404


def test_a_central_role_that_stops_reaching_members_is_seen_on_the_next_request(world, login):
    client = login("central")
    assert client.get("/s/sdcz/").status_code == 200
    Role.objects.filter(code="central_principal").update(reaches_members=False)
    assert client.get("/s/sdcz/").status_code == 404
    assert client.get("/s/sdzx/").status_code == 200


def test_a_capability_taken_from_a_role_is_seen_on_the_next_request(world, login):
    client = login("director")
    assert client.get("/s/sdcz/audit/").status_code == 200
    role = Role.objects.get(code="director")
    role.capabilities = [c for c in role.capabilities if c != "audit.view"]
    role.save()
    assert client.get("/s/sdcz/audit/").status_code == 403


def test_a_deactivated_user_is_logged_out_on_the_next_request(world, login):
    client = login("principal")
    assert client.get("/s/sdcz/").status_code == 200
    user = world.user("principal")
    user.is_active = False
    user.save()
    assert client.get("/s/sdcz/").url.startswith("/accounts/login/")


def test_row_history_context_is_opened_for_writes_only(world, login, monkeypatch):
    """pghistory's middleware would load the session and user on every GET otherwise."""
    import pghistory.middleware

    methods = []
    original = pghistory.middleware.HistoryMiddleware.get_context

    def recording(self, request):
        methods.append(request.method)
        return original(self, request)

    monkeypatch.setattr(pghistory.middleware.HistoryMiddleware, "get_context", recording)
    client = login("principal")
    client.get("/s/sdcz/")
    assert methods == []
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/s/sdcz/"})
    assert methods == ["POST"]


def _to_dos_for_the_principal(world, n: int) -> None:
    ApprovalFactory.create_batch(
        n,
        school=world.school,
        requested_by=world.user("teacher"),
        current_capability="audit.view",
        current_step=1,
    )
    with scopes_disabled():
        Notification.objects.bulk_create(
            Notification(school=world.school, user=world.user("principal"), text="催办", url="/")
            for _ in range(n)
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboards_queries_do_not_grow_with_its_to_dos(world, login):
    client = login("principal")
    _to_dos_for_the_principal(world, 1)
    few = _queries(client, "/s/sdcz/")
    _to_dos_for_the_principal(world, 24)
    assert _queries(client, "/s/sdcz/") == few
    # session, user, access, and at most one query per app with to-dos
    apps = {provider.__module__.split(".")[0] for provider in registry.todo_providers}
    assert few <= 3 + len(apps)


def test_the_kernels_to_dos_are_one_query_and_see_each_new_value(world, django_assert_num_queries):
    principal = world.user("principal")
    caps = capabilities_for(principal, world.school)
    with scope(school=world.school.pk), django_assert_num_queries(1):
        assert list(todos.kernel_todos(world.school, principal, caps)) == []
    _to_dos_for_the_principal(world, 3)
    with scope(school=world.school.pk), django_assert_num_queries(1):
        found = list(todos.kernel_todos(world.school, principal, caps))
    assert [(t.count, t.level) for t in found] == [(3, "danger")] + [(1, "info")] * 3
    assert found[1].text == "催办" and found[1].url == "/"
    # Another user, another school: nothing of the principal's is frozen into the query.
    director = world.user("director")
    with scope(school=world.school.pk):
        assert list(todos.kernel_todos(world.school, director, caps)) == [
            t for t in found if t.level == "danger"
        ]
    with scope(school=world.other.pk):
        assert list(todos.kernel_todos(world.other, principal, caps)) == []
