"""Thin views: parse the form, call one service, show the message, redirect."""

from __future__ import annotations

from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assets import capabilities as caps
from assets import labels, registers, reports, selectors, services
from assets.forms import (
    AssetEditForm,
    AssetForm,
    AssignForm,
    CategoryForm,
    CountForm,
    CustodyForm,
    FixForm,
    ImportForm,
    IssueForm,
    LocationForm,
    PhotoForm,
    RepairForm,
    RequisitionForm,
    SettingsForm,
    StockInForm,
    StockItemForm,
    StockOutForm,
    StocktakeForm,
    WriteOffForm,
    search_bar_selects,
)
from assets.models import (
    Asset,
    AssetStatus,
    Category,
    CountResult,
    CustodyRecord,
    Location,
    LocationKind,
    MoveKind,
    RepairStatus,
    RepairTicket,
    Requisition,
    RequisitionStatus,
    StockItem,
    Stocktake,
    StocktakeKind,
    StocktakeStatus,
    WriteOff,
    WriteOffStatus,
)
from logistics.context_processors import school_url
from logistics.forms import add_service_errors
from logistics.registry import registry
from logistics.scoping import get_for_school, requires
from logistics.selectors import label_map, paginate

FILTERS = ("q", "category", "location", "custodian", "status")


def _links(code: str, *names: str) -> dict[str, str]:
    """Links of a page, each reversed once per school and process (school_url)."""
    return {name: school_url(f"assets:{name}", code) for name in names}


def _tabs(request: HttpRequest, active: str) -> SafeString:
    """The assets tabs (templates/jinja2/assets/_nav.html) for a list page, marking `active`."""
    school = request.school
    return _drawn_tabs(school, school.code, request.capabilities, active, get_language())


@lru_cache(maxsize=512)
def _drawn_tabs(
    school, code: str, capabilities: frozenset[str], active: str, language: str
) -> SafeString:
    # The same for every view of one school, set of capabilities, page and language (links
    # and labels, no form or token): drawn once per process, where eleven translated labels
    # and links cost a list page as much as a fifth of its rows.
    html = (
        engines["jinja2"]
        .get_template("assets/_nav.html")
        .template.render(school=school, capabilities=capabilities, active=active)
    )
    # Safe: rendered by the autoescaping Jinja2 environment (logistics.jinja).
    return SafeString(html)  # nosec B703


def _form_page(request: HttpRequest, form, title: str, **extra) -> HttpResponse:
    return render(request, "assets/form.html", {"form": form, "title": title, **extra})


# ---------------------------------------------------------------- register


@requires(caps.VIEW)
def asset_list(request: HttpRequest, school_code: str) -> HttpResponse:
    school = request.school
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    bar = selectors.search_bar(school)
    all_locations = bar.locations
    # The office sees a voided line struck through with its reason, so nobody registers the
    # item again unawares; "hide voided" leaves only the live register.
    hide_voided = request.GET.get("voided") == "hide"
    register = selectors.register_page(school, filters, all_locations, with_voided=not hide_voided)
    # A text search is not counted: PostgreSQL would count thousands of substring matches
    # that no index can find (a two-character Chinese word has no trigram); the page reads
    # one line more to know whether there is a next page.
    page = paginate(register, request.GET.get("page"), counted=not filters["q"].strip())
    kept = request.GET.copy()
    kept.pop("page", None)
    printed = kept.copy()
    printed["by"], printed["fmt"] = "lines", "pdf"
    status_labels = label_map(AssetStatus)
    return render(
        request,
        "assets/asset_list.html",
        {
            "page": page,
            "tabs": _tabs(request, "register"),
            "filters": filters,
            "selects": search_bar_selects(filters, bar, status_labels),
            "hide_voided": hide_voided,
            "layouts": labels.LAYOUTS.values(),
            "show_prices": caps.PRICES in request.capabilities,
            "detail_base": school_url("assets:asset_detail", school_code, 0)[:-2],
            "links": _links(
                school_code,
                *("asset_create", "asset_export", "report_register"),
                *("asset_import", "asset_labels"),
            ),
            # The export and the printed register take the page's filters.
            "kept": kept.urlencode(),
            "kept_print": printed.urlencode(),
            "paths": {loc.pk: loc.path for loc in all_locations},
            "status_labels": status_labels,
        },
    )


