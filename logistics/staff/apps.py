from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "logistics.staff"
    label = "staff"
    verbose_name = _("School staff")

    def ready(self) -> None:
        from logistics.staff import bench, capabilities  # noqa: F401  registrations
