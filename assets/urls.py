from __future__ import annotations

from django.urls import path

from assets import views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="asset_list"),
    path("mine/", views.my_custody, name="my_custody"),
    path("new/", views.asset_create, name="asset_create"),
    path("export/", views.asset_export, name="asset_export"),
    path("import/", views.asset_import, name="asset_import"),
    path("labels/", views.asset_labels, name="asset_labels"),
    path("<int:pk>/", views.asset_detail, name="asset_detail"),
    path("<int:pk>/edit/", views.asset_edit, name="asset_edit"),
    path("<int:pk>/assign/", views.asset_custody, {"action": "assign"}, name="asset_assign"),
    path("<int:pk>/checkout/", views.asset_custody, {"action": "checkout"}, name="asset_checkout"),
    path("<int:pk>/checkin/", views.asset_custody, {"action": "checkin"}, name="asset_checkin"),
    path("<int:pk>/photo/", views.asset_photo, name="asset_photo"),
    path("<int:pk>/handover/<int:record>/", views.asset_handover, name="asset_handover"),
    path("<int:pk>/writeoff/", views.writeoff_create, name="writeoff_create"),
    path("categories/", views.category_list, name="category_list"),
    path("locations/", views.location_list, name="location_list"),
    path("settings/", views.settings_edit, name="settings"),
    path("stock/", views.stock_list, name="stock_list"),
    path("stock/moves/", views.stock_moves, name="stock_moves"),
    path("stock/items/new/", views.stock_item_create, name="stock_item_create"),
    path("stock/in/", views.stock_in, name="stock_in"),
    path("stock/out/", views.stock_out, name="stock_out"),
    path("stock/distribute/", views.distribution_create, name="distribution_create"),
    path("stock/distributions/<int:pk>/", views.distribution_detail, name="distribution_detail"),
    path("requisitions/", views.requisition_list, name="requisition_list"),
    path("requisitions/new/", views.requisition_create, name="requisition_create"),
    path("requisitions/<int:pk>/", views.requisition_detail, name="requisition_detail"),
    path("requisitions/<int:pk>/issue/", views.requisition_issue, name="requisition_issue"),
    path("repairs/", views.repair_list, name="repair_list"),
    path("repairs/new/", views.repair_create, name="repair_create"),
    path("repairs/stats/", views.repair_stats, name="repair_stats"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/assign/", views.repair_assign, name="repair_assign"),
    path("repairs/<int:pk>/fix/", views.repair_fix, name="repair_fix"),
    path("repairs/<int:pk>/confirm/", views.repair_confirm, name="repair_confirm"),
    path("writeoffs/", views.writeoff_list, name="writeoff_list"),
    path("writeoffs/<int:pk>/", views.writeoff_detail, name="writeoff_detail"),
    path("stocktakes/", views.stocktake_list, name="stocktake_list"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<int:pk>/act/", views.stocktake_action, name="stocktake_action"),
    path("stocktakes/<int:pk>/scan/", views.stocktake_scan, name="stocktake_scan"),
    path("reports/register/", views.report_register, name="report_register"),
    path("reports/<slug:kind>/", views.report_other, name="report_other"),
]
