from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "logistics.notices"
    label = "notices"
    verbose_name = _("Public notices")

    def ready(self) -> None:
        from logistics.notices import bench, demo, hooks, kinds, services  # noqa: F401

        kinds.register_kind(kinds.FREE_TABLE)
