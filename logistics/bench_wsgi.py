"""WSGI application of `manage.py bench --http`: the site with the bench URLconf, and the
stock Django reference pages (/__stock__/…) through their own handler, in one gunicorn.

The bench command sets BENCH_DATABASE to its benchmark database. DEBUG is switched off once
the settings are read (DEBUG=true only spares the static manifest a collectstatic), so
neither page keeps a log of its queries.
"""

from __future__ import annotations

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "logistics.settings")
django.setup(set_prefix=False)
settings.DEBUG = False
settings.ROOT_URLCONF = "logistics.bench_urls"
settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE"]

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402  after the settings above

from logistics.bench import STOCK_PREFIX, StockWSGIHandler  # noqa: E402

_site = WSGIHandler()
_stock = StockWSGIHandler()


def application(environ, start_response):
    handler = _stock if environ.get("PATH_INFO", "").startswith(STOCK_PREFIX) else _site
    return handler(environ, start_response)
