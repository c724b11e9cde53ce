"""Reads of the subsidy ledger (人才补贴), each starting from the talent office's scope (or,
for `my_lines`, from the talent's own account)."""

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from zuzhi.core.scope import get_or_logged_404
from zuzhi.core.text import initials_q
from zuzhi.talent.models import Talent
from zuzhi.talent.scoping import is_talent_staff

from .models import (
    ApplicationStatus,
    LineKind,
    RunStatus,
    SubsidyApplication,
    SubsidyLine,
    SubsidyPolicy,
    SubsidyRun,
)


def _office_only(user, qs: QuerySet) -> QuerySet:
    """The office's rows: a talent's own account reaches its lines through `my_lines` only."""
    return qs.visible_to(user) if is_talent_staff(user) else qs.none()


def _office_get(user, qs: QuerySet, pk):
    """One row of the office's, the logged 404 alike for missing and forbidden."""
    visible = qs.visible_to(user) if is_talent_staff(user) else qs.none()
    return get_or_logged_404(user, visible, qs, pk=pk)


def policy_list(*, user) -> QuerySet:
    return _office_only(user, SubsidyPolicy.objects.select_related("county"))


def policy_get(*, user, pk) -> SubsidyPolicy:
    return _office_get(user, SubsidyPolicy.objects.select_related("county"), pk)


def talent_get(*, user, pk) -> Talent:
    return _office_get(user, Talent.objects.select_related("county"), pk)


def _search(qs: QuerySet, query: str, prefix: str) -> QuerySet:
    if not query:
        return qs
    q = Q(**{f"{prefix}name__contains": query}) | Q(**{f"{prefix}id_number": query.upper()})
    if query.isascii() and query.isalpha():
        q |= initials_q(f"{prefix}name_initials", query)
    return qs.filter(q)


def application_list(*, user, policy=None, status: str = "", query: str = "") -> QuerySet:
    qs = _office_only(
        user, SubsidyApplication.objects.select_related("policy__county", "talent__county")
    )
    if policy is not None:
        qs = qs.filter(policy=policy)
    if status:
        qs = qs.filter(status=status)
    return _search(qs, query, "talent__")


def application_get(*, user, pk) -> SubsidyApplication:
    qs = SubsidyApplication.objects.select_related("policy__county", "talent__county")
    return _office_get(user, qs, pk)


def run_list(*, user, policy=None) -> QuerySet:
    qs = _office_only(user, SubsidyRun.objects.select_related("policy", "approved_by"))
    return qs.filter(policy=policy) if policy is not None else qs


def run_get(*, user, pk) -> SubsidyRun:
    qs = SubsidyRun.objects.select_related("policy__county", "approved_by", "created_by")
    return _office_get(user, qs, pk)


def run_lines(*, user, run: SubsidyRun, kind: str = "", query: str = "") -> QuerySet:
    """The run's lines in ledger order (paid, corrections, then stopped), for the office."""
    qs = _office_only(user, SubsidyLine.objects.filter(run=run)).select_related(
        "talent", "application"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return _search(qs, query, "talent__").order_by("kind", "talent__name", "id")


def line_get(*, user, pk) -> SubsidyLine:
    return _office_get(user, SubsidyLine.objects.select_related("run__policy__county"), pk)


def export_lines(*, run: SubsidyRun) -> QuerySet:
    """The lines the finance bureau pays: every line with an amount (regular, 补发, 扣回)."""
    return (
        SubsidyLine.objects.filter(run=run)
        .exclude(amount_fen=0)
        .select_related("run__policy__county")
        .order_by("kind", "payee_name", "id")
    )


def my_lines(*, user) -> QuerySet:
    """A talent's own lines of approved runs (their account, through `own_field`)."""
    if not getattr(user, "is_authenticated", False):
        return SubsidyLine.objects.none()
    return (
        SubsidyLine.objects.filter(talent__user=user, run__status=RunStatus.APPROVED)
        .select_related("run__policy")
        .order_by("-run__month", "-id")
    )


def totals(*, user) -> list[dict]:
    """Paid totals per policy and year of the runs' months (approved runs only), aggregated
    by the database."""
    qs = _office_only(user, SubsidyLine.objects.filter(run__status=RunStatus.APPROVED))
    return list(
        qs.annotate(year=ExtractYear("run__month"))
        .values("run__policy_id", "run__policy__name", "year")
        .annotate(
            total_fen=Sum("amount_fen"),
            people=Count("talent", distinct=True, filter=Q(kind=LineKind.REGULAR)),
            runs=Count("run", distinct=True),
        )
        .order_by("run__policy__name", "year")
    )


def subsidy_todo(*, user) -> dict[str, int]:
    """The office's home to-dos: applications waiting for a decision and runs waiting for
    approval (a count each)."""
    return {
        "applications": application_list(user=user, status=ApplicationStatus.SUBMITTED).count(),
        "runs": run_list(user=user).filter(status=RunStatus.DRAFT).count(),
    }
