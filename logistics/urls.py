from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from logistics import views

school_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_log, name="audit_log"),
    path("attachments/<uuid:uuid>/", views.attachment_download, name="attachment_download"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("s/<slug:school_code>/", include(school_patterns)),
]
