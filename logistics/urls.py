from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from logistics import views

school_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_log, name="audit_log"),
    path("approvals/", views.approvals_waiting, name="approvals_waiting"),
    path("approvals/<int:pk>/act/", views.approval_action, name="approval_action"),
    path("attachments/<uuid:uuid>/", views.attachment_download, name="attachment_download"),
    path("void/<str:label>/<int:pk>/", views.record_void, name="record_void"),
    path("privacy/", views.privacy_log, name="privacy_log"),
    path("staff/", include("logistics.staff.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/", include("logistics.twofactor.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("s/<slug:school_code>/finance/", include("finance.urls")),
    path("s/<slug:school_code>/canteen/", include("canteen.urls")),
    path("s/<slug:school_code>/assets/", include("assets.urls")),
    path("s/<slug:school_code>/safety/", include("safety.urls")),
    path("s/<slug:school_code>/", include(school_patterns)),
    path("", include("logistics.notices.urls")),
]
