from __future__ import annotations

from django.urls import path

from canteen import views

app_name = "canteen"

urlpatterns = [
    path("", views.today, name="today"),
    path("day/<str:day>/", views.day_review, name="day_review"),
    path("day/<str:day>/<str:meal>/samples/", views.sample_meal, name="sample_meal"),
    path(
        "day/<str:day>/<str:meal>/disinfection/",
        views.disinfection_new,
        name="disinfection_new",
    ),
    path("day/<str:day>/<str:meal>/accompanied/", views.accompanied_new, name="accompanied_new"),
    path("day/<str:day>/morning/", views.morning_new, name="morning_new"),
    path("day/<str:day>/waste/", views.waste_new, name="waste_new"),
    path("day/<str:day>/mark/", views.gap_mark, name="gap_mark"),
    path("day/<str:day>/close/", views.day_close, name="day_close"),
    path("day/<str:day>/sign/", views.day_sign, name="day_sign"),
    path("day/<str:day>/concern/", views.day_concern, name="day_concern"),
    path("day/<str:day>/reopen/", views.day_reopen, name="day_reopen"),
    path("days/", views.day_list, name="day_list"),
    path("temperatures/new/", views.temperature_new, name="temperature_new"),
    path("receiving/new/", views.receiving_new, name="receiving_new"),
    path("followups/", views.followup_list, name="followup_list"),
    path("followups/<int:pk>/reply/", views.followup_reply, name="followup_reply"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/new/", views.supplier_edit, name="supplier_create"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("suppliers/lists/new/", views.supplier_list_new, name="supplier_list_new"),
    path("menu/", views.menu_week, name="menu_week"),
    path("menu/copy/", views.menu_copy, name="menu_copy"),
    path("menu/<str:day>/<str:meal>/", views.menu_edit, name="menu_edit"),
    path("samples/dispose/", views.sample_dispose, name="sample_dispose"),
    path("ledgers/<str:kind>/", views.ledger, name="ledger"),
    path("settings/", views.settings_edit, name="settings"),
    path("training/new/", views.training_new, name="training_new"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/reply/", views.complaint_reply, name="complaint_reply"),
    path("account/", views.account, name="account"),
    path("account/<str:month>/income/", views.income_set, name="income_set"),
    path("account/<str:month>/statements/<int:supplier>/", views.statement, name="statement"),
]
