"""Reads of reserve training (后备力量培养): plans, records, progress, mentor pairs, the mentor
choices of a reserve and the month view of mentoring days. Every read starts from the reserve
scope (reserves.scoping); lists are one query each, aggregated in the database."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Left, Length

from zuzhi.core.scope import ancestor_paths, subtree_q
from zuzhi.members.models import Member
from zuzhi.orgs.models import CommitteeSeat, Organization, UnitCategory
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.scoping import TOWNSHIP_CATEGORIES, reserve_roots
from zuzhi.training.models import Course
from zuzhi.village_work.models import Assignment, AssignmentRole, AssignmentStatus

from .models import (
    MentoringDay,
    MentorKind,
    Mentorship,
    ReserveTrainingPlan,
    ReserveTrainingRecord,
)

HOURS = DecimalField(max_digits=8, decimal_places=2)
# Who sets a training plan: the county's organization department or a township committee.
PLAN_UNITS = (UnitCategory.COUNTY, *TOWNSHIP_CATEGORIES)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the month of `month`."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _in_place(qs: QuerySet, field: str, township=None, village=None) -> QuerySet:
    if village is not None:
        qs = qs.filter(**{field: village})
    if township is not None:
        qs = qs.filter(subtree_q(township.path, f"{field}__path"))
    return qs


# --- plans ------------------------------------------------------------------------------------
def plan_list(*, user, year: int | None = None) -> QuerySet[ReserveTrainingPlan]:
    """The plans the user manages and those of the organizations above them (a township clerk
    reads the county's plan, which their reserves follow where the township has none)."""
    above = sorted({a for root in reserve_roots(user) for a in ancestor_paths(root)})
    mine = ReserveTrainingPlan.objects.visible_to(user)
    qs = ReserveTrainingPlan.objects.filter(
        Q(pk__in=mine.values("pk")) | Q(organization__path__in=above)
    ).annotate(editable=Exists(mine.filter(pk=OuterRef("pk"))))
    if year:
        qs = qs.filter(year=year)
    return (
        qs.select_related("organization")
        .annotate(course_count=Count("courses"))
        .order_by("-year", "organization__path")
    )


def plan_get(*, user, pk: int) -> ReserveTrainingPlan:
    """A plan the user may change; the logged 404 otherwise."""
    return ReserveTrainingPlan.objects.select_related("organization").get_visible_or_404(
        user, pk=pk
    )


def _nearest_plan(year: int) -> QuerySet[ReserveTrainingPlan]:
    """The plan of the year of the nearest organization above the outer reserve's village:
    the plan whose organization's path is the longest prefix of the village's path."""
    village_path = OuterRef("village__path")
    return (
        ReserveTrainingPlan.objects.filter(year=year)
        .annotate(depth=Length("organization__path"))
        .filter(organization__path=Left(village_path, F("depth")))
        .order_by("-depth")
    )


def plan_for(*, reserve: ReserveCandidate, year: int) -> ReserveTrainingPlan | None:
    paths = [*ancestor_paths(reserve.village.path), reserve.village.path]
    return (
        ReserveTrainingPlan.objects.filter(year=year, organization__path__in=paths)
        .annotate(depth=Length("organization__path"))
        .order_by("-depth")
        .first()
    )


def course_choices(*, reserve: ReserveCandidate, year: int) -> QuerySet[Course]:
    """The courses offered for a reserve's record: the catalogue of the year and the last,
    the plan's courses of the year among them whatever their catalogue year."""
    plan = plan_for(reserve=reserve, year=year)
    q = Q(year__gte=year - 1)
    if plan is not None:
        q |= Q(pk__in=plan.courses.values("pk"))
    return Course.objects.filter(q).order_by("-year", "title")


# --- records and progress ---------------------------------------------------------------------
def record_list(
    *, user, reserve: ReserveCandidate | None = None, year: int | None = None
) -> QuerySet[ReserveTrainingRecord]:
    qs = ReserveTrainingRecord.objects.visible_to(user).select_related("reserve__village", "course")
    if reserve is not None:
        qs = qs.filter(reserve=reserve)
    if year:
        qs = qs.filter(completed_on__year=year)
    return qs.order_by("-completed_on", "pk")


def pool_reserves(*, user, township=None, village=None) -> QuerySet[ReserveCandidate]:
    """The reserves in the pool (入库) the user manages, by village and name."""
    qs = ReserveCandidate.objects.visible_to(user).filter(status=ReserveStatus.IN_POOL)
    return _in_place(qs, "village", township, village).select_related("village")


def progress(*, user, year: int, township=None, village=None) -> QuerySet[ReserveCandidate]:
    """Each pool reserve with `hours_done` (学时 of the year's records) and `hours_required`
    (their plan's; None without a plan), in one query."""
    done = (
        ReserveTrainingRecord.objects.filter(reserve=OuterRef("pk"), completed_on__year=year)
        .order_by()
        .values("reserve")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    plan = _nearest_plan(year)
    return (
        pool_reserves(user=user, township=township, village=village)
        .annotate(
            hours_done=Coalesce(
                Subquery(done, output_field=HOURS), Value(Decimal(0)), output_field=HOURS
            ),
            hours_required=Subquery(plan.values("hours_required")[:1], output_field=HOURS),
            plan_title=Subquery(plan.values("title")[:1]),
        )
        .order_by("village__path", "name", "id")
    )


# --- mentor pairs -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MentorChoice:
    """One possible mentor of a reserve: `key` is "m<member id>" or "a<assignment id>"."""

    key: str
    kind: str
    name: str
    title: str
    member_id: int | None = None
    assignment_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.name}（{self.title}）"


def mentor_choices(*, reserve: ReserveCandidate) -> list[MentorChoice]:
    """Who may mentor a reserve: the resident first secretary of their village, the members
    of the village branch holding a committee seat, then its other members; never the
    reserve themselves. Three queries whatever the village's size."""
    village = reserve.village
    choices = [
        MentorChoice(
            key=f"a{a.pk}",
            kind=MentorKind.FIRST_SECRETARY,
            name=a.cadre.name,
            title=f"驻村第一书记（{a.sending_unit}）",
            assignment_id=a.pk,
        )
        for a in first_secretaries(village=village).select_related("cadre")
    ]
    seats = {
        s.member_id: s.get_position_display()
        for s in CommitteeSeat.objects.filter(organization=village, ended_on__isnull=True)
    }
    members = village_members(village=village).exclude(pk=reserve.member_id or 0)
    committee, others = [], []
    for m in members.only("pk", "name"):
        if m.pk in seats:
            committee.append(
                MentorChoice(f"m{m.pk}", MentorKind.COMMITTEE, m.name, f"支部{seats[m.pk]}", m.pk)
            )
        else:
            others.append(MentorChoice(f"m{m.pk}", MentorKind.MEMBER, m.name, "本村党员", m.pk))
    return choices + committee + others


def first_secretaries(*, village: Organization) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        village=village, role=AssignmentRole.FIRST_SECRETARY, status=AssignmentStatus.ACTIVE
    ).order_by("start", "pk")


