"""URLconf used only by `manage.py bench`: the site plus the project's reference pages.

The stock Django references have their own URLconf (logistics.bench_stock_urls), served by
their own handler without the project's middleware."""

from __future__ import annotations

from django.urls import path

from logistics.bench import kernel_trivial, reference_bare, reference_rows
from logistics.urls import urlpatterns as site_patterns

urlpatterns = [
    path("s/<slug:school_code>/__bench__/trivial/", kernel_trivial),
    path("s/<slug:school_code>/__bench__/bare/", reference_bare),
    path("s/<slug:school_code>/__bench__/rows/", reference_rows),
    *site_patterns,
]
