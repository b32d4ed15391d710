from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanteenConfig(AppConfig):
    name = "canteen"
    verbose_name = _("Canteen")