def village_members(*, village: Organization) -> QuerySet[Member]:
    return Member.objects.filter(subtree_q(village.path, "organization__path")).order_by(
        "name", "pk"
    )


def mentorships_visible(*, user) -> QuerySet[Mentorship]:
    return Mentorship.objects.visible_to(user).select_related("reserve__village")


def mentorship_get(*, user, pk: int) -> Mentorship:
    return Mentorship.objects.select_related("reserve__village").get_visible_or_404(user, pk=pk)


def mentorship_list(
    *, user, township=None, village=None, current: bool | None = None
) -> QuerySet[Mentorship]:
    qs = _in_place(mentorships_visible(user=user), "reserve__village", township, village)
    if current is not None:
        qs = qs.filter(ended_on__isnull=current)
    return qs.order_by("reserve__village__path", "reserve__name", "-started_on", "pk")


def reserve_mentorships(*, user, reserve: ReserveCandidate) -> QuerySet[Mentorship]:
    """A reserve's pairs, the current first, then the history."""
    return (
        mentorships_visible(user=user)
        .filter(reserve=reserve)
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")
    )


def pairs_board(*, user, today: datetime.date, township=None, village=None):
    """The phone page (记录本月帮带): each pool reserve with their current pair, if any, and
    the pair's mentoring days this month, in one query."""
    first, last = month_bounds(today)
    current = Mentorship.objects.filter(reserve=OuterRef("pk"), ended_on__isnull=True)
    days = (
        MentoringDay.objects.filter(
            mentorship__reserve=OuterRef("pk"),
            mentorship__ended_on__isnull=True,
            date__range=(first, last),
        )
        .order_by()
        .values("mentorship__reserve")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        pool_reserves(user=user, township=township, village=village)
        .annotate(
            pair_id=Subquery(current.values("pk")[:1]),
            mentor_name=Subquery(current.values("mentor_name")[:1]),
            mentor_title=Subquery(current.values("mentor_title")[:1]),
            days_this_month=Coalesce(Subquery(days), Value(0)),
        )
        .order_by("village__path", "name", "id")
    )


