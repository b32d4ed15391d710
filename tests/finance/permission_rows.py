from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django_scopes import scopes_disabled

from finance import services
from finance.models import AidApplication, Category, Expense, FeeEntry, Student
from tests.finance.conftest import make_funds
from tests.matrix import Row


def _expense(world):
    funds = make_funds(world)
    with scopes_disabled():
        return services.expense_create(
            school=world.school,
            actor=world.user("teacher"),
            fund=funds.public,
            category=Category.OFFICE,
            purpose="购买粉笔",
            amount=Decimal("300.00"),
            payee="文具店",
        )


def _e(name):
    return lambda w, s: reverse(f"finance:{name}", args=[s.code, _expense(w).pk])


def _s(name):
    return lambda w, s: reverse(f"finance:{name}", args=[s.code])


def _fee(w, s):
    with scopes_disabled():
        Student.objects.create(school=s, class_name="初一(1)班", name="张小明")
        item = services.fee_item_create(
            school=s,
            actor=w.user("accountant"),
            name="作业本费",
            direction="collect",
            term="2026年秋季学期",
            term_end="2027-01-20",
            amount=Decimal("20.00"),
        )
    return reverse("finance:fee_detail", args=[s.code, item.pk])


def _fee_entry(w, s):
    with scopes_disabled():
        Student.objects.create(school=s, class_name="初一(1)班", name="张小明")
        item = services.fee_item_create(
            school=s,
            actor=w.user("accountant"),
            name="作业本费",
            direction="collect",
            term="2026年秋季学期",
            term_end="2027-01-20",
            amount=Decimal("20.00"),
        )
        entry = item.entries.get()
    return reverse("finance:fee_entry_edit", args=[s.code, item.pk, entry.pk])


def _aid(w, s, name="aid_detail"):
    with scopes_disabled():
        student = Student.objects.create(school=s, class_name="初一(1)班", name="张小明")
        application = services.aid_apply(
            school=s,
            actor=w.user("accountant"),
            student=student,
            year=2026,
            category="registered",
            amount=Decimal("625.00"),
            id_number="440000201201010011",
        )
    return reverse(f"finance:{name}", args=[s.code, application.pk])


def _aid_returned_to(name):
    def path(w, s):
        from logistics.approvals import approval_return

        url = _aid(w, s, name)
        with scopes_disabled():
            application = AidApplication.objects.get(school=s)
            approval_return(
                school=s,
                actor=w.user("teacher"),
                approval_id=application.approval_id,
                to_step=None,
                comment="请补充证明",
            )
        return url

    return path


def _fee_amount_is(w, amount) -> bool:
    with scopes_disabled():
        return FeeEntry.objects.filter(school=w.school, amount=amount).exists()


def _status_is(status):
    """effect: the row's expense reached `status` (each row runs on a fresh database)."""

    def effect(world) -> bool:
        with scopes_disabled():
            return Expense.objects.filter(school=world.school, status=status).exists()

    return effect


def _signed_off(w, s, name):
    """An expense signed off by the principal, ready to book (or booked, for payment)."""
    from logistics.approvals import approval_sign
    from tests.finance.conftest import clean_png

    funds = make_funds(w)
    with scopes_disabled():
        expense = services.expense_create(
            school=s,
            actor=w.user("teacher"),
            fund=funds.public,
            category=Category.OFFICE,
            purpose="购买粉笔",
            amount=Decimal("300.00"),
            payee="文具店",
        )
        services.expense_sign(
            school=s, actor=w.user("principal"), expense_id=expense.pk, which="expense", step=0
        )
        services.expense_submit_invoice(
            school=s, actor=w.user("teacher"), expense_id=expense.pk, upload=clean_png("发票.png")
        )
        expense.refresh_from_db()
        approval_sign(
            school=s, actor=w.user("principal"), approval_id=expense.booking_approval_id, step=0
        )
        if name == "expense_pay":
            services.expense_book(
                school=s, actor=w.user("accountant"), expense_id=expense.pk, voucher_no="记-1"
            )
    return reverse(f"finance:{name}", args=[s.code, expense.pk])


def _held(w, s):
    funds = make_funds(w)
    with scopes_disabled():
        expense = services.expense_create(
            school=s,
            actor=w.user("teacher"),
            fund=funds.public,
            category=Category.OFFICE,
            purpose="整修办公室",
            amount=Decimal("250000.00"),
            payee="装修公司",
            quote_reason="独家",
        )
    return reverse("finance:expense_override", args=[s.code, expense.pk])


def _aid_effect(**lookup):
    def effect(world) -> bool:
        with scopes_disabled():
            return AidApplication.objects.filter(school=world.school, **lookup).exists()

    return effect


