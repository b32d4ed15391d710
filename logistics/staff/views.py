"""The school staff page. Pages that show a temporary password render it in the answer to
the POST (never stored, never in a redirect) and are not cached."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from logistics.scoping import requires
from logistics.staff import selectors, services
from logistics.staff.capabilities import MANAGE
from logistics.staff.forms import PasswordResetForm, RolesForm, StaffAddForm, StaffImportForm
from logistics.twofactor.selectors import has_two_factor


def _to_form(form: forms.Form, exc: ValidationError) -> None:
    """Service errors next to the field they concern, others above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _to_list(request: HttpRequest, school_code: str) -> HttpResponse:
    return redirect("staff:list", school_code)


@requires(MANAGE)
def staff_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = selectors.staff_page(request.school, request.GET.get("page"))
    # One reverse() instead of one per member.
    detail_base = reverse("staff:detail", args=[school_code, 0])[: -len("0/")]
    return render(request, "logistics/staff/list.html", {"page": page, "detail_base": detail_base})


@never_cache
@requires(MANAGE)
def staff_add(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership, temporary = services.staff_add(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            if temporary:
                return _passwords(request, [(membership.user, temporary)])
            messages.success(request, _("Account created."))
            return _to_list(request, school_code)
    return render(
        request, "logistics/staff/form.html", {"form": form, "title": _("Add a staff member")}
    )


@requires(MANAGE)
def staff_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    membership = selectors.membership_for(request.school, pk)
    form = RolesForm(request.POST or None, initial={"roles": list(membership.roles.all())})
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_set_roles(
                school=request.school,
                actor=request.user,
                membership=membership,
                roles=form.cleaned_data["roles"],
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("Roles saved."))
            return _to_list(request, school_code)
    return render(
        request,
        "logistics/staff/detail.html",
        {
            "membership": membership,
            "form": form,
            "password_form": PasswordResetForm(),
            "two_factor": has_two_factor(membership.user),
        },
    )


@require_POST
@requires(MANAGE)
def staff_deactivate(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    membership = selectors.membership_for(request.school, pk)
    try:
        services.staff_deactivate(school=request.school, actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff:detail", school_code, pk)
    messages.success(request, _("Deactivated: %(name)s.") % {"name": membership.user.first_name})
    return _to_list(request, school_code)


@never_cache
@requires(MANAGE)
def staff_password(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    membership = selectors.membership_for(request.school, pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            temporary = services.staff_reset_password(
                school=request.school,
                actor=request.user,
                membership=membership,
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            if temporary:
                return _passwords(request, [(membership.user, temporary)])
            messages.success(request, _("Password set."))
            return _to_list(request, school_code)
    title = _("Reset the password of %(name)s") % {"name": membership.user.first_name}
    return render(request, "logistics/staff/form.html", {"form": form, "title": title})


@require_POST
@requires(MANAGE)
def staff_two_factor(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    membership = selectors.membership_for(request.school, pk)
    try:
        reset = services.staff_reset_two_factor(
            school=request.school, actor=request.user, membership=membership
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if reset:
            messages.success(
                request,
                _("Two-factor sign-in of %(name)s was reset; they set it up again at sign-in.")
                % {"name": membership.user.first_name},
            )
    return redirect("staff:detail", school_code, pk)


@never_cache
@requires(MANAGE)
def staff_import(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StaffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imported = services.staff_import(
                school=request.school, actor=request.user, data=form.cleaned_data["file"].read()
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return render(request, "logistics/staff/passwords.html", {"accounts": imported})
    return render(
        request, "logistics/staff/form.html", {"form": form, "title": _("Import a staff list")}
    )


def _passwords(request: HttpRequest, pairs) -> HttpResponse:
    accounts = [
        services.ImportedAccount(user.username, user.first_name, "", password)
        for user, password in pairs
    ]
    return render(request, "logistics/staff/passwords.html", {"accounts": accounts})
