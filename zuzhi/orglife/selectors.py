"""Compliance and reminders derived from the meeting records (组织生活落实情况)."""

import datetime
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from zuzhi.core.dates import require_plausible_dates
from zuzhi.core.paging import MappedQuerySet
from zuzhi.core.scope import subtree_q
from zuzhi.members.models import Member
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.committee import committee_member_ids
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_count_below_roots, org_existed_q

from .models import Meeting, MeetingKind


@dataclass(frozen=True)
class Period:
    """A month, quarter or year, as a half-open date range."""

    kind: str
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year} 年 {self.start.month} 月"
        if self.kind == "quarter":
            return f"{self.start.year} 年第 {(self.start.month - 1) // 3 + 1} 季度"
        return f"{self.start.year} 年"


def period_of(kind: str, day: datetime.date) -> Period:
    if kind == "month":
        start = day.replace(day=1)
        end = datetime.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    elif kind == "quarter":
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        end = datetime.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    else:
        start, end = datetime.date(day.year, 1, 1), datetime.date(day.year + 1, 1, 1)
    return Period(kind, start, end)


def meeting_list(
    *,
    user,
    organization: Organization | None = None,
    kind: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Meeting]:
    """Meetings in scope, newest first; `organization` takes its whole subtree (a township
    sees its branches' meetings), the dates are inclusive."""
    qs = Meeting.objects.visible_to(user)
    if organization is not None:
        qs = qs.filter(subtree_q(organization.path, "organization__path"))
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("organization", "host", "recorder").order_by("-date", "-pk")


def meeting_get(*, user, pk) -> Meeting:
    return Meeting.objects.select_related(
        "organization", "host", "recorder", "recorded_by"
    ).get_visible_or_404(user, pk=pk)


def meeting_invitees(
    *, organization: Organization, kind: str, day: datetime.date | None
) -> tuple[list[Member], bool]:
    """Who a meeting of `kind` lists as expected attendees, and whether that is the branch
    committee: a 支部委员会 lists the committee in office on the day (all members while the
    branch has entered no committee), every other meeting all members of the branch."""
    members = Member.objects.filter(organization=organization).order_by("name")
    if kind == MeetingKind.COMMITTEE and day is not None:
        seated = committee_member_ids(organization=organization, day=day)
        if seated:
            return list(members.filter(pk__in=seated)), True
    return list(members), False


def _branches_owing(*, user, period: Period) -> QuerySet[Organization]:
    """Branches in scope that owe the meetings of `period`: active, and existing before it
    ended (a branch set up in November owes nothing for January to October)."""
    return (
        Organization.objects.visible_to(user)
        .filter(org_type__in=MEMBER_ORG_TYPES, is_active=True)
        .filter(org_existed_q(period.end))
    )


@dataclass
class BranchCompliance:
    organization: Organization
    held: dict[str, int]
    missing: list[str]  # kinds required in the period but not held


def _compliance_row(org: Organization, required: list[str]) -> BranchCompliance:
    held = {k: getattr(org, f"held_{k}") for k in required}
    return BranchCompliance(org, held, [k for k in required if held[k] == 0])


def compliance(
    *,
    user,
    day: datetime.date | None = None,
    frequency: str = "month",
    missing_only: bool = False,
) -> MappedQuerySet:
    """For each branch in scope: the required meetings whose period (`frequency`) contains
    `day`, and which of them were not held (`missing_only`: the branches missing one).
    Required frequencies are settings; each kind held is counted by the database."""
    day = day or timezone.localdate()
    # At the calendar's edge the period's end would not exist (9999-12-31 → year 10000).
    require_plausible_dates(day=day)
    required = [k for k, f in settings.ZUZHI_MEETING_FREQUENCY.items() if f == frequency]
    period = period_of(frequency, day)

    def held(kind: str):
        counted = (
            Meeting.objects.filter(
                organization=OuterRef("pk"), kind=kind, date__gte=period.start, date__lt=period.end
            )
            .order_by()
            .values("organization")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counted), 0)

    qs = _branches_owing(user=user, period=period).annotate(
        **{f"held_{k}": held(k) for k in required}
    )
    if missing_only:
        missing = Q(pk__in=[])
        for k in required:
            missing |= Q(**{f"held_{k}": 0})
        qs = qs.filter(missing)
    # Counted, paged and iterated in the database (a province has 150,000 branches).
    return MappedQuerySet(qs.order_by("path"), partial(_compliance_row, required=required))


def reminders(*, user, day: datetime.date | None = None) -> list[tuple[Organization, str, Period]]:
    """What each branch still has to hold in the current month, quarter and year, before the
    deadline rather than blame after it (提醒)."""
    day = day or timezone.localdate()
    due = []
    for frequency in ("month", "quarter", "year"):
        period = period_of(frequency, day)
        for row in compliance(user=user, day=day, frequency=frequency):
            due.extend((row.organization, kind, period) for kind in row.missing)
    return sorted(due, key=lambda r: (r[2].end, r[0].path))


