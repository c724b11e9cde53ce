"""The county overview (全县概览): the figures a county quotes in its reports (organizations by
type, members, village reserves, households linked, requests closed, talents, subsidies paid)
for one subtree and one period.

Each figure is one aggregate query in the database (GROUP BY, COUNT, SUM) over the user's
scope cut to the chosen subtree, never a pass over rows in Python: a province holds five
million members. The reserve pool is the reserves app's own selector (reserves.targets), not a
copy. Talents and subsidies are the talent office's data (talent.scoping): they are counted
only for a user who holds the talent office's role over the subtree's county.

Counts of organizations, members, reserves, households and talents are as they stand today;
members who joined, requests and subsidies are those of the period.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from zuzhi.core.roles import Role
from zuzhi.core.scope import ancestor_paths, deny, path_in, role_paths, subtree_q
from zuzhi.households.models import Household
from zuzhi.members.models import MemberStatus
from zuzhi.members.selectors import member_scoped
from zuzhi.orgs.models import Organization, OrgType
from zuzhi.orgs.selectors import org_param, org_type_counts
from zuzhi.reserves import targets as reserve_targets
from zuzhi.reserves.scoping import TOWNSHIP_CATEGORIES, may_manage_reserves
from zuzhi.subsidies.models import LineKind, RunStatus, SubsidyLine
from zuzhi.talent.models import Talent, TalentStatus
from zuzhi.talent.scoping import is_talent_staff
from zuzhi.tickets.figures import DONE_STATES, staff_figures_q
from zuzhi.tickets.models import Ticket

# County staff see the county (province staff the province); a township clerk their township.
OVERVIEW_ROLES = (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF)
# Over this many townships (or villages) the reserves are a table only: bars would be unreadable.
MAX_RESERVE_BARS = 30


# --- period and subtree ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as [start, end of its last day) in the local time zone."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tz)
        end = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tz
        )
        return start, end

    def months(self) -> list[datetime.date]:
        """The first day of each month the period touches."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return months


PRESETS = {"quarter": "本季度", "year": "本年", "last_year": "上年"}


