"""URLconf of the stock Django reference pages of `manage.py bench` (see logistics.bench)."""

from __future__ import annotations

from django.urls import path

from logistics.bench import stock_bare, stock_rows

urlpatterns = [
    path("__stock__/bare/", stock_bare),
    path("__stock__/rows/<int:school_id>/", stock_rows),
]
