from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs) -> None:
    from logistics.roles import sync_default_roles

    sync_default_roles()


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics kernel")

    def ready(self) -> None:
        from logistics import privacy, roles, todos  # noqa: F401  capabilities and to-dos
        from logistics.models import Attachment
        from logistics.registry import registry

        registry.voidable(Attachment, "attachments.void")

        # After every migrate, so capabilities that apps add reach the default roles.
        post_migrate.connect(_sync_roles, sender=self)
