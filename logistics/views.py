from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from logistics import approvals, privacy, selectors, services
from logistics.forms import ApprovalActionForm, StyledFormMixin
from logistics.models import Approval, Attachment
from logistics.registry import registry
from logistics.roles import schools_for
from logistics.scoping import get_for_school, requires
from logistics.throttle import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = StyledPasswordChangeForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a logged-in user to their (first) school."""
    schools = schools_for(request.user)
    if not schools:
        return render(request, "logistics/no_school.html", status=200)
    return redirect("dashboard", schools[0].code)


@requires("dashboard.view")
def dashboard(request: HttpRequest, school_code: str) -> HttpResponse:
    todos = selectors.todos_for(request.school, request.user, request.capabilities)
    return render(request, "logistics/dashboard.html", {"todos": todos})


@requires("audit.view")
def audit_log(request: HttpRequest, school_code: str) -> HttpResponse:
    page = selectors.audit_page(request.school, request.GET.get("page"))
    return render(request, "logistics/audit_log.html", {"page": page})


@requires("attachments.view")
def attachment_download(request: HttpRequest, school_code: str, uuid: str) -> FileResponse:
    attachment = get_for_school(request, Attachment, uuid=uuid)
    # Each attachment names the capability its record needs (aid evidence is stricter).
    if attachment.view_capability not in request.capabilities:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@requires("dashboard.view")
def approvals_waiting(request: HttpRequest, school_code: str) -> HttpResponse:
    """Every document waiting for this user's signature, oldest first."""
    page = selectors.approvals_waiting_page(
        request.school, request.user, request.capabilities, request.GET.get("page")
    )
    for row in page:
        # What an approval type's URL builder reads of its approval.
        approval = Approval(
            pk=row.pk, school=request.school, doc_type=row.doc_type, object_id=row.object_id
        )
        row.url = approvals.get_type(row.doc_type).url(approval)
    return render(request, "logistics/approvals_waiting.html", {"page": page})


@require_POST
@requires("dashboard.view")  # the engine checks the capability of the step itself
def approval_action(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    approval = get_for_school(request, Approval, pk=pk)
    form = ApprovalActionForm(request.POST)
    next_url = approvals.get_type(approval.doc_type).url(approval)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(next_url)
    data = form.cleaned_data
    common = {"school": request.school, "actor": request.user, "approval_id": approval.pk}
    try:
        match data["action"]:
            case "sign":
                approvals.approval_sign(**common, step=data["step"], comment=data["comment"])
                messages.success(request, _("Signed."))
            case "return":
                approvals.approval_return(
                    **common, to_step=data["to_step"], comment=data["comment"]
                )
                messages.success(request, _("Returned for revision."))
            case "reject":
                approvals.approval_reject(**common, reason=data["comment"])
                messages.success(request, _("Rejected."))
            case "withdraw":
                approvals.approval_withdraw(**common)
                messages.success(request, _("Withdrawn."))
            case "remind":
                approvals.approval_remind(**common)
                messages.success(request, _("Reminder sent."))
    except approvals.ApprovalError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(next_url)


@require_POST
@requires("dashboard.view")  # the record's own void capability is checked below
def record_void(request: HttpRequest, school_code: str, label: str, pk: int) -> HttpResponse:
    """Void one statutory record from its page, with a reason (apps register what may be)."""
    capability = registry.voidables.get(label)
    if capability is None:
        raise Http404
    if capability not in request.capabilities:
        raise PermissionDenied
    record = get_for_school(request, apps.get_model(label), pk=pk)
    next_url = request.POST.get("next", "")
    # Only a path on this site; redirect() would take any other string for a view name.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        next_url = reverse("dashboard", args=[school_code])
    try:
        services.record_void(
            school=request.school,
            actor=request.user,
            record=record,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Voided. The record stays in the ledger, struck through."))
    return HttpResponseRedirect(next_url)


@require_GET
@requires("privacy.view_log")
def privacy_log(request: HttpRequest, school_code: str) -> HttpResponse:
    """Who saw personal data in full, newest first."""
    page = selectors.paginate(privacy.views_log(request.school), request.GET.get("page"))
    return render(request, "logistics/privacy_log.html", {"page": page})
