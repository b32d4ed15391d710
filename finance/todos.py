"""Dashboard to-dos and benchmarked pages of finance (each provider runs at most one query)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance import capabilities as caps
from finance.models import Expense, ExpenseStatus
from logistics.prepared import Param, ParamList, Prepared
from logistics.registry import BenchPage, NavItem, Todo, registry
from logistics.selectors import approvals_waiting


def _waiting_approvals():
    return approvals_waiting(Param("user"), ParamList("capabilities")).filter(
        doc_type__in=["finance.expense", "finance.booking"]
    )


# Compiled once per process (logistics.prepared): the dashboard runs them on every view.
_COUNTS = Prepared(
    lambda: (
        Expense.objects.filter(school=Param("school"))
        .values("school")
        .annotate(
            sign=Count(
                "pk",
                filter=Q(
                    approval__in=_waiting_approvals().filter(school=Param("school")).values("pk")
                )
                | Q(
                    booking_approval__in=_waiting_approvals()
                    .filter(school=Param("school"))
                    .values("pk")
                ),
            ),
            held=Count("pk", filter=Q(status=ExpenseStatus.HELD)),
            book=Count("pk", filter=Q(status=ExpenseStatus.READY)),
        )
    )
)
# The member schools' rows are limited to the central principal's own step.
_CENTRAL = Prepared(
    lambda: (
        _waiting_approvals()
        .filter(
            Q(school=Param("school"))
            | Q(
                school__parent=Param("school"),
                school__is_active=True,
                current_capability=caps.SIGN_CENTRAL,
            )
        )
        .values("school__code", "school__name")
        .annotate(n=Count("pk"))
        .order_by("school__parent_id", "school__code")
    )
)


@registry.todo
def finance_to_sign(school, user, capabilities):
    """Expenses waiting for this user's signature, budget override or booking (one query).

    At the central school the central principal also sees each member school's expenses
    that wait for them, one line per school.
    """
    values = {"school": school.pk, "user": user.pk, "capabilities": list(capabilities)}
    if school.is_central and caps.SIGN_CENTRAL in capabilities:
        yield from _central_lines(school, _CENTRAL.rows(**values))
        return
    if caps.REQUEST not in capabilities:
        return
    counts = _COUNTS.row(**values)
    url = reverse("finance:sign_todo", args=[school.code])
    if counts.get("sign"):
        yield Todo(
            _("%(n)s expenses wait for your signature") % {"n": counts["sign"]},
            url,
            counts["sign"],
            "danger",
        )
    if counts.get("held") and caps.OVERRIDE in capabilities:
        yield Todo(
            _("%(n)s requests exceed their budget") % {"n": counts["held"]},
            reverse("finance:expense_list", args=[school.code]) + "?status=held",
            counts["held"],
        )
    if counts.get("book") and caps.BOOK in capabilities:
        yield Todo(
            _("%(n)s signed-off expenses to book") % {"n": counts["book"]},
            reverse("finance:expense_list", args=[school.code]) + "?status=ready",
            counts["book"],
        )


def _central_lines(school, rows):
    for row in rows:
        text = (
            _("%(n)s expenses wait for your signature") % {"n": row["n"]}
            if row["school__code"] == school.code
            else _("%(school)s: %(n)s expenses wait for your signature")
            % {"school": row["school__name"], "n": row["n"]}
        )
        yield Todo(
            text, reverse("finance:sign_todo", args=[row["school__code"]]), row["n"], "danger"
        )


registry.nav_item(NavItem(gettext_lazy("Expenses"), "finance:expense_list", caps.REQUEST, order=20))
registry.nav_item(NavItem(gettext_lazy("Funds"), "finance:fund_list", caps.VIEW, order=21))
registry.nav_item(NavItem(gettext_lazy("Fees"), "finance:fee_list", caps.FEES, order=22))
registry.nav_item(NavItem(gettext_lazy("Student aid"), "finance:aid_list", caps.AID, order=23))

registry.bench_page(
    BenchPage("finance: expense list", lambda s: f"/s/{s.code}/finance/", caps.REQUEST)
)
registry.bench_page(
    BenchPage("finance: to sign", lambda s: f"/s/{s.code}/finance/sign/", caps.REQUEST)
)
registry.bench_page(BenchPage("finance: funds", lambda s: f"/s/{s.code}/finance/funds/", caps.VIEW))
registry.bench_page(
    BenchPage("finance: students", lambda s: f"/s/{s.code}/finance/students/", caps.FEES)
)
registry.bench_page(BenchPage("finance: fees", lambda s: f"/s/{s.code}/finance/fees/", caps.FEES))
registry.bench_page(BenchPage("finance: aid", lambda s: f"/s/{s.code}/finance/aid/", caps.AID))