@requires(caps.PRICES)
def asset_export(request: HttpRequest, school_code: str) -> HttpResponse:
    """The register (as filtered on the page) in the layout the import reads."""
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    body = registers.export_xlsx(selectors.asset_list(request.school, filters).iterator(2000))
    response = HttpResponse(body, content_type=reports.XLSX)
    response["Content-Disposition"] = 'attachment; filename="register.xlsx"'
    return response


@requires(caps.MANAGE)
def asset_import(request: HttpRequest, school_code: str) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            table = registers.read_xlsx(form.cleaned_data["file"].read())
            n = services.assets_import(school=request.school, actor=request.user, table=table)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(n)s register lines imported.") % {"n": n})
            return redirect("assets:asset_list", school_code)
    return render(
        request,
        "assets/import.html",
        {"form": form, "errors": errors, "headers": registers.HEADERS},
    )


@requires(caps.MANAGE)
def asset_labels(request: HttpRequest, school_code: str) -> HttpResponse:
    """A sheet of QR labels for the register lines selected by the page's filters."""
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    layout = labels.LAYOUTS.get(request.GET.get("layout", ""), labels.LAYOUTS["3x8"])
    assets = list(
        selectors.asset_list(request.school, filters)
        .select_related(None)
        .select_related("location")[: labels.MAX_LABELS]
    )
    body = labels.label_sheet(request.school, assets, layout)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="labels.pdf"'
    return response


@requires(caps.CUSTODY)
def my_custody(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.my_custody(request.school, request.user), request.GET.get("page"))
    return render(
        request,
        "assets/my_custody.html",
        {
            "page": page,
            "tabs": _tabs(request, "mine"),
            "detail_base": school_url("assets:asset_detail", school_code, 0)[:-2],
            "status_labels": label_map(AssetStatus),
            "links": _links(school_code, "repair_create"),
        },
    )


