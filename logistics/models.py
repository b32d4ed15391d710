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
    # When a notice was last published or withdrawn: part of the public board's cache key.
    board_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

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
    # HMAC of the hash with a key kept outside the database (settings.AUDIT_KEY): whoever can
    # write to the table can recompute hashes, but not seals.
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["school", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["school", "seq"], name="auditevent_school_seq_uniq")
        ]
        indexes = [models.Index(fields=["school", "object_type", "object_id"])]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.school_id}#{self.seq} {self.action}"


class AuditHead(models.Model):
    """The last event of each school's chain, sealed with the outside key: a chain whose tail
    was cut off no longer ends where its head says. Kernel bookkeeping, not a school record."""

    school = models.OneToOneField(School, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.school_id}#{self.seq}"


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


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Approval(SchoolOwned):
    """The signature chain of one document (expense, write-off, supplier list, notice).

    `steps` is frozen when the chain (re)starts: [{"capability": ..., "label": ...}, ...].
    `current_capability` repeats the capability of the current step so to-do lists filter on
    an indexed column.
    """

    PENDING, RETURNED, APPROVED, REJECTED, WITHDRAWN = (
        "pending",
        "returned",
        "approved",
        "rejected",
        "withdrawn",
    )
    STATUS_CHOICES = [
        (PENDING, _("Waiting for signatures")),
        (RETURNED, _("Returned for revision")),
        (APPROVED, _("Approved")),
        (REJECTED, _("Rejected")),
        (WITHDRAWN, _("Withdrawn")),
    ]

    doc_type = models.CharField(_("document type"), max_length=60)
    # The document's model ("finance.expense"), so its history panel finds its approvals.
    object_type = models.CharField(_("document model"), max_length=100, blank=True)
    object_id = models.CharField(_("document id"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    steps = models.JSONField(_("steps"), default=list)
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    current_capability = models.CharField(max_length=80, blank=True)
    # The one person who may sign the current step, when the step names one (the handler's own
    # 经办人 step); kept beside the capability so waiting lists filter on columns, not JSON.
    current_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES, default=PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "object_id"], name="approval_doc_uniq"),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["pending", "returned", "approved", "rejected", "withdrawn"]
                ),
                name="approval_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["school", "status", "current_capability"])]

    def __str__(self) -> str:
        return self.title


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Signature(SchoolOwned):
    """One signature on one step. Voided (not deleted) when the chain restarts."""

    approval = models.ForeignKey(
        Approval, verbose_name=_("approval"), on_delete=models.PROTECT, related_name="signatures"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    step = models.PositiveSmallIntegerField(_("step"))
    step_label = models.CharField(_("step"), max_length=60)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["approval", "round", "step"]
        constraints = [
            # One signature per step, and one person signs at most one step of a document.
            models.UniqueConstraint(
                fields=["approval", "round", "step"],
                condition=models.Q(voided_at__isnull=True),
                name="signature_one_per_step",
            ),
            models.UniqueConstraint(
                fields=["approval", "round", "signer"],
                condition=models.Q(voided_at__isnull=True),
                name="signature_one_step_per_person",
            ),
        ]
        triggers = [pgtrigger.Protect(name="signature_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.step_label}: {self.signer}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Notification(SchoolOwned):
    """A message for one person (a 催办 reminder): on their dashboard until the document moves
    on, and e-mailed once by `send_reminders`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    approval = models.ForeignKey(
        Approval, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["user", "school"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return self.text


class PersonalDataView(SchoolOwned):
    """Who saw personal data in full (an aid application's ID number, a visitor's ID card),
    and when: 个人信息保护法 asks that such access can be accounted for. Append-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)
    what = models.CharField(_("what"), max_length=200)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("personal data view")
        verbose_name_plural = _("personal data views")
        indexes = [models.Index(fields=["school", "-viewed_at"], name="personaldataview_recent")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.what}"
