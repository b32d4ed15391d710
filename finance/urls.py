from __future__ import annotations

from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("", views.expense_list, name="expense_list"),
    path("expenses/new/", views.expense_create, name="expense_create"),
    path("expenses/<int:pk>/", views.expense_detail, name="expense_detail"),
    path("expenses/<int:pk>/edit/", views.expense_edit, name="expense_edit"),
    path("expenses/<int:pk>/print/", views.expense_print, name="expense_print"),
    path("expenses/<int:pk>/invoice/", views.expense_invoice, name="expense_invoice"),
    path("expenses/<int:pk>/book/", views.expense_book, name="expense_book"),
    path("expenses/<int:pk>/pay/", views.expense_pay, name="expense_pay"),
    path("expenses/<int:pk>/override/", views.expense_override, name="expense_override"),
    path("expenses/<int:pk>/sign/", views.expense_sign, name="expense_sign"),
    path("sign/", views.sign_todo, name="sign_todo"),
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/new/", views.fund_create, name="fund_create"),
    path("budget/new/", views.budget_create, name="budget_create"),
    path("reports/monthly/", views.report_monthly, name="report_monthly"),
    path("reports/large/", views.report_large, name="report_large"),
    path("reports/cash/", views.report_cash, name="report_cash"),
    path("fees/", views.fee_list, name="fee_list"),
    path("fees/new/", views.fee_create, name="fee_create"),
    path("fees/<int:pk>/", views.fee_detail, name="fee_detail"),
    path("fees/<int:pk>/entries/<int:entry>/", views.fee_entry_edit, name="fee_entry_edit"),
    path("students/", views.student_list, name="student_list"),
    path("aid/", views.aid_list, name="aid_list"),
    path("aid/new/", views.aid_create, name="aid_create"),
    path("aid/<int:pk>/", views.aid_detail, name="aid_detail"),
    path("aid/<int:pk>/edit/", views.aid_edit, name="aid_edit"),
    path("aid/<int:pk>/resubmit/", views.aid_resubmit, name="aid_resubmit"),
    path("aid/<int:pk>/pay/", views.aid_pay, name="aid_pay"),
]