def _aid_published(w, s):
    """An approved application whose aid list has been published and has left the board."""
    import datetime

    from django.utils import timezone

    from logistics.approvals import approval_sign
    from logistics.notices.models import Notice

    url = _aid(w, s, "aid_pay")
    with scopes_disabled():
        application = AidApplication.objects.get(school=s)
        for who, step in (("teacher", 0), ("principal", 1)):
            approval_sign(
                school=s, actor=w.user(who), approval_id=application.approval_id, step=step
            )
        today = timezone.localdate()
        Notice.objects.create(
            school=s,
            kind="finance.aid",
            title="资助名单公示",
            period_start=today,
            period_end=today,
            snapshot={},
            status=Notice.PUBLISHED,
            published_at=timezone.now(),
            public_until=today - datetime.timedelta(days=1),
            created_by=w.user("accountant"),
        )
    return url


ROWS = [
    Row("finance:expense_list", _s("expense_list"), allowed="teacher", denied="cook"),
    Row("finance:expense_create", _s("expense_create"), allowed="teacher", denied="cook"),
    Row("finance:expense_detail", _e("expense_detail"), allowed="principal", denied="cook"),
    Row("finance:expense_edit", _e("expense_edit"), allowed="teacher", denied="cook"),
    Row("finance:expense_print", _e("expense_print"), allowed="principal", denied="cook"),
    Row(
        "finance:expense_invoice",
        _e("expense_invoice"),
        allowed="teacher",
        denied="cook",
        method="post",
        ok=(302,),
    ),
    Row(
        "finance:expense_book",
        lambda w, s: _signed_off(w, s, "expense_book"),
        allowed="accountant",
        denied="teacher",
        method="post",
        data={"voucher_no": "记-1"},
        ok=(302,),
        effect=_status_is("booked"),
    ),
    Row(
        "finance:expense_pay",
        lambda w, s: _signed_off(w, s, "expense_pay"),
        allowed="accountant",
        denied="teacher",
        method="post",
        data={"method": "transfer"},
        ok=(302,),
        effect=_status_is("paid"),
    ),
    Row(
        "finance:expense_override",
        _held,
        allowed="principal",
        denied="accountant",
        method="post",
        data={"reason": "急需"},
        ok=(302,),
        effect=_status_is("pending"),
    ),
    Row(
        "finance:expense_sign",
        _e("expense_sign"),
        allowed="principal",
        denied="cook",
        method="post",
        data={"which": "expense", "step": 0},
        ok=(302,),
        effect=_status_is("approved"),
    ),
    Row("finance:sign_todo", _s("sign_todo"), allowed="principal", denied="cook"),
    Row("finance:fund_list", _s("fund_list"), allowed="accountant", denied="teacher"),
    Row("finance:fund_create", _s("fund_create"), allowed="accountant", denied="teacher"),
    Row("finance:budget_create", _s("budget_create"), allowed="accountant", denied="teacher"),
    Row("finance:report_monthly", _s("report_monthly"), allowed="director", denied="teacher"),
    Row("finance:report_large", _s("report_large"), allowed="director", denied="teacher"),
    Row("finance:report_cash", _s("report_cash"), allowed="director", denied="teacher"),
    Row("finance:fee_list", _s("fee_list"), allowed="accountant", denied="teacher"),
    Row("finance:fee_create", _s("fee_create"), allowed="accountant", denied="teacher"),
    Row("finance:fee_detail", _fee, allowed="accountant", denied="teacher"),
    Row("finance:student_list", _s("student_list"), allowed="accountant", denied="teacher"),
    Row(
        "finance:fee_entry_edit",
        _fee_entry,
        allowed="accountant",
        denied="teacher",
        method="post",
        data={"amount": "25.00"},
        ok=(302,),
        effect=lambda w: _fee_amount_is(w, Decimal("25.00")),
    ),
    # Aid data is sensitive: the logistics director does not see it.
    Row("finance:aid_list", _s("aid_list"), allowed="accountant", denied="director"),
    Row("finance:aid_create", _s("aid_create"), allowed="accountant", denied="director"),
    Row("finance:aid_detail", _aid, allowed="principal", denied="director"),
    Row("finance:aid_edit", _aid_returned_to("aid_edit"), allowed="accountant", denied="director"),
    Row(
        "finance:aid_resubmit",
        _aid_returned_to("aid_resubmit"),
        allowed="accountant",
        denied="director",
        method="post",
        ok=(302,),
        effect=_aid_effect(approval__status="pending"),
    ),
    Row(
        "finance:aid_pay",
        _aid_published,
        allowed="accountant",
        denied="director",
        method="post",
        ok=(302,),
        effect=_aid_effect(status="paid"),
    ),
]
