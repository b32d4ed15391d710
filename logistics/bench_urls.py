"""URLconf used only by `manage.py bench`: the site plus the two reference pages."""

from __future__ import annotations

from django.urls import path

from logistics.bench import reference_bare, reference_rows
from logistics.urls import urlpatterns as site_patterns

urlpatterns = [
    path("s/<slug:school_code>/__bench__/bare/", reference_bare),
    path("s/<slug:school_code>/__bench__/rows/", reference_rows),
    *site_patterns,
]
