"""The demo data of sdcz (2022) loads, is idempotent, and tells the seed's story."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from finance.demo import load_finance_demo
from finance.models import AidApplication, Expense, ExpenseStatus
from logistics.models import Approval, AuditEvent, Signature


def test_the_demo_loads_once_with_the_seed_expenses_dated_in_their_school_year(world):
    with scopes_disabled():
        load_finance_demo()
        load_finance_demo()  # idempotent
        cctv = Expense.objects.get(purpose="校园监控系统")
        assert cctv.status == ExpenseStatus.PAID and cctv.voucher_no
        assert list(
            Signature.objects.filter(approval=cctv.approval, voided_at__isnull=True)
            .order_by("step")
            .values_list("signer__username", flat=True)
        ) == ["director", "finance", "principal", "central"]
        assert Expense.objects.filter(status=ExpenseStatus.PAID).count() == 10
        waiting = Expense.objects.get(purpose="教室照明灯具更换")
        assert waiting.approval.current_capability == "finance.sign_central"
        assert Expense.objects.get(purpose="课桌椅维修").approval.status == Approval.RETURNED
        assert AuditEvent.objects.filter(action="finance.expense.refused").count() == 1

        # Dated in the seed's school year 2022–23, whatever day the demo is loaded.
        start = timezone.make_aware(datetime.datetime(2022, 9, 1))
        end = timezone.make_aware(datetime.datetime(2023, 9, 1))
        expenses = Expense.objects.all()
        for field in ("requested_at", "booked_at", "paid_at"):
            values = [v for v in expenses.values_list(field, flat=True) if v is not None]
            assert values and all(start <= v < end for v in values), field
        signed = Signature.objects.values_list("signed_at", flat=True)
        assert signed and all(start <= v < end for v in signed)
        aid = AidApplication.objects.values_list("created_at", "approved_at")
        assert all(start <= v < end for row in aid for v in row if v is not None)
        cctv = Expense.objects.get(purpose="校园监控系统")
        assert cctv.requested_at < cctv.booked_at < cctv.paid_at
        assert cctv.approval.created_at.date() == timezone.localdate(cctv.requested_at)
