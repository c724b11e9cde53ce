"""Reads of resident village work (驻村工作), each starting from the scoped queryset
(scoping.py): rosters counted by township in the database, who owes last month's report,
terms ending, and a cadre's own assignments and reports."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from zuzhi.cadres.models import Cadre
from zuzhi.cadres.models.scoping import in_cadre_section, is_cadre_staff
from zuzhi.core.params import object_id
from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, path_in, role_paths
from zuzhi.orgs.models import Organization

from . import rules
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    MonthlyReport,
    Review,
    ReviewGrade,
)


def may_manage(*, user) -> bool:
    """Whether the user is a cadre section somewhere (assigns, ends, reviews)."""
    return is_cadre_staff(user)


def may_read_roster(*, user) -> bool:
    """The cadre section and township staff read rosters; a cadre reads only their own."""
    return is_cadre_staff(user) or bool(role_paths(user, Role.TOWNSHIP_STAFF))


def may_review(*, user, assignment: Assignment) -> bool:
    return in_cadre_section(user, assignment.village.path)


def may_report(*, user, assignment: Assignment) -> bool:
    own = getattr(user, "is_authenticated", False) and assignment.cadre.user_id == user.pk
    return own or in_cadre_section(user, assignment.village.path)


def assignments_visible(*, user) -> QuerySet[Assignment]:
    return Assignment.objects.visible_to(user).select_related(
        "cadre", "cadre__organization", "village", "township"
    )


def assignment_get(*, user, pk: int) -> Assignment:
    """One assignment the user sees; the logged 404 otherwise."""
    return Assignment.objects.select_related(
        "cadre", "cadre__organization", "village", "township"
    ).get_visible_or_404(user, pk=pk)


def reports_visible(*, user) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.visible_to(user).select_related(
        "assignment", "assignment__cadre", "assignment__village"
    )


def report_get(*, user, pk: int) -> MonthlyReport:
    return MonthlyReport.objects.select_related(
        "assignment", "assignment__cadre", "assignment__village"
    ).get_visible_or_404(user, pk=pk)


def assignment_reports(*, user, assignment: Assignment) -> QuerySet[MonthlyReport]:
    """The assignment's reports, newest first."""
    return reports_visible(user=user).filter(assignment=assignment).order_by("-month")


def reviews_of(*, user, reports) -> dict[int, Review]:
    """The reviews the user may read of `reports`, by report id."""
    rows = (
        Review.objects.visible_to(user)
        .filter(report__in=[r.pk for r in reports])
        .select_related("grade", "reviewed_by")
    )
    return {r.report_id: r for r in rows}


def review_get(*, user, pk: int) -> Review:
    return Review.objects.select_related("grade", "report").get_visible_or_404(user, pk=pk)


def grades() -> QuerySet[ReviewGrade]:
    return ReviewGrade.objects.filter(is_active=True)


def township_param(*, user, value) -> Organization | None:
    """The township named by `?township=`; None when absent. A township outside what the
    user reads is the logged 404."""
    pk = object_id(value)
    if pk is None:
        return None
    township = Organization.objects.filter(pk=pk).first()
    if township is None:
        raise Http404("未找到该对象。")
    roots = role_paths(user, Role.TOWNSHIP_STAFF)
    if in_cadre_section(user, township.path) or any(path_in(township.path, r) for r in roots):
        return township
    raise deny(user, target=township, message="查看了权限范围以外乡镇的驻村名册")


def _owing(qs: QuerySet[Assignment], month: datetime.date) -> QuerySet[Assignment]:
    """Assignments whose term covers `month` (ended ones included: the month they ended in
    is still reported) and that have no report for it."""
    return qs.filter(
        Q(status=AssignmentStatus.ACTIVE) | Q(ended_on__gte=month),
        start__lte=rules.month_end(month),
        end__gte=month,
    ).exclude(reports__month=month)


def last_month_missing(*, user, today: datetime.date) -> QuerySet[Assignment]:
    """Who has not filed last month's report yet: a reminder up to the due day, overdue
    after it (`overdue`)."""
    return _owing(assignments_visible(user=user), rules.previous_month(today)).order_by(
        "township__path", "village__path", "cadre__name"
    )


def overdue(*, user, today: datetime.date) -> QuerySet[Assignment]:
    """Who is overdue with last month's report: nobody up to the due day (the 5th by
    default), those still missing it from the next day."""
    if not rules.is_overdue_day(today):
        return Assignment.objects.none()
    return last_month_missing(user=user, today=today)


def terms_ending(*, user, today: datetime.date, days: int | None = None) -> QuerySet[Assignment]:
    """Active assignments whose term ends within `days` (60 by default) from today, and
    those whose term has ended but that nobody has ended yet (they need a decision most)."""
    days = rules.term_ending_days() if days is None else days
    return (
        assignments_visible(user=user)
        .filter(status=AssignmentStatus.ACTIVE, end__lte=today + datetime.timedelta(days=days))
        .order_by("end", "cadre__name")
    )


