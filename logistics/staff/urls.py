from __future__ import annotations

from django.urls import path

from logistics.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("add/", views.staff_add, name="add"),
    path("import/", views.staff_import, name="import"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/deactivate/", views.staff_deactivate, name="deactivate"),
    path("<int:pk>/password/", views.staff_password, name="password"),
    path("<int:pk>/two-factor/", views.staff_two_factor, name="two_factor"),
]
