"""Personal data (个人信息保护法): who viewed it in full, and anonymising it after its retention.

Pages and downloads that show personal data unmasked call `record_personal_view`; the
principal reads the log at /s/<code>/privacy/. Apps register anonymisers that blank the
personal fields of records older than the retention period (amounts and the audit chain stay:
audit events never carry personal data, only record numbers)."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from logistics.models import PersonalDataView, School
from logistics.registry import registry

registry.capability(
    "privacy.view_log",
    _("Read who viewed personal data in full"),
    ("central_principal", "principal"),
)


def record_personal_view(
    request: HttpRequest, *, what: str, obj: models.Model | None = None
) -> None:
    """Log that the request's user is shown `what` in full (one INSERT)."""
    PersonalDataView.objects.create(
        school=request.school,
        user=request.user,
        what=str(what)[:200],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        path=request.get_full_path()[:300],
    )


def views_log(school: School) -> models.QuerySet[PersonalDataView]:
    return (
        PersonalDataView.objects.filter(school=school)
        .select_related("user")
        .only(
            "viewed_at",
            "what",
            "path",
            "user__username",
            "user__first_name",
            "user__last_name",
        )
        .order_by("-viewed_at")
    )