# --- month view of mentoring days -------------------------------------------------------------
def _days_in(first: datetime.date, last: datetime.date):
    """The outer pair's mentoring days between `first` and `last`, as a count subquery."""
    days = (
        MentoringDay.objects.filter(mentorship=OuterRef("pk"), date__range=(first, last))
        .order_by()
        .values("mentorship")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(days), Value(0))


def month_pairs(*, user, month: datetime.date, township=None, village=None):
    """The pairs that were current during `month`, each with `days_in_month` (its mentoring
    days that month), in one query."""
    first, last = month_bounds(month)
    qs = mentorship_list(user=user, township=township, village=village).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first), started_on__lte=last
    )
    return qs.annotate(days_in_month=_days_in(first, last)).select_related(
        "reserve__village__parent"
    )


def month_missing(*, pairs: QuerySet[Mentorship]) -> QuerySet[Mentorship]:
    """The pairs of month_pairs without a mentoring day that month."""
    return pairs.filter(days_in_month=0)


def month_summary(*, pairs: QuerySet[Mentorship]) -> dict:
    """How many pairs, with and without a mentoring day that month, in one query."""
    counts = pairs.order_by().aggregate(
        total=Count("pk"), missing=Count("pk", filter=Q(days_in_month=0))
    )
    return counts | {"done": counts["total"] - counts["missing"]}


def month_by_township(*, pairs: QuerySet[Mentorship]) -> list[dict]:
    """Per township (the villages' parent): pairs and pairs without a mentoring day that
    month, in one grouped query."""
    return list(
        pairs.order_by()
        .values(
            township_id=F("reserve__village__parent"),
            township=F("reserve__village__parent__name"),
            township_path=F("reserve__village__parent__path"),
        )
        .annotate(total=Count("pk"), missing=Count("pk", filter=Q(days_in_month=0)))
        .order_by("township_path")
    )


def mentoring_days(
    *,
    user,
    mentorship: Mentorship | None = None,
    reserve: ReserveCandidate | None = None,
    month: datetime.date | None = None,
) -> QuerySet[MentoringDay]:
    qs = MentoringDay.objects.visible_to(user).select_related("mentorship__reserve__village")
    if mentorship is not None:
        qs = qs.filter(mentorship=mentorship)
    if reserve is not None:
        qs = qs.filter(mentorship__reserve=reserve)
    if month is not None:
        qs = qs.filter(date__range=month_bounds(month))
    return qs.order_by("-date", "pk")


def plan_units(*, user) -> QuerySet[Organization]:
    """The county and township organizations the user may set a plan for."""
    q = Q()
    for root in reserve_roots(user):
        q |= subtree_q(root)
    qs = Organization.objects.filter(unit_category__in=PLAN_UNITS, is_active=True)
    return qs.filter(q).order_by("path") if q else qs.none()