@requires(caps.MANAGE)
def asset_create(request: HttpRequest, school_code: str) -> HttpResponse:
    school = request.school
    form = AssetForm(request.POST or None, request.FILES or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data.pop("photo", None)
        try:
            asset = services.asset_create(
                school=school,
                actor=request.user,
                data=services.AssetInput(**data),
                photos=[photo] if photo else [],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registered %(asset)s.") % {"asset": asset})
            return redirect("assets:asset_detail", school_code, asset.pk)
    return _form_page(request, form, _("Register an asset"))


def _asset_for(request: HttpRequest, pk: int) -> Asset:
    """The asset, for the office; for others only what is in their own custody."""
    try:
        asset = selectors.asset_detail(request.school, pk)
    except Asset.DoesNotExist as exc:
        raise Http404 from exc
    if caps.VIEW not in request.capabilities and asset.custodian_id != request.user.pk:
        raise Http404
    return asset


@requires(caps.CUSTODY)
def asset_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    """Also the page a QR label opens: login required, another school's item is 404."""
    asset = _asset_for(request, pk)
    return render(
        request,
        "assets/asset_detail.html",
        {
            "asset": asset,
            "history": list(selectors.custody_history(request.school, asset)[:50]),
            "photos": list(asset.photos.filter(school=request.school).select_related("attachment")),
            "repairs": list(
                asset.repairs.filter(school=request.school).order_by("-reported_at")[:10]
            ),
            "writeoffs": list(asset.writeoffs.filter(school=request.school)),
            "show_prices": caps.PRICES in request.capabilities,
            "custody_form": CustodyForm(school=request.school),
            "photo_form": PhotoForm(),
        },
    )


@requires(caps.MANAGE)
def asset_edit(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    asset = get_for_school(request, Asset, pk=pk)
    initial = {f: getattr(asset, f) for f in services.EDITABLE}
    form = AssetEditForm(request.POST or None, initial=initial, school=request.school)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        try:
            if changes:
                services.asset_update(
                    school=request.school, actor=request.user, asset=asset, **changes
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assets:asset_detail", school_code, pk)
    return _form_page(request, form, _("Edit %(asset)s") % {"asset": asset})


@requires(caps.MANAGE)
def asset_custody(request: HttpRequest, school_code: str, pk: int, action: str) -> HttpResponse:
    """Assign (领用), check out (借出) or check in (归还) — one form, three services."""
    asset = get_for_school(request, Asset, pk=pk)
    form = CustodyForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {"school": request.school, "actor": request.user, "asset": asset}
        try:
            if action == "assign":
                services.asset_assign(
                    **common,
                    custodian=data["custodian"],
                    custodian_class=data["custodian_class"],
                    location=data["location"],
                    condition=data["condition"],
                )
            elif action == "checkout":
                if not data["due_date"]:
                    raise ValidationError({"due_date": _("Give the date it is due back.")})
                services.asset_check_out(
                    **common,
                    custodian=data["custodian"],
                    custodian_class=data["custodian_class"],
                    due_date=data["due_date"],
                    condition=data["condition"],
                )
            else:
                services.asset_check_in(
                    **common, location=data["location"], condition=data["condition"]
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Custody recorded."))
            return redirect("assets:asset_detail", school_code, pk)
    titles = {"assign": _("Assign"), "checkout": _("Lend out"), "checkin": _("Check in")}
    return _form_page(request, form, f"{titles[action]}：{asset}")


@requires(caps.MANAGE)
def asset_handover(request: HttpRequest, school_code: str, pk: int, record: int) -> HttpResponse:
    """The hand-over form (交接单) of one custody change, printed for signatures."""
    entry = get_for_school(
        request,
        CustodyRecord.objects.select_related("asset", "custodian", "location"),
        pk=record,
        asset_id=pk,
    )
    snapshot = reports.handover_snapshot(request.school, entry)
    return reports.download(snapshot, request, f"handover-{entry.pk}", fmt="pdf")


@requires(caps.MANAGE)
@require_POST
def asset_photo(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    asset = get_for_school(request, Asset, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        services.asset_add_photo(
            school=request.school,
            actor=request.user,
            asset=asset,
            upload=form.cleaned_data["photo"],
        )
        messages.success(request, _("Photo added."))
    else:
        messages.error(request, " ".join(form.errors.get("photo", [])))
    return redirect("assets:asset_detail", school_code, pk)


# ---------------------------------------------------------------- set-up


@requires(caps.MANAGE)
def category_list(request: HttpRequest, school_code: str) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if "install" in request.POST:
            n = services.categories_install_defaults(school=request.school, actor=request.user)
            messages.success(request, _("%(n)s national classes added.") % {"n": n})
            return redirect("assets:category_list", school_code)
        if form.is_valid():
            existing = Category.objects.filter(
                school=request.school, code=form.cleaned_data["code"].strip()
            ).first()
            try:
                services.category_save(
                    school=request.school,
                    actor=request.user,
                    category=existing,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("assets:category_list", school_code)
    return render(
        request,
        "assets/category_list.html",
        {"categories": list(selectors.categories(request.school)), "form": form},
    )


@requires(caps.MANAGE)
def location_list(request: HttpRequest, school_code: str) -> HttpResponse:
    form = LocationForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_create(school=request.school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assets:location_list", school_code)
    places = selectors.locations(request.school)
    if not form.is_bound:
        form.offer(places)
    return render(
        request,
        "assets/location_list.html",
        {
            "locations": places,
            "form": form,
            "kind_labels": label_map(LocationKind),
            "tabs": _tabs(request, "locations"),
        },
    )


@requires(caps.MANAGE)
def settings_edit(request: HttpRequest, school_code: str) -> HttpResponse:
    current = services.settings_for(request.school)
    form = SettingsForm(
        request.POST or None, initial={"writeoff_threshold": current.writeoff_threshold}
    )
    if request.method == "POST" and form.is_valid():
        services.settings_update(school=request.school, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("assets:asset_list", school_code)
    return _form_page(request, form, _("Asset settings"))


# ---------------------------------------------------------------- stock


@requires(caps.VIEW)
def stock_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.stock_balance_rows(request.school), request.GET.get("page"))
    return render(
        request,
        "assets/stock_list.html",
        {
            "page": page,
            "tabs": _tabs(request, "stock"),
            "low": selectors.low_stock(request.school),
            "links": _links(
                school_code,
                *("stock_moves", "stock_item_create", "stock_in", "stock_out"),
                "distribution_create",
            ),
        },
    )


@requires(caps.VIEW)
def stock_moves(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.stock_moves(request.school), request.GET.get("page"))
    # Another app's documents by their numbers, resolved through the kernel (never imported),
    # in one query for the page.
    links = registry.resolve_documents(
        request.school, "finance.expense", (m.expense_number for m in page.object_list)
    )
    return render(
        request,
        "assets/stock_moves.html",
        {
            "page": page,
            "tabs": _tabs(request, "stock"),
            "expense_links": links,
            "kind_labels": label_map(MoveKind),
        },
    )


@requires(caps.STOCK)
def stock_item_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StockItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_item_create(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assets:stock_list", school_code)
    return _form_page(request, form, _("New stock item"))


@requires(caps.STOCK)
def stock_in(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StockInForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_in(school=request.school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Stock-in recorded."))
            return redirect("assets:stock_moves", school_code)
    return _form_page(request, form, _("Stock-in"))


@requires(caps.STOCK)
def stock_out(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StockOutForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_out(school=request.school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Stock-out recorded."))
            return redirect("assets:stock_moves", school_code)
    return _form_page(request, form, _("Stock-out"))


@requires(caps.STOCK)
def distribution_create(request: HttpRequest, school_code: str) -> HttpResponse:
    """Classes × items in one table; one POST hands out the whole batch."""
    school = request.school
    items = list(StockItem.objects.filter(school=school).order_by("name"))
    stores = selectors.locations(school)
    raw_classes = request.POST.get("classes", "") if request.method == "POST" else ""
    classes = [c.strip() for c in raw_classes.replace("，", ",").split(",") if c.strip()]
    error = ""
    if request.method == "POST" and "cells" in request.POST:
        cells: dict[tuple[str, int], int] = {}
        for class_name in classes:
            for item in items:
                value = request.POST.get(f"q-{class_name}-{item.pk}", "").strip()
                if value:
                    try:
                        cells[(class_name, item.pk)] = max(int(value), 0)
                    except ValueError:
                        error = _("Quantities must be whole numbers.")
        location = Location.objects.filter(school=school, pk=request.POST.get("location")).first()
        if not error and location is None:
            error = _("Choose the store.")
        if not error:
            try:
                batch = services.distribution_create(
                    school=school,
                    actor=request.user,
                    title=request.POST.get("title", "") or _("Term-start distribution"),
                    location=location,
                    cells=cells,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("Distribution recorded."))
                return redirect("assets:distribution_detail", school_code, batch.pk)
    return render(
        request,
        "assets/distribution_form.html",
        {
            "items": items,
            "classes": classes,
            "stores": stores,
            "error": error,
            "post": request.POST,
        },
    )


@requires(caps.STOCK)
def distribution_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    from assets.models import Distribution

    batch = get_for_school(request, Distribution, pk=pk)
    snapshot = reports.distribution_snapshot(request.school, batch)
    if request.GET.get("fmt") in ("pdf", "xlsx"):
        return reports.download(snapshot, request, f"distribution-{batch.pk}")
    context = reports.page_context(snapshot)
    return render(request, "assets/report.html", {**context, "title": batch.title})


@requires(caps.REQUEST)
def requisition_list(request: HttpRequest, school_code: str) -> HttpResponse:
    qs = selectors.requisitions(request.school, request.user, request.capabilities)
    page = paginate(qs, request.GET.get("page"))
    return render(
        request,
        "assets/requisition_list.html",
        {
            "page": page,
            "tabs": _tabs(request, "requisitions"),
            "status_labels": label_map(RequisitionStatus),
            "detail_base": school_url("assets:requisition_detail", school_code, 0)[:-2],
            "links": _links(school_code, "requisition_create"),
        },
    )


@requires(caps.REQUEST)
def requisition_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = RequisitionForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.requisition_create(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Requisition filed; it is waiting for approval."))
            return redirect("assets:requisition_detail", school_code, req.pk)
    return _form_page(request, form, _("Request supplies"))


def _requisition_for(request: HttpRequest, pk: int) -> Requisition:
    req = get_for_school(
        request, Requisition.objects.select_related("item", "approval", "requested_by"), pk=pk
    )
    staff = {caps.STOCK, caps.APPROVE, caps.SIGN_PRINCIPAL} & request.capabilities
    if not staff and req.requested_by_id != request.user.pk:
        raise Http404
    return req


@requires(caps.REQUEST)
def requisition_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    req = _requisition_for(request, pk)
    return render(
        request,
        "assets/requisition_detail.html",
        {"req": req, "issue_form": IssueForm(school=request.school)},
    )


@requires(caps.STOCK)
@require_POST
def requisition_issue(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    req = get_for_school(request, Requisition, pk=pk)
    form = IssueForm(request.POST, school=request.school)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the store."))
        services.requisition_issue(
            school=request.school,
            actor=request.user,
            requisition=req,
            location=form.cleaned_data["location"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Issued."))
    return redirect("assets:requisition_detail", school_code, pk)


# ---------------------------------------------------------------- repairs


@requires(caps.REPAIR_REPORT)
def repair_list(request: HttpRequest, school_code: str) -> HttpResponse:
    tickets = selectors.repairs(
        request.school, request.user, request.capabilities, request.GET.get("status", "")
    )
    page = paginate(tickets, request.GET.get("page"))
    return render(
        request,
        "assets/repair_list.html",
        {
            "page": page,
            "tabs": _tabs(request, "repairs"),
            "status": request.GET.get("status", ""),
            "status_labels": label_map(RepairStatus),
            "detail_base": school_url("assets:repair_detail", school_code, 0)[:-2],
            "links": _links(school_code, "repair_stats", "repair_create"),
        },
    )


@requires(caps.REPAIR_REPORT)
def repair_create(request: HttpRequest, school_code: str) -> HttpResponse:
    form = RepairForm(request.POST or None, request.FILES or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.repair_report(
                school=request.school,
                actor=request.user,
                location=data["location"],
                description=data["description"],
                photo=data.get("photo") or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fault reported; the office has been told."))
            return redirect("assets:repair_detail", school_code, ticket.pk)
    return _form_page(request, form, _("Report a fault"))


def _ticket_for(request: HttpRequest, pk: int) -> RepairTicket:
    ticket = get_for_school(
        request,
        RepairTicket.objects.select_related(
            "location", "asset", "reported_by", "assigned_to", "photo"
        ),
        pk=pk,
    )
    office = {caps.VIEW, caps.REPAIR_WORK} & request.capabilities
    if not office and request.user.pk not in (ticket.reported_by_id, ticket.assigned_to_id):
        raise Http404
    return ticket


@requires(caps.REPAIR_REPORT)
def repair_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    ticket = _ticket_for(request, pk)
    return render(
        request,
        "assets/repair_detail.html",
        {
            "ticket": ticket,
            "parts": list(ticket.parts.filter(school=request.school).select_related("item")),
            "assign_form": AssignForm(school=request.school),
            "fix_form": FixForm(school=request.school),
        },
    )


def _repair_action(request: HttpRequest, school_code: str, pk: int, call) -> HttpResponse:
    ticket = _ticket_for(request, pk)
    try:
        call(ticket)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assets:repair_detail", school_code, pk)


@requires(caps.REPAIR_ASSIGN)
@require_POST
def repair_assign(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    form = AssignForm(request.POST, school=request.school)

    def call(ticket):
        if not form.is_valid():
            raise ValidationError(_("Choose the worker."))
        services.repair_assign(
            school=request.school,
            actor=request.user,
            ticket=ticket,
            worker=form.cleaned_data["worker"],
        )
        messages.success(request, _("Assigned."))

    return _repair_action(request, school_code, pk, call)


@requires(caps.REPAIR_WORK)
@require_POST
def repair_fix(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    form = FixForm(request.POST, school=request.school)

    def call(ticket):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        parts = (
            [services.PartUsed(data["part"], data["part_location"], data["part_quantity"])]
            if data.get("part")
            else []
        )
        services.repair_fix(
            school=request.school,
            actor=request.user,
            ticket=ticket,
            work_done=data["work_done"],
            parts=parts,
        )
        messages.success(request, _("Fix recorded; the reporter is asked to confirm."))

    return _repair_action(request, school_code, pk, call)


@requires(caps.REPAIR_REPORT)
@require_POST
def repair_confirm(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    def call(ticket):
        services.repair_confirm(school=request.school, actor=request.user, ticket=ticket)
        messages.success(request, _("Thank you: the repair is closed."))

    return _repair_action(request, school_code, pk, call)


@requires(caps.VIEW)
def repair_stats(request: HttpRequest, school_code: str) -> HttpResponse:
    return render(
        request,
        "assets/repair_stats.html",
        {
            "stats": selectors.repair_stats(request.school),
            "repeated": selectors.repeated_faults(request.school),
            "tabs": _tabs(request, "repairs"),
        },
    )


# ---------------------------------------------------------------- write-offs


@requires(caps.VIEW)
def writeoff_list(request: HttpRequest, school_code: str) -> HttpResponse:
    page = paginate(selectors.writeoffs(request.school), request.GET.get("page"))
    return render(
        request,
        "assets/writeoff_list.html",
        {
            "page": page,
            "tabs": _tabs(request, "writeoffs"),
            "status_labels": label_map(WriteOffStatus),
            "detail_base": school_url("assets:writeoff_detail", school_code, 0)[:-2],
        },
    )


@requires(caps.WRITEOFF)
def writeoff_create(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    asset = get_for_school(request, Asset, pk=pk)
    form = WriteOffForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            writeoff = services.writeoff_create(
                school=request.school,
                actor=request.user,
                asset=asset,
                reason=form.cleaned_data["reason"],
                photo=form.cleaned_data.get("photo") or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Write-off filed; it is waiting for signatures."))
            return redirect("assets:writeoff_detail", school_code, writeoff.pk)
    return _form_page(request, form, _("Write off %(asset)s") % {"asset": asset})


@requires(caps.VIEW)
def writeoff_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    writeoff = get_for_school(
        request,
        WriteOff.objects.select_related("asset", "approval", "requested_by", "photo"),
        pk=pk,
    )
    return render(request, "assets/writeoff_detail.html", {"writeoff": writeoff})


# ---------------------------------------------------------------- reports


@requires(caps.PRICES)
def report_register(request: HttpRequest, school_code: str) -> HttpResponse:
    """The register by category and by location with totals that agree (账账相符), or line
    by line as the register page filters it (voided lines struck through unless hidden)."""
    by = request.GET.get("by") if request.GET.get("by") in ("location", "lines") else "category"
    if by == "lines":
        snapshot = reports.register_lines_snapshot(
            request.school,
            {k: request.GET.get(k, "") for k in FILTERS},
            with_voided=request.GET.get("voided") != "hide",
        )
    else:
        snapshot = reports.register_snapshot(request.school, by)
    if request.GET.get("fmt") in ("pdf", "xlsx"):
        return reports.download(snapshot, request, f"register-{by}")
    context = reports.page_context(snapshot)
    return render(
        request,
        "assets/report.html",
        {**context, "title": snapshot.title, "by": by, "tabs": _tabs(request, "reports")},
    )


# ---------------------------------------------------------------- stocktakes


@requires(caps.WRITEOFF)
def stocktake_list(request: HttpRequest, school_code: str) -> HttpResponse:
    form = StocktakeForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = services.stocktake_start(
                school=request.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("assets:stocktake_detail", school_code, stocktake.pk)
    if not form.is_bound:
        form.offer(*selectors.place_and_category_choices(request.school))
    page = paginate(selectors.stocktakes(request.school), request.GET.get("page"))
    return render(
        request,
        "assets/stocktake_list.html",
        {
            "page": page,
            "tabs": _tabs(request, "stocktakes"),
            "form": form,
            "status_labels": label_map(StocktakeStatus),
            "kind_labels": label_map(StocktakeKind),
            "detail_base": school_url("assets:stocktake_detail", school_code, 0)[:-2],
        },
    )


@requires(caps.WRITEOFF)
def stocktake_detail(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    """The count sheet on a phone: scan or type a code, or tick a line."""
    stocktake = get_for_school(request, Stocktake.objects.select_related("location"), pk=pk)
    if stocktake.kind == StocktakeKind.STOCK:
        return _stock_count_page(request, stocktake)
    form = CountForm(
        request.POST or None,
        initial={"found_location": stocktake.location_id},
        school=request.school,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        asset = None
        if data["code"]:
            asset = Asset.objects.filter(
                school=request.school, code=data["code"].strip(), voided_at__isnull=True
            ).first()
        try:
            if data["code"] and asset is None:
                raise ValidationError({"code": _("No register line has this code.")})
            services.stocktake_count(
                school=request.school,
                actor=request.user,
                stocktake=stocktake,
                asset=asset,
                result="surplus" if asset is None else data["result"],
                surplus_name=data["surplus_name"],
                found_location=data["found_location"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Counted."))
            return redirect("assets:stocktake_detail", school_code, pk)
    snapshot = reports.stocktake_snapshot(request.school, stocktake)
    if request.GET.get("fmt") in ("pdf", "xlsx"):
        return reports.download(snapshot, request, f"stocktake-{stocktake.pk}")
    return render(
        request,
        "assets/stocktake_detail.html",
        {
            "stocktake": stocktake,
            "form": form,
            "pending": list(selectors.stocktake_pending(request.school, stocktake)[:200]),
            "summary": selectors.stocktake_summary(request.school, stocktake),
            **reports.page_context(snapshot),
        },
    )


def _stock_count_page(request: HttpRequest, stocktake: Stocktake) -> HttpResponse:
    """Consumables: one quantity box per item and store; a blank box is not counted yet."""
    lines = list(selectors.stock_count_lines(request.school, stocktake))
    errors: dict[int, str] = {}
    if request.method == "POST":
        counts: dict[int, int] = {}
        for line in lines:
            raw = request.POST.get(f"c-{line.pk}", "").strip()
            if not raw:
                continue
            try:
                counts[line.pk] = int(raw)
            except ValueError:
                errors[line.pk] = _("Enter a whole number.")
            else:
                if counts[line.pk] < 0:
                    errors[line.pk] = _("Enter a whole number.")
        if not errors:
            try:
                n = services.stock_count(
                    school=request.school, actor=request.user, stocktake=stocktake, counts=counts
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("%(n)s counts saved.") % {"n": n})
                return redirect("assets:stocktake_detail", request.school.code, stocktake.pk)
    snapshot = reports.stocktake_snapshot(request.school, stocktake)
    if request.GET.get("fmt") in ("pdf", "xlsx"):
        return reports.download(snapshot, request, f"stocktake-{stocktake.pk}")
    for line in lines:  # what was typed is kept when the form comes back with an error
        line.typed = request.POST.get(f"c-{line.pk}", line.counted)
        line.error = errors.get(line.pk, "")
    return render(
        request,
        "assets/stock_stocktake.html",
        {
            "stocktake": stocktake,
            "lines": lines,
            "uncounted": sum(1 for line in lines if line.counted is None),
            **reports.page_context(snapshot),
        },
    )


@requires(caps.WRITEOFF)
@require_POST
def stocktake_action(request: HttpRequest, school_code: str, pk: int) -> HttpResponse:
    """Tick one line, finish counting, or apply the results."""
    stocktake = get_for_school(request, Stocktake, pk=pk)
    action = request.POST.get("action")
    common = {"school": request.school, "actor": request.user, "stocktake": stocktake}
    try:
        if action == "tick":
            asset = get_for_school(request, Asset, pk=request.POST.get("asset") or 0)
            services.stocktake_count(
                **common, asset=asset, result=request.POST.get("result", "found")
            )
        elif action == "finish":
            services.stocktake_finish(**common)
            messages.success(request, _("Counting finished."))
        elif action == "apply" and stocktake.status == StocktakeStatus.FINISHED:
            services.stocktake_apply(**common)
            messages.success(
                request,
                _("Results applied: stock moves recorded for every difference.")
                if stocktake.kind == StocktakeKind.STOCK
                else _("Results applied: write-offs filed for signatures, transfers made."),
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assets:stocktake_detail", school_code, pk)


@requires(caps.WRITEOFF)
@require_POST
def stocktake_scan(request: HttpRequest, school_code: str, pk: int) -> JsonResponse:
    """The camera scanner's call (assets/static/assets/scan.js): the label's URL marks its
    item found. JSON, since the page stays open for the next label."""
    stocktake = get_for_school(request, Stocktake, pk=pk)
    asset = selectors.asset_from_label(request.school, request.POST.get("url", ""))
    if asset is None:
        return JsonResponse({"error": _("This label is not an item of this school.")}, status=404)
    place = Location.objects.filter(
        school=request.school, pk=selectors.int_or_none(request.POST.get("found_location"))
    ).first()
    try:
        line = services.stocktake_count(
            school=request.school,
            actor=request.user,
            stocktake=stocktake,
            asset=asset,
            result=CountResult.FOUND,
            found_location=place,
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=409)
    return JsonResponse(
        {
            "asset": asset.pk,
            "code": asset.code,
            "name": asset.name,
            "result": CountResult(line.result).label,
        }
    )


REPORTS = {
    "custody": (caps.PRICES, reports.custody_snapshot),
    "stock": (caps.VIEW, reports.stock_snapshot),
    "repairs": (caps.VIEW, reports.repair_snapshot),
}


@requires(caps.VIEW)
def report_other(request: HttpRequest, school_code: str, kind: str) -> HttpResponse:
    """Custody list, stock balance, repair statistics: page, PDF and Excel from one snapshot."""
    if kind not in REPORTS:
        raise Http404
    capability, build = REPORTS[kind]
    if capability not in request.capabilities:
        raise PermissionDenied
    snapshot = build(request.school)
    if request.GET.get("fmt") in ("pdf", "xlsx"):
        return reports.download(snapshot, request, f"{kind}")
    context = reports.page_context(snapshot)
    return render(
        request,
        "assets/report.html",
        {**context, "title": snapshot.title, "tabs": _tabs(request, "reports")},
    )
