from __future__ import annotations

from django.urls import path

from safety import views

app_name = "safety"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("inspections/start/", views.inspection_start, name="inspection_start"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/items/<int:item>/", views.inspection_item, name="inspection_item"),
    path("inspections/<int:pk>/finish/", views.inspection_finish, name="inspection_finish"),
    path("inspections/<int:pk>/report/", views.inspection_report, name="inspection_report"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/install/", views.checklist_install, name="checklist_install"),
    path("checklists/new/", views.checklist_create, name="checklist_create"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path(
        "checklists/<int:pk>/items/<int:item>/",
        views.checklist_item_edit,
        name="checklist_item_edit",
    ),
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/new/", views.hazard_create, name="hazard_create"),
    path("hazards/register/", views.hazard_register, name="hazard_register"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/rectify/", views.hazard_rectify, name="hazard_rectify"),
    path("hazards/<int:pk>/verify/", views.hazard_verify, name="hazard_verify"),
    path("equipment/", views.equipment_list, name="equipment_list"),
    path("equipment/new/", views.equipment_edit, name="equipment_create"),
    path("equipment/<int:pk>/", views.equipment_edit, name="equipment_edit"),
    path("equipment/check/", views.equipment_check, name="equipment_check"),
    path("gate/", views.gate, name="gate"),
    path("gate/in/", views.gate_in, name="gate_in"),
    path("gate/<int:pk>/out/", views.gate_out, name="gate_out"),
    path("gate/register/", views.gate_register, name="gate_register"),
    path("duty/", views.roster_list, name="roster_list"),
    path("duty/new/", views.roster_create, name="roster_create"),
    path("duty/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("duty/shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("duty/shifts/<int:pk>/log/", views.shift_log, name="shift_log"),
    path("duty/shifts/<int:pk>/swap/", views.shift_swap, name="shift_swap"),
    path("plans/emergency/", views.emergency_plan_list, name="emergency_plan_list"),
    path("plans/emergency/new/", views.emergency_plan_create, name="emergency_plan_create"),
    path("drills/", views.drill_list, name="drill_list"),
    path("drills/new/", views.drill_create, name="drill_create"),
    path("drills/<int:pk>/", views.drill_detail, name="drill_detail"),
]
