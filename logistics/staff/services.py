"""Writes of the staff page: accounts and roles inside one school, each one audited.

Three rules keep a school's staff manager inside their school and their own powers:
- roles that also apply in member schools (a central school's roles) are granted only by the
  system administrator in the Django admin;
- without `staff.grant_any` (the principal's), nobody grants or takes away a role holding a
  capability they do not hold themselves (an office administrator cannot make someone an
  accountant, nor demote the principal, nor take over their account);
- an account's password and active flag are changed here only when the account belongs to
  this school alone and is not a system administrator's.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from axes.utils import reset as reset_login_failures
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from logistics.audit import record_event
from logistics.models import Membership, Role, School
from logistics.notices.importing import read_xlsx
from logistics.roles import capabilities_for
from logistics.staff.capabilities import GRANT_ANY, MANAGE
from logistics.staff.selectors import role_label, role_names
from logistics.twofactor.services import two_factor_reset

# No look-alikes (0/O, 1/l/I): the password is read out or written on a slip of paper.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_IMPORT_ROWS = 200  # a school's staff; each account costs one password hash (~50 ms)


def temporary_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def _refusal(role: Role, held: frozenset[str]) -> str | None:
    """Why `role` may not be granted or removed by someone holding `held`, or None."""
    if role.reaches_members:
        return _(
            "The role %(role)s also applies in member schools; "
            "only the system administrator grants or removes it."
        ) % {"role": role_label(role)}
    if GRANT_ANY not in held and not set(role.capabilities) <= held:
        return _(
            "You cannot grant or remove the role %(role)s: it holds rights that you do not have."
        ) % {"role": role_label(role)}
    return None


def _check_grantable(*, school: School, actor, roles: Iterable[Role]) -> None:
    held = capabilities_for(actor, school) or frozenset()
    for role in roles:
        if reason := _refusal(role, held):
            raise ValidationError(reason, code="not_grantable")


def _refuse_system_account(user) -> None:
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            _("This is a system administrator's account; it is managed in the administration."),
            code="system_account",
        )


def _check_account_of_this_school(*, school: School, membership: Membership) -> None:
    user = membership.user
    _refuse_system_account(user)
    if Membership.objects.filter(user=user).exclude(school=school).exists():
        raise ValidationError(
            _("This account also works at another school; ask the system administrator."),
            code="other_school",
        )


def _validated_password(password: str, user) -> str:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from None
    return password


def _locked(school: School, membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(pk=membership.pk, school=school)
    )


def _codes(roles: Iterable[Role]) -> list[str]:
    return sorted(r.code for r in roles)


def staff_add(
    *,
    school: School,
    actor,
    username: str,
    full_name: str,
    roles: Iterable[Role],
    password: str = "",
) -> tuple[Membership, str | None]:
    """A new account working at `school` with `roles`. Without a password a temporary one is
    made and returned (shown once, never stored in clear); with one, None is returned."""
    roles = list(roles)
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    with transaction.atomic():
        _check_grantable(school=school, actor=actor, roles=roles)
        User = get_user_model()
        username = username.strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                {"username": _("This username is already taken; choose another.")}
            )
        user = User(username=username, first_name=full_name.strip())
        temporary = None if password else temporary_password()
        user.set_password(_validated_password(password, user) if password else temporary)
        user.full_clean()
        user.save()
        membership = Membership.objects.create(user=user, school=school)
        membership.roles.set(roles)
        record_event(
            school=school,
            actor=actor,
            action="staff.added",
            obj=membership,
            summary=f"{user.first_name}（{user.username}）",
            data={"username": user.username, "roles": _codes(roles)},
        )
        return membership, temporary


def staff_set_roles(
    *, school: School, actor, membership: Membership, roles: Iterable[Role]
) -> None:
    """Replace the member's roles at this school. A deactivated account that belongs to this
    school alone is active again once it has a role."""
    new = set(roles)
    if not new:
        raise ValidationError(
            {"roles": _("Choose at least one role; to remove someone, deactivate the account.")}
        )
    with transaction.atomic():
        membership = _locked(school, membership)
        current = set(membership.roles.all())
        added, removed = new - current, current - new
        user = membership.user
        reactivate = not user.is_active
        if not added and not removed and not reactivate:
            return
        _check_grantable(school=school, actor=actor, roles=added | removed)
        if user.pk == actor.pk and not any(MANAGE in r.capabilities for r in new):
            raise ValidationError(_("You cannot take away your own right to manage staff."))
        if reactivate:
            _check_account_of_this_school(school=school, membership=membership)
            user.is_active = True
            user.save(update_fields=["is_active"])
        membership.roles.set(new)
        record_event(
            school=school,
            actor=actor,
            action="staff.roles_changed",
            obj=membership,
            summary=f"{user.first_name}（{user.username}）",
            data={"added": _codes(added), "removed": _codes(removed), "reactivated": reactivate},
        )


def staff_deactivate(*, school: School, actor, membership: Membership) -> None:
    """A leaver: their roles here are removed, and the account is switched off when it works
    at no other school (which also ends its open sessions)."""
    with transaction.atomic():
        membership = _locked(school, membership)
        user = membership.user
        if user.pk == actor.pk:
            raise ValidationError(_("You cannot deactivate your own account."))
        _refuse_system_account(user)
        roles = list(membership.roles.all())
        elsewhere = Membership.objects.filter(user=user).exclude(school=school).exists()
        switch_off = user.is_active and not elsewhere
        if not roles and not switch_off:
            return
        _check_grantable(school=school, actor=actor, roles=roles)
        membership.roles.clear()
        if switch_off:
            user.is_active = False
            user.save(update_fields=["is_active"])
        record_event(
            school=school,
            actor=actor,
            action="staff.deactivated",
            obj=membership,
            summary=f"{user.first_name}（{user.username}）",
            data={"removed": _codes(roles), "account_deactivated": switch_off},
        )


def staff_reset_password(
    *, school: School, actor, membership: Membership, password: str = ""
) -> str | None:
    """Set the member's password, or a temporary one that is returned to be shown once.
    Also lifts a login lockout of the account; its open sessions end."""
    with transaction.atomic():
        membership = _locked(school, membership)
        user = membership.user
        if user.pk == actor.pk:
            raise ValidationError(_("Change your own password on the password page."))
        _check_account_of_this_school(school=school, membership=membership)
        # Taking over an account is as good as holding its roles.
        _check_grantable(school=school, actor=actor, roles=membership.roles.all())
        temporary = None if password else temporary_password()
        user.set_password(_validated_password(password, user) if password else temporary)
        user.save(update_fields=["password"])
        reset_login_failures(username=user.username)
        record_event(
            school=school,
            actor=actor,
            action="staff.password_reset",
            obj=membership,
            summary=f"{user.first_name}（{user.username}）",
            data={"temporary": temporary is not None},
        )
        return temporary


def staff_reset_two_factor(*, school: School, actor, membership: Membership) -> bool:
    """Remove the member's authenticator app and recovery codes (a lost or replaced phone):
    their next page asks them to enrol again. Under the same rules as a password reset, since
    with the password it hands over the account. False when there was nothing to remove."""
    with transaction.atomic():
        membership = _locked(school, membership)
        user = membership.user
        if user.pk == actor.pk:
            raise ValidationError(
                _("Ask another administrator to reset your own two-factor sign-in.")
            )
        _check_account_of_this_school(school=school, membership=membership)
        _check_grantable(school=school, actor=actor, roles=membership.roles.all())
        if not two_factor_reset(user=user):
            return False
        record_event(
            school=school,
            actor=actor,
            action="staff.two_factor_reset",
            obj=membership,
            summary=f"{user.first_name}（{user.username}）",
        )
        return True


@dataclass(frozen=True)
class ImportedAccount:
    username: str
    full_name: str
    roles: str
    password: str


# Header names the import understands, in Chinese as a school writes them, or in English.
_COLUMNS = {
    "username": ("用户名", "账号", "username"),
    "full_name": ("姓名", "name", "full name"),
    "roles": ("角色", "roles"),
}
_ROLE_SEPARATORS = re.compile(r"[、,，;；/]+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed as a username: 1001, not 1001.0
    return str(value).strip()


def staff_import(*, school: School, actor, data: bytes) -> list[ImportedAccount]:
    """Accounts from a staff list (.xlsx: 用户名, 姓名, 角色), all or none.

    Every problem is reported with its row and column; when there is any, nothing is saved.
    Each account gets a temporary password, returned to be shown once.
    """
    header, rows = read_xlsx(data)
    labels = [_text(h) for h in header]
    where: dict[str, int] = {}
    for key, names in _COLUMNS.items():
        for i, label in enumerate(labels):
            if label.lower() in names:
                where[key] = i
                break
        else:
            raise ValidationError(
                _("Row 1: the column “%(column)s” is missing.") % {"column": names[0]}
            )
    rows = [r for r in rows if any(_text(v) for v in r)]
    if not rows:
        raise ValidationError(_("The sheet has no staff rows under its header."))
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError(
            _("At most %(max)s staff can be imported at once; the sheet has %(count)s.")
            % {"max": MAX_IMPORT_ROWS, "count": len(rows)}
        )

    by_name = {  # reaching roles too, to say why they are refused
        name: role for role in Role.objects.all() for name in role_names(role)
    }
    User = get_user_model()
    wanted = [_text(r[where["username"]]).lower() for r in rows]
    taken = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=wanted)
        .values_list("lowered", flat=True)
    )
    held = capabilities_for(actor, school) or frozenset()
    errors: list[str] = []
    parsed: list[tuple[str, str, list[Role]]] = []

    def fail(row: int, key: str, message: str) -> None:
        errors.append(
            _("Row %(row)s, column “%(column)s”: %(message)s")
            % {"row": row, "column": labels[where[key]], "message": message}
        )

    for number, row in enumerate(rows, start=2):
        username = _text(row[where["username"]])
        full_name = _text(row[where["full_name"]])
        role_words = [w.strip() for w in _ROLE_SEPARATORS.split(_text(row[where["roles"]]))]
        role_words = [w for w in role_words if w]
        if not username:
            fail(number, "username", _("empty"))
        elif username.lower() in taken:
            fail(number, "username", _("%(name)s is already taken") % {"name": username})
        elif wanted.count(username.lower()) > 1:
            fail(number, "username", _("%(name)s appears twice in the sheet") % {"name": username})
        else:
            try:
                User.username_validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                fail(number, "username", _("use letters, digits and @ . + - _ only"))
        if not full_name:
            fail(number, "full_name", _("empty"))
        elif len(full_name) > 150:
            fail(number, "full_name", _("at most 150 characters"))
        roles = [by_name.get(w) for w in role_words]
        if not role_words:
            fail(number, "roles", _("empty"))
        for name, role in zip(role_words, roles, strict=True):
            if role is None:
                fail(number, "roles", _("unknown role %(name)s") % {"name": name})
            elif reason := _refusal(role, held):
                fail(number, "roles", reason)
        parsed.append((username, full_name, [r for r in roles if r is not None]))
    if errors:
        raise ValidationError(errors)

    imported: list[ImportedAccount] = []
    with transaction.atomic():
        for number, (username, full_name, roles) in enumerate(parsed, start=2):
            try:
                _membership, password = staff_add(
                    school=school, actor=actor, username=username, full_name=full_name, roles=roles
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("Row %(row)s: %(message)s")
                    % {"row": number, "message": " ".join(exc.messages)}
                ) from None
            imported.append(
                ImportedAccount(username, full_name, "、".join(map(role_label, roles)), password)
            )
        record_event(
            school=school,
            actor=actor,
            action="staff.imported",
            summary=_("%(count)s staff imported") % {"count": len(imported)},
            data={"usernames": [a.username for a in imported]},
        )
    return imported
