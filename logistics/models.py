"""Kernel data: schools, roles, memberships, the business-event log and attachments."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class School(models.Model):
    """A central school (中心学校, no parent) or one of its member schools."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("central school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40, blank=True)
    large_expense_threshold = models.DecimalField(
        _("large-expense threshold (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("5000.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Expenses above this amount need the full pre-purchase signature chain."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_central(self) -> bool:
        return self.parent_id is None


class Role(models.Model):
    """A named set of capabilities. Views check capabilities, never role names."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    capabilities = ArrayField(
        models.CharField(max_length=80), verbose_name=_("capabilities"), default=list, blank=True
    )
    reaches_members = models.BooleanField(
        _("reaches member schools"),
        default=False,
        help_text=_("Held at a central school, this role also applies in its member schools."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="memberships"
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), related_name="memberships")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="membership_user_school_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.school}"


class SchoolOwned(models.Model):
    """Base for every school-owned table.

    The scoped manager refuses any query made outside a school scope (django-scopes), so a
    forgotten filter fails loudly instead of leaking another school's rows.
    """

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT)

    objects = ScopedManager(school="school")

    class Meta:
        abstract = True


class Voidable(models.Model):
    """Statutory records are voided with a reason, never deleted (the database refuses)."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("void reason"), max_length=200, blank=True)

    class Meta:
        abstract = True
        triggers = [pgtrigger.Protect(name="statutory_no_delete", operation=pgtrigger.Delete)]

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class AuditEvent(SchoolOwned):
    """Append-only business-event log, hash-chained per school (see logistics/audit.py)."""

    seq = models.PositiveBigIntegerField(_("sequence"))
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["school", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["school", "seq"], name="auditevent_school_seq_uniq")
        ]
        indexes = [models.Index(fields=["school", "object_type", "object_id"])]
        triggers = [
            pgtrigger.Protect(
                name="append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id}#{self.seq} {self.action}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Never derived from the uploaded name: a random name under the school's folder.
    return f"attachments/{instance.school_id}/{instance.uuid.hex}{instance.extension}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Attachment(SchoolOwned, Voidable):
    """A photo or scan attached to a record. Served only through the checked download view."""

    KIND_EXTENSIONS = {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/webp": ".webp",
        "application/pdf": ".pdf",
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    view_capability = models.CharField(
        _("capability needed to view"), max_length=80, default="attachments.view"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta(Voidable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return self.KIND_EXTENSIONS.get(self.content_type, ".bin")
