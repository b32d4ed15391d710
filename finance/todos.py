"""Dashboard to-dos and benchmarked pages of finance (each provider runs at most one query)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from finance import capabilities as caps
from finance.models import Expense, ExpenseStatus
from logistics.registry import BenchPage, NavItem, Todo, registry
from logistics.selectors import approvals_waiting


def _waiting_approvals(user, capabilities):
    return approvals_waiting(user, capabilities).filter(
        doc_type__in=["finance.expense", "finance.booking"]
    )


@registry.todo
def finance_to_sign(school, user, capabilities):
    """Expenses waiting for this user's signature, budget override or booking (one query).

    At the central school the central principal also sees each member school's expenses
    that wait for them, one line per school.
    """
    if school.is_central and caps.SIGN_CENTRAL in capabilities:
        yield from _central_lines(school, user, capabilities)
        return
    if caps.REQUEST not in capabilities:
        return
    waiting = _waiting_approvals(user, capabilities).filter(school=school).values("pk")
    counts = Expense.objects.filter(school=school).aggregate(
        sign=Count("pk", filter=Q(approval__in=waiting) | Q(booking_approval__in=waiting)),
        held=Count("pk", filter=Q(status=ExpenseStatus.HELD)),
        book=Count("pk", filter=Q(status=ExpenseStatus.READY)),
    )
    url = reverse("finance:sign_todo", args=[school.code])
    if counts["sign"]:
        yield Todo(
            _("%(n)s expenses wait for your signature") % {"n": counts["sign"]},
            url,
            counts["sign"],
            "danger",
        )
    if counts["held"] and caps.OVERRIDE in capabilities:
        yield Todo(
            _("%(n)s requests exceed their budget") % {"n": counts["held"]},
            reverse("finance:expense_list", args=[school.code]) + "?status=held",
            counts["held"],
        )
    if counts["book"] and caps.BOOK in capabilities:
        yield Todo(
            _("%(n)s signed-off expenses to book") % {"n": counts["book"]},
            reverse("finance:expense_list", args=[school.code]) + "?status=ready",
            counts["book"],
        )


def _central_lines(school, user, capabilities):
    # Reads across the member schools, which the central principal's role reaches; the
    # member schools' rows are limited to the central principal's own step.
    with scopes_disabled():
        rows = list(
            _waiting_approvals(user, capabilities)
            .filter(
                Q(school=school)
                | Q(
                    school__parent=school,
                    school__is_active=True,
                    current_capability=caps.SIGN_CENTRAL,
                )
            )
            .values("school__code", "school__name")
            .annotate(n=Count("pk"))
            .order_by("school__parent_id", "school__code")
        )
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
