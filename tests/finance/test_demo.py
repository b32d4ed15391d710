"""The demo data of sdcz (2022) loads, is idempotent, and tells the seed's story."""

from __future__ import annotations

from django_scopes import scopes_disabled

from finance.demo import load_finance_demo
from finance.models import Expense, ExpenseStatus
from logistics.models import Approval, AuditEvent, Signature


def test_the_demo_loads_once_with_the_seed_expenses(world):
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
