"""The permission matrix over every URL pattern (see tests/matrix.py)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import tests
from tests.matrix import Row

# URL names outside the matrix, with the reason.
NOT_IN_MATRIX = {
    "login": "the login page itself (tested in tests/logistics/test_accounts.py)",
    "logout": "POST only; tested with login",
    "password_change_done": "a static confirmation",
    "set_language": "Django's language switch, tested in the browser test",
    "healthz": "public health probe (tests/logistics/test_health.py)",
}


def _rows() -> list[Row]:
    rows: list[Row] = []
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith(".permission_rows"):
            rows.extend(importlib.import_module(module.name).ROWS)
    return rows


ROWS = _rows()


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django's admin: staff only, its own permission checks
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= _names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def test_every_url_is_in_the_matrix():
    covered = {r.name for r in ROWS} | set(NOT_IN_MATRIX)
    missing = _names(get_resolver()) - covered
    assert not missing, f"URL patterns missing from the permission matrix: {sorted(missing)}"


def _school_views(resolver: URLResolver, prefix: str = ""):
    """Every view under a /s/<school_code>/ pattern, however deeply included."""
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if p.namespace != "admin":
                yield from _school_views(p, route)
        elif "school_code" in route:
            yield route, p.callback


def test_every_school_view_declares_a_capability():
    views = list(_school_views(get_resolver()))
    assert any(route.startswith("s/<slug:school_code>/notices/") for route, _ in views)
    for route, view in views:
        assert hasattr(view, "required_capability"), route


def _request(client, row: Row, url: str):
    return getattr(client, row.method)(url, row.data)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_permission_matrix(row: Row, world, login, client):
    school = world.school
    url = row.path(world, school)
    is_school_url = url.startswith(f"/s/{school.code}/")

    # Anonymous: public pages answer, everything else sends to the login page.
    response = _request(client, row, url)
    if row.allowed is None:
        assert response.status_code in row.ok, (url, response.status_code)
        return
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    if is_school_url:
        # A member of another school: the school must not even be confirmed to exist.
        assert _request(login("principal_xx"), row, url).status_code == 404, url
        if row.denied:
            assert _request(login(row.denied), row, url).status_code == 403, url

    if row.effect is not None:
        assert not row.effect(world), f"{url}: a refused request had an effect"
    response = _request(login(row.allowed), row, url)
    assert response.status_code in row.ok, (url, response.status_code)
    if row.effect is not None:
        assert row.effect(world), f"{url}: the allowed request had no effect"


def test_record_of_another_school_is_404_even_with_the_capability(world, login):
    """An sdxx record opened under sdcz's URL, by sdcz's director: 404, not the file."""
    from django.urls import reverse

    from tests.logistics.factories import AttachmentFactory

    theirs = AttachmentFactory(school=world.other, uploaded_by=world.user("principal_xx"))
    url = reverse("attachment_download", args=[world.school.code, theirs.uuid])
    assert login("director").get(url).status_code == 404
