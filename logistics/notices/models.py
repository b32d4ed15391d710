from __future__ import annotations

import secrets
import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.models import Approval, SchoolOwned

# No 0/O/1/I: the code is typed in from a printed page.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
FROZEN = ("published", "superseded", "withdrawn")


def new_verify_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Notice(SchoolOwned):
    """One version of a public notice. Corrections are new rows of the same series.

    The snapshot is what gets printed: the kind's builder fills it when the draft is made;
    from publication on a database trigger refuses any change to it.
    """

    DRAFT, SUBMITTED, PUBLISHED, SUPERSEDED, WITHDRAWN, REJECTED = (
        "draft",
        "submitted",
        "published",
        "superseded",
        "withdrawn",
        "rejected",
    )
    STATUS_CHOICES = [
        (DRAFT, _("Draft")),
        (SUBMITTED, _("Waiting for approval")),
        (PUBLISHED, _("Published")),
        (SUPERSEDED, _("Superseded")),
        (WITHDRAWN, _("Withdrawn")),
        (REJECTED, _("Rejected")),
    ]

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    snapshot = models.JSONField(_("snapshot"))
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES, default=DRAFT)
    # Shared by every version of one notice (a correction copies it).
    series = models.UUIDField(_("series"), default=uuid.uuid4, editable=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    verify_code = models.CharField(
        _("verification code"), max_length=8, unique=True, default=new_verify_code
    )
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    public_until = models.DateField(_("on the board until"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "published",
                        "superseded",
                        "withdrawn",
                        "rejected",
                    ]
                ),
                name="notice_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=FROZEN) | models.Q(published_at__isnull=False),
                name="notice_published_has_date",
            ),
            models.UniqueConstraint(fields=["series", "version"], name="notice_series_version"),
        ]
        indexes = [
            # The public board: a school's notices on the board, newest first.
            models.Index(fields=["school", "status", "-published_at"]),
            models.Index(fields=["school", "-created_at"]),
        ]
        triggers = [
            pgtrigger.Protect(
                name="published_snapshot_frozen",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__in=FROZEN)
                & (
                    pgtrigger.Q(old__snapshot__df=pgtrigger.F("new__snapshot"))
                    | pgtrigger.Q(old__published_at__df=pgtrigger.F("new__published_at"))
                ),
            ),
            pgtrigger.Protect(name="notice_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Rendering(SchoolOwned):
    """A PDF of a published notice, made once (in a background task when it is long)."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"

    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="rendering")
    status = models.CharField(max_length=8, default=PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to="notices/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("PDF rendering")
        verbose_name_plural = _("PDF renderings")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class KindSetting(SchoolOwned):
    """A school's choice of who publishes one kind of notice (the kind's default otherwise):
    e.g. the food-safety officer signs the daily purchase report instead of the principal."""

    kind = models.CharField(_("kind"), max_length=60)
    publish_capability = models.CharField(_("published by (capability)"), max_length=80)

    class Meta:
        verbose_name = _("notice publisher")
        verbose_name_plural = _("notice publishers")
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="notice_kind_setting_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.publish_capability}"
