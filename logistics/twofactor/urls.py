from __future__ import annotations

from django.urls import path

from logistics.twofactor import views

app_name = "twofactor"
urlpatterns = [
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
]
