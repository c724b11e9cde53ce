"""Reads of the dues ledger (党费台账), through the member scope."""

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from zuzhi.members.models import Member
from zuzhi.members.selectors import member_get, member_scoped

from .models import DuesBasis, DuesExemption, DuesPayment, ExemptionStatus
from .services import dues_due_fen, first_of_month

ARREARS_MONTHS = 6


def months_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def dues_arrears(*, user, today: datetime.date | None = None) -> QuerySet[Member]:
    """Members who paid nothing for the last six full months although dues were due
    (连续 6 个月未交纳党费): each needs a talk, and the rules treat it as leaving the Party."""
    current = first_of_month(today or timezone.localdate())
    start = months_back(current, ARREARS_MONTHS)
    last = months_back(current, 1)
    paid = DuesPayment.objects.filter(member=OuterRef("pk"), month__gte=start, month__lt=current)
    due = DuesBasis.objects.filter(
        member=OuterRef("pk"), year__in={start.year, last.year}, monthly_fen__gt=0
    )
    waived = DuesExemption.objects.filter(
        member=OuterRef("pk"),
        status=ExemptionStatus.APPROVED,
        monthly_fen=0,
        first_month__lte=start,
        last_month__gte=last,
    )
    return (
        member_scoped(user=user)
        .filter(join_date__lt=start)
        .filter(Exists(due))
        .exclude(Exists(paid))
        .exclude(Exists(waived))
        .select_related("organization")
        .order_by("organization__path", "name")
    )


def dues_ledger(*, user, member_pk, year: int) -> dict:
    """A member's twelve months of one year: due, paid, and the difference."""
    member = member_get(user=user, pk=member_pk)
    payments = {p.month: p for p in member.dues_payments.filter(month__year=year)}
    months = []
    for m in range(1, 13):
        month = datetime.date(year, m, 1)
        due = dues_due_fen(member=member, month=month)
        paid = payments.get(month)
        months.append({"month": month, "due_fen": due, "payment": paid})
    return {"member": member, "year": year, "months": months}


def exemption_pending(*, user) -> QuerySet[DuesExemption]:
    """Exemption requests awaiting approval (待审批的减免申请) in the user's scope."""
    return (
        DuesExemption.objects.visible_to(user)
        .filter(status=ExemptionStatus.PENDING)
        .select_related("member", "member__organization")
    )


def exemption_get(*, user, pk) -> DuesExemption:
    return DuesExemption.objects.select_related(
        "member", "member__organization"
    ).get_visible_or_404(user, pk=pk)


def dues_arrears_count(*, user, today: datetime.date | None = None) -> int:
    """How many members in scope are in arrears (首页待办), counted by the database."""
    return dues_arrears(user=user, today=today).order_by().count()