def period_preset(preset: str, today: datetime.date) -> Period:
    """本季度 and 本年 run to today; 上年 is the whole of last year."""
    if preset == "quarter":
        return Period(today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today)
    if preset == "last_year":
        return Period(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    return Period(today.replace(month=1, day=1), today)


def overview_roots(*, user) -> list[str]:
    """Paths of the subtrees the user may take an overview of; 404 for anyone else."""
    roots = role_paths(user, *OVERVIEW_ROLES)
    if not roots:
        raise Http404("全县概览供县委组织部和乡镇党委使用。")
    return roots


def overview_root(*, user, value) -> Organization:
    """The subtree named by `?org=` (default: the user's own root). An organization outside
    the user's scope, or inside it but below no overview role (a branch the user is only
    secretary of), is the logged 404."""
    roots = overview_roots(user=user)
    org = org_param(user=user, value=value)
    if org is None:
        return Organization.objects.get(path=roots[0])
    if not any(path_in(org.path, root) for root in roots):
        raise deny(user, target=org, message="全县概览：所选组织不在本人管理范围内")
    return org


def subtree_choices(*, user, root: Organization) -> list[Organization]:
    """What the page offers to pick: the user's roots, the way up to them, and the chosen
    node's children (one query; a node has tens of children, not thousands of rows)."""
    roots = overview_roots(user=user)
    above = [p for p in ancestor_paths(root.path) if any(path_in(p, r) for r in roots)]
    return list(
        Organization.objects.filter(
            Q(path__in=[*roots, *above, root.path]) | Q(parent=root, is_active=True)
        ).order_by("path")[:300]
    )


# --- the figures -----------------------------------------------------------------------------


def org_figures(*, user, root: Organization) -> list[tuple[str, int]]:
    """Organizations by type in the subtree (orgs' own grouped count), in the types' order."""
    counts = org_type_counts(user=user, org=root)
    return [(label, counts[value]) for value, label in OrgType.choices if counts.get(value)]


def member_figures(*, user, root: Organization, period: Period) -> dict[str, int]:
    """Members of the subtree: total, full, probationary, joined in the period (one query)."""
    joined = Q(join_date__gte=period.start, join_date__lte=period.end)
    return (
        member_scoped(user=user)
        .filter(subtree_q(root.path, "organization__path"))
        .aggregate(
            total=Count("pk"),
            full=Count("pk", filter=Q(status=MemberStatus.FULL)),
            probationary=Count("pk", filter=Q(status=MemberStatus.PROBATIONARY)),
            joined=Count("pk", filter=joined),
        )
    )


@dataclass
class ReserveFigures:
    """The village reserve pool of the subtree, by township (or by village for a township)."""

    by: str  # "township" or "village"
    rows: list = field(default_factory=list)
    total: reserve_targets.PoolFigures | None = None
    targets: reserve_targets.ReserveTargets | None = None

    @property
    def villages_met(self) -> int:
        return self.total.villages - self.total.villages_under

    @property
    def chart(self) -> bool:
        return 0 < len(self.rows) <= MAX_RESERVE_BARS


def _township_of(root: Organization) -> Organization | None:
    """The township (乡镇、街道) at or above `root`, if any."""
    return (
        Organization.objects.filter(
            path__in=[*ancestor_paths(root.path), root.path], unit_category__in=TOWNSHIP_CATEGORIES
        )
        .order_by("-path")
        .first()
    )


def reserve_figures(*, user, root: Organization, today: datetime.date) -> ReserveFigures | None:
    """The pool against its targets (reserves.targets, the /reserves/pool/ figures): per
    village below a township, per township above; None for a user who manages no reserves."""
    if not may_manage_reserves(user):
        return None
    township = _township_of(root)
    if township is not None:
        township = reserve_targets.pool_township_get(user=user, pk=township.pk)
        rows = reserve_targets.village_pool_rows(user=user, township=township, today=today)
        by = "village"
    else:
        rows = reserve_targets.township_pool_rows(user=user, today=today)
        by = "township"
    # The rows are one per village or township (grouped queries); keep those in the subtree.
    rows = [r for r in rows if path_in(r.org.path, root.path)]
    return ReserveFigures(
        by=by,
        rows=rows,
        total=reserve_targets.pool_total(rows=rows, org=root),
        targets=reserve_targets.reserve_targets(),
    )


def household_figures(*, user, root: Organization) -> dict[str, int] | None:
    """Households registered in the subtree's villages and communities and those linked to a
    member (one query), as the household service's figures count them."""
    q = staff_figures_q(user)
    if q is None:
        return None
    return (
        Household.objects.filter(q, subtree_q(root.path, "community__path"))
        .order_by()
        .aggregate(total=Count("pk"), linked=Count("pk", filter=Q(member__isnull=False)))
    )


@dataclass
class TicketFigures:
    opened: int
    closed: int
    opened_done: int  # opened in the period and resolved or closed by now
    by_month: list[tuple[str, int, int]]  # (YYYY-MM, opened, closed)

    @property
    def closing_rate(self) -> str | None:
        """办结率: of the requests opened in the period, the share resolved or closed."""
        if not self.opened:
            return None
        return f"{100 * self.opened_done / self.opened:.1f}"


def ticket_figures(*, user, root: Organization, period: Period) -> TicketFigures | None:
    """Requests (诉求) of the subtree's households opened and closed (办结: resolved or
    closed) in the period, overall (one query) and by month (one grouped query each)."""
    q = staff_figures_q(user, "household__")
    if q is None:
        return None
    start, end = period.bounds()
    tickets = Ticket.objects.filter(q, subtree_q(root.path, "household__community__path"))
    opened_q = Q(created_at__gte=start, created_at__lt=end)
    closed_q = Q(resolved_at__gte=start, resolved_at__lt=end, state__in=DONE_STATES)
    counts = tickets.order_by().aggregate(
        opened=Count("pk", filter=opened_q),
        closed=Count("pk", filter=closed_q),
        opened_done=Count("pk", filter=opened_q & Q(state__in=DONE_STATES)),
    )
    opened = _by_month(tickets.filter(opened_q), "created_at")
    closed = _by_month(tickets.filter(closed_q), "resolved_at")
    months = [
        (f"{m:%Y-%m}", opened.get((m.year, m.month), 0), closed.get((m.year, m.month), 0))
        for m in period.months()
    ]
    return TicketFigures(**counts, by_month=months)


def _by_month(tickets, field_name: str) -> dict[tuple[int, int], int]:
    rows = (
        tickets.order_by()
        .annotate(month=TruncMonth(field_name))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {(m.year, m.month): n for m, n in rows}


def talent_office_over(*, user, root: Organization) -> bool:
    """Whether the user is the talent office of a county in the subtree: only then are
    talents and subsidies counted (talent.scoping: county staff of other sections and
    townships see nothing of talent work, counts included)."""
    return is_talent_staff(user) and any(
        path_in(r, root.path) for r in role_paths(user, Role.TALENT_STAFF)
    )


def talent_count(*, user, root: Organization) -> int:
    """Talents working in the subtree's counties (在县), in the talent office's scope."""
    return (
        Talent.objects.visible_to(user)
        .filter(subtree_q(root.path, "county__path"), status=TalentStatus.IN_COUNTY)
        .count()
    )


def subsidy_figures(*, user, root: Organization, period: Period) -> dict[str, int]:
    """Subsidies paid for the months of the period: the sum of the lines of approved runs
    (补发 and 扣回 included, in fen) and the talents paid a regular line (one query)."""
    return (
        SubsidyLine.objects.visible_to(user)
        .filter(
            subtree_q(root.path, "run__policy__county__path"),
            run__status=RunStatus.APPROVED,
            run__month__gte=period.start.replace(day=1),
            run__month__lte=period.end,
        )
        .order_by()
        .aggregate(
            total_fen=Sum("amount_fen", default=0),
            people=Count("talent", distinct=True, filter=Q(kind=LineKind.REGULAR)),
        )
    )


@dataclass
class Overview:
    root: Organization
    period: Period
    orgs: list[tuple[str, int]]
    members: dict[str, int]
    reserves: ReserveFigures | None
    households: dict[str, int] | None
    tickets: TicketFigures | None
    talent_office: bool
    talents: int | None
    subsidies: dict[str, int] | None

    @property
    def org_total(self) -> int:
        return sum(n for _, n in self.orgs)


def overview(
    *, user, root: Organization, period: Period, today: datetime.date | None = None
) -> Overview:
    """Every figure of the overview for `root` (checked with `overview_root`) and `period`."""
    today = today or timezone.localdate()
    office = talent_office_over(user=user, root=root)
    return Overview(
        root=root,
        period=period,
        orgs=org_figures(user=user, root=root),
        members=member_figures(user=user, root=root, period=period),
        reserves=reserve_figures(user=user, root=root, today=today),
        households=household_figures(user=user, root=root),
        tickets=ticket_figures(user=user, root=root, period=period),
        talent_office=office,
        talents=talent_count(user=user, root=root) if office else None,
        subsidies=subsidy_figures(user=user, root=root, period=period) if office else None,
    )
