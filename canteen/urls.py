from __future__ import annotations

app_name = "canteen"

urlpatterns: list = []
