"""Fixed personas in two schools, as in the demo: see logistics/demo.py.

`world` gives the central school sdzx, the member schools sdcz (most personas) and sdxx
(`principal_xx`, the "other school" in permission tests), and every demo account.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_scopes import scopes_disabled

from logistics.demo import load_schools_and_accounts
from logistics.models import School


@dataclass
class World:
    central: School  # sdzx
    school: School  # sdcz, where most personas work
    other: School  # sdxx, another member school
    users: dict

    def user(self, username: str):
        return self.users[username]


@pytest.fixture
def world(db) -> World:
    with scopes_disabled():
        load_schools_and_accounts()
    users = {u.username: u for u in get_user_model().objects.all()}
    schools = {s.code: s for s in School.objects.all()}
    return World(
        central=schools["sdzx"], school=schools["sdcz"], other=schools["sdxx"], users=users
    )


@pytest.fixture
def login(world):
    """login("principal") -> a Client logged in as that persona (one client per persona)."""
    clients: dict[str, Client] = {}

    def _login(username: str) -> Client:
        if username not in clients:
            c = Client()
            c.force_login(world.user(username))
            clients[username] = c
        return clients[username]

    return _login


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the site's default language (a request may have switched it)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
