from __future__ import annotations

app_name = "assets"

urlpatterns: list = []
