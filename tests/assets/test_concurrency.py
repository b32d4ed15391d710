"""Two storekeepers taking the last boxes out at the same moment (threads on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scopes_disabled

from assets import services
from assets.models import StockBalance, StockMove
from tests.assets.conftest import make_place, stocked

ROUNDS = 10


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            with scopes_disabled():
                call()
            outcomes[i] = "ok"
        except ValidationError:
            outcomes[i] = "refused"
        except Exception as exc:
            outcomes[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_stock_outs_never_take_the_balance_below_zero(world):
    place = make_place(world)
    for n in range(ROUNDS):
        item = stocked(world, place, name=f"粉笔{n}", quantity=10)

        def take(who, item=item):
            return lambda: services.stock_out(
                school=world.school,
                actor=world.user(who),
                item=item,
                location=place.store,
                quantity=6,
                recipient="初一(1)班",
            )

        outcomes = _race(take("storekeeper"), take("director"))
        assert sorted(outcomes) == ["ok", "refused"], outcomes
        with scopes_disabled():
            assert StockBalance.objects.get(item=item).quantity == 4
            assert StockMove.objects.filter(item=item, kind="out").count() == 1