def roster(*, user, today: datetime.date, township: Organization | None = None):
    """The visible assignments, active first, with the month of the latest report and
    whether last month's is in."""
    last = rules.previous_month(today)
    qs = assignments_visible(user=user)
    if township is not None:
        qs = qs.filter(township=township)
    return qs.annotate(
        latest_month=Max("reports__month"),
        reported_last_month=Exists(
            MonthlyReport.objects.filter(assignment=OuterRef("pk"), month=last)
        ),
    ).order_by("status", "township__path", "village__path", "role", "cadre__name")


def roster_by_township(*, user, today: datetime.date) -> list[dict]:
    """Per township, counted in the database: active resident cadres by role, how many owe
    last month's report and how many of those are overdue, terms ending soon."""
    last = rules.previous_month(today)
    active = assignments_visible(user=user).filter(status=AssignmentStatus.ACTIVE)
    owing = _owing(assignments_visible(user=user), last).values("pk")
    ending = today + datetime.timedelta(days=rules.term_ending_days())
    rows = (
        active.values("township_id", "township__name", "township__path")
        .annotate(
            total=Count("id"),
            first_secretaries=Count("id", filter=Q(role=AssignmentRole.FIRST_SECRETARY)),
            team_members=Count("id", filter=Q(role=AssignmentRole.TEAM_MEMBER)),
            instructors=Count("id", filter=Q(role=AssignmentRole.INSTRUCTOR)),
            villages=Count("village", distinct=True),
            missing=Count("id", filter=Q(pk__in=owing)),
            ending=Count("id", filter=Q(end__lte=ending)),
        )
        .order_by("township__path")
    )
    overdue_now = rules.is_overdue_day(today)
    return [{**row, "overdue": row["missing"] if overdue_now else 0} for row in rows]


def my_assignments(*, user) -> QuerySet[Assignment]:
    """The user's own assignments (我的驻村), current first."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(cadre__user=user)
        .select_related("cadre", "village", "township")
        .order_by("status", "-start")
    )


def my_reports(*, user) -> QuerySet[MonthlyReport]:
    if not getattr(user, "is_authenticated", False):
        return MonthlyReport.objects.none()
    return MonthlyReport.objects.filter(assignment__cadre__user=user).select_related(
        "assignment", "assignment__village"
    )


def default_report_month(*, assignment: Assignment, today: datetime.date) -> datetime.date:
    """The month the report form preselects: last month while its report is missing and the
    term covers it, else this month."""
    last = rules.previous_month(today)
    if (
        rules.term_covers(start=assignment.start, last_day=assignment.last_day, month=last)
        and not assignment.reports.filter(month=last).exists()
    ):
        return last
    return rules.month_start(today)


def report_months(*, assignment: Assignment, today: datetime.date) -> list[datetime.date]:
    """The months a report may still be filed for, newest first: those of the term up to this
    month without a report (the form's choices)."""
    done = set(assignment.reports.values_list("month", flat=True))
    month = rules.month_start(min(today, assignment.last_day))
    first = rules.month_start(assignment.start)
    months = []
    while month >= first and len(months) < 24:
        if month not in done:
            months.append(month)
        month = rules.previous_month(month)
    return months


def village_for_assignment(*, user, pk: int) -> Organization:
    """The village named in an assignment form: one of the user's cadre section subtree,
    else the logged 404 (the cadre section holds no data scope, so the organization's own
    scoped lookup would refuse it)."""
    village = Organization.objects.filter(pk=pk).first()
    if village is None:
        raise Http404("未找到该对象。")
    if not in_cadre_section(user, village.path):
        raise deny(user, target=village, message="试图向权限范围以外的村选派驻村干部")
    return village


def cadre_for_assignment(*, user, pk: int):
    """The cadre named in an assignment form, of the user's cadre section (not their own
    record: a cadre does not assign themself)."""
    cadre = Cadre.objects.select_related("organization").filter(pk=pk).first()
    if cadre is None:
        raise Http404("未找到该对象。")
    if not in_cadre_section(user, cadre.organization.path):
        raise deny(user, target=cadre, message="试图选派权限范围以外的干部驻村")
    return cadre


def grade_by_code(code: str) -> ReviewGrade:
    grade = grades().filter(code=code).first()
    if grade is None:
        raise ValidationError({"grade": ["请选择评议等次。"]})
    return grade


def reviews_visible(*, user) -> QuerySet[Review]:
    return (
        Review.objects.visible_to(user).select_related("grade", "report").order_by("-report__month")
    )