KIND_LABELS = dict(MeetingKind.choices)


# ---------------------------------------------------------------------------------------------
# Counts for the home page (首页待办与图表), as grouped queries over the meeting index.

# How many days before a period ends the home page starts reminding of what is still missing
# (提醒在前, 问责在后): the month's meetings from the 10th-to-last day, and so on.
REMIND_DAYS = {"month": 10, "quarter": 20, "year": 45}


@dataclass(frozen=True)
class MeetingsDue:
    """What the branches in scope have not held in one period (组织生活未开展)."""

    period: Period
    branches: int  # branches missing at least one required kind
    by_kind: dict[str, int]  # kind → branches missing it
    groups: list  # [(organization, branches missing)] one level below the user's roots


def meetings_due(
    *, user, day: datetime.date, frequency: str, groups: bool = True
) -> MeetingsDue | None:
    """Branches that have not held the meetings required in the `frequency` period containing
    `day`; None when nothing of that frequency is required."""
    require_plausible_dates(day=day)
    required = [k for k, f in settings.ZUZHI_MEETING_FREQUENCY.items() if f == frequency]
    if not required:
        return None
    period = period_of(frequency, day)

    def held(kind: str) -> Exists:
        return Exists(
            Meeting.objects.filter(
                organization=OuterRef("pk"), kind=kind, date__gte=period.start, date__lt=period.end
            )
        )

    branches = _branches_owing(user=user, period=period)
    missing_any = Q()
    for kind in required:
        missing_any |= ~held(kind)
    row = branches.aggregate(
        any=Count("pk", filter=missing_any),
        **{kind: Count("pk", filter=~held(kind)) for kind in required},
    )
    below = []
    if groups and row["any"]:
        below = org_count_below_roots(user=user, qs=branches.filter(missing_any))
    return MeetingsDue(
        period=period,
        branches=row["any"],
        by_kind={kind: row[kind] for kind in required},
        groups=below,
    )


def meetings_to_remind(*, user, day: datetime.date | None = None) -> list[MeetingsDue]:
    """The current periods close enough to their end (REMIND_DAYS) that what is still
    missing is shown before the deadline, soonest deadline first."""
    day = day or timezone.localdate()
    due = []
    for frequency, days in REMIND_DAYS.items():
        period = period_of(frequency, day)
        if day < period.end - datetime.timedelta(days=days):
            continue
        found = meetings_due(user=user, day=day, frequency=frequency)
        if found is not None and found.branches:
            due.append(found)
    return sorted(due, key=lambda d: d.period.end)


def meetings_overdue(*, user, day: datetime.date | None = None) -> list[MeetingsDue]:
    """The last month's and last quarter's meetings that were not held (逾期未开展)."""
    day = day or timezone.localdate()
    overdue = []
    for frequency in ("month", "quarter"):
        previous = period_of(frequency, day).start - datetime.timedelta(days=1)
        found = meetings_due(user=user, day=previous, frequency=frequency)
        if found is not None and found.branches:
            overdue.append(found)
    return sorted(overdue, key=lambda d: d.period.end)


def monthly_meeting_rates(*, user, day: datetime.date | None = None, months: int = 12) -> dict:
    """For each of the last `months` finished months: the branches that existed then, and how
    many held each monthly meeting kind (落实率 by month). The month under way is left out: a
    rate of its first days would read as a collapse."""
    day = day or timezone.localdate()
    require_plausible_dates(day=day)
    kinds = [k for k, f in settings.ZUZHI_MEETING_FREQUENCY.items() if f == "month"]
    periods = [period_of("month", period_of("month", day).start - datetime.timedelta(days=1))]
    while len(periods) < months:
        periods.insert(0, period_of("month", periods[0].start - datetime.timedelta(days=1)))
    branches = Organization.objects.visible_to(user).filter(
        org_type__in=MEMBER_ORG_TYPES, is_active=True
    )
    owing = branches.aggregate(
        **{f"m{i}": Count("pk", filter=org_existed_q(p.end)) for i, p in enumerate(periods)}
    )
    rows = (
        Meeting.objects.filter(
            organization__in=branches,
            kind__in=kinds,
            date__gte=periods[0].start,
            date__lt=periods[-1].end,
        )
        .annotate(month=TruncMonth("date"))
        .values("month", "kind")
        .annotate(n=Count("organization", distinct=True))
        .order_by()
    )
    held = {(r["month"], r["kind"]): r["n"] for r in rows}
    return {
        "months": [f"{p.start:%Y-%m}" for p in periods],
        "branches": [owing[f"m{i}"] for i in range(len(periods))],
        "kinds": [
            {
                "kind": k,
                "label": KIND_LABELS[k],
                "held": [held.get((p.start, k), 0) for p in periods],
            }
            for k in kinds
        ],
    }
