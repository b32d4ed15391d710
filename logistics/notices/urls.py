from __future__ import annotations

from django.urls import include, path

from logistics.notices import views

app_name = "notices"

staff = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("new/table/", views.notice_create_table, name="create_table"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/edit/", views.notice_edit, name="edit"),
    path("<int:pk>/table/", views.notice_replace_table, name="replace_table"),
    path("<int:pk>/submit/", views.notice_submit, name="submit"),
    path("<int:pk>/correct/", views.notice_correct, name="correct"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("<int:pk>/print/", views.notice_print_draft, name="print_draft"),
]

# Public pages need no login: their kwarg is `code`, not `school_code`, so the scoping
# middleware does not ask for one; the views scope their queries themselves.
urlpatterns = [
    path("s/<slug:school_code>/notices/", include(staff)),
    path("public/<slug:code>/", views.public_board, name="board"),
    path("public/<slug:code>/<str:verify_code>/", views.public_notice, name="public"),
    path("public/<slug:code>/<str:verify_code>/pdf/", views.public_pdf, name="pdf"),
    path(
        "public/<slug:code>/<str:verify_code>/pdf/status/",
        views.public_pdf_status,
        name="pdf_status",
    ),
    path("public/<slug:code>/<str:verify_code>/xlsx/", views.public_xlsx, name="xlsx"),
    path("verify/<str:verify_code>/", views.verify, name="verify"),
]
