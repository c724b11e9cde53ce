"""Figures of the household service (联户服务数据), not rankings: households linked, requests
by type and state, median time to close and satisfaction, per town, community, unit, joint
branch and type, each one aggregate query per dimension whatever the scope's size.

Who sees what: county staff the county, township staff their town, a community its own (data
roles on the households' community). Individual members are not ranked (DOMAIN.md §9): no
table is grouped by member; a member sees only their own figures ("我的服务").

Time to close (办结用时) runs from submission to the last resolution, for tickets resolved
or closed: closing waits on the household's rating, which is the household's time, not the
service's. Its median is found in the database, portably (SQLite ≥ 3.25 and PostgreSQL both
have window functions): each group's tickets are numbered by duration, and only the one or
two middle rows per group come back (row (n+1)/2 and (n+2)/2 in integer division), never the
tickets themselves.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404

from zuzhi.core.roles import DATA_ROLES
from zuzhi.core.scope import roles_q
from zuzhi.households.models import Household
from zuzhi.members.selectors import own_member_id
from zuzhi.orgs.models import Organization

from .models import Rating, Ticket, TicketState, TicketType

DONE_STATES = (TicketState.RESOLVED, TicketState.CLOSED)


@dataclass(frozen=True)
class Dimension:
    """One way of grouping: its title, the ticket field naming the group, the household
    field counting households ("" when households do not belong to such groups), and
    whether unlinked households count (coverage; a unit has only linked ones)."""

    key: str
    title: str
    ticket_field: str
    household_field: str = ""
    coverage: bool = False


DIMENSIONS = (
    Dimension(
        "town", "镇（街道）", "household__community__parent_id", "community__parent_id", True
    ),
    Dimension("community", "社区（村）", "household__community_id", "community_id", True),
    # The linked member's unit (所在单位党组织): the household's current member.
    Dimension(
        "unit", "联系党员所在单位", "household__member__organization_id", "member__organization_id"
    ),
    Dimension("joint_branch", "联合党支部（服务团队）", "team__organization_id"),
    Dimension("type", "诉求类型", "type_id"),
)


@dataclass
class GroupFigures:
    """The figures of one group (a town, a community, a unit…)."""

    name: str
    households: int | None = None
    linked: int | None = None
    states: dict[str, int] = field(default_factory=dict)
    ratings: dict[str, int] = field(default_factory=dict)
    median_hours: float | None = None

    @property
    def coverage(self) -> float | None:
        if not self.households:
            return None
        return round(100 * (self.linked or 0) / self.households, 1)

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfied_share(self) -> float | None:
        """满意率: 满意 and 基本满意 among rated tickets, in percent."""
        if not self.rated:
            return None
        good = self.ratings.get(Rating.SATISFIED, 0) + self.ratings.get(Rating.BASIC, 0)
        return round(100 * good / self.rated, 1)

    def state_list(self) -> list[int]:
        return [self.states.get(s, 0) for s in TicketState.values]

    def rating_list(self) -> list[int]:
        return [self.ratings.get(r, 0) for r in Rating.values]

    def state_cells(self) -> list[tuple[str, int]]:
        return list(zip(TicketState.labels, self.state_list(), strict=True))

    def rating_cells(self) -> list[tuple[str, int]]:
        return list(zip(Rating.labels, self.rating_list(), strict=True))


def staff_figures_q(user, prefix: str = "") -> Q | None:
    """Households (reached by `prefix`) in the user's figures: where they hold a data role
    over the household's community. None when nowhere."""
    return roles_q(user, f"{prefix}community__path", *DATA_ROLES)


def _duration():
    return ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())


def median_hours(tickets, group_field: str) -> dict:
    """The median time to close per group of `tickets`, in hours, from the one or two middle
    rows of each group (see the module's note)."""
    duration = _duration()
    rows = (
        tickets.filter(state__in=DONE_STATES, resolved_at__isnull=False)
        .order_by()
        .annotate(
            g=F(group_field),
            d=duration,
            rn=Window(RowNumber(), partition_by=[F(group_field)], order_by=duration.asc()),
            n=Window(Count("pk"), partition_by=[F(group_field)]),
        )
        .filter(rn__gte=(F("n") + 1) / 2, rn__lte=(F("n") + 2) / 2)
        .values_list("g", "d")
    )
    middle: dict = {}
    for group, value in rows:
        middle.setdefault(group, []).append(value)
    return {
        group: round(sum(v, datetime.timedelta()).total_seconds() / len(v) / 3600, 1)
        for group, v in middle.items()
    }


def _ticket_counts(tickets, group_field: str) -> dict:
    aggregates = {f"s_{s}": Count("pk", filter=Q(state=s)) for s in TicketState.values}
    aggregates |= {f"r_{r}": Count("pk", filter=Q(rating=r)) for r in Rating.values}
    rows = tickets.order_by().values(g=F(group_field)).annotate(**aggregates)
    return {
        row["g"]: (
            {s: row[f"s_{s}"] for s in TicketState.values if row[f"s_{s}"]},
            {r: row[f"r_{r}"] for r in Rating.values if row[f"r_{r}"]},
        )
        for row in rows
    }


def _coverage(households, group_field: str) -> dict:
    rows = (
        households.order_by()
        .values(g=F(group_field))
        .annotate(total=Count("pk"), linked=Count("pk", filter=Q(member__isnull=False)))
    )
    return {row["g"]: (row["total"], row["linked"]) for row in rows}


def _figures(tickets, households, dimension: Dimension) -> dict:
    counts = _ticket_counts(tickets, dimension.ticket_field)
    medians = median_hours(tickets, dimension.ticket_field)
    coverage = _coverage(households, dimension.household_field) if dimension.household_field else {}
    groups = {}
    for key in (set(counts) | set(coverage)) - {None}:
        states, ratings = counts.get(key, ({}, {}))
        total, linked = coverage.get(key, (None, None))
        groups[key] = GroupFigures(
            name="",
            households=total,
            linked=linked,
            states=states,
            ratings=ratings,
            median_hours=medians.get(key),
        )
    return groups


@dataclass
class Figures:
    """The figures of a scope, by dimension (key → rows in name order) and overall."""

    overall: GroupFigures
    by: dict[str, list[GroupFigures]]
    dimensions: tuple[Dimension, ...] = DIMENSIONS


def staff_figures(*, user) -> Figures:
    """The figures of the user's scope (county, town or community); 404 for a user without
    a data role (a member sees `my_figures`)."""
    q = staff_figures_q(user)
    if q is None:
        raise Http404("未找到该页面。")
    households = Household.objects.filter(q)
    tickets = Ticket.objects.filter(staff_figures_q(user, "household__"))
    raw = {d.key: _figures(tickets, households, d) for d in DIMENSIONS}
    names = dict(
        Organization.objects.filter(
            pk__in={k for d in DIMENSIONS if d.key != "type" for k in raw[d.key]}
        ).values_list("pk", "name")
    )
    names_by_type = dict(TicketType.objects.values_list("pk", "name"))
    by = {}
    for d in DIMENSIONS:
        lookup = names_by_type if d.key == "type" else names
        for key, group in raw[d.key].items():
            group.name = lookup.get(key, "")
        by[d.key] = sorted(raw[d.key].values(), key=lambda g: g.name)
    return Figures(overall=_overall(tickets, households), by=by)


def _overall(tickets, households) -> GroupFigures:
    """One group for the whole scope: the same queries grouped by a constant."""
    counts = tickets.order_by().aggregate(
        **{f"s_{s}": Count("pk", filter=Q(state=s)) for s in TicketState.values},
        **{f"r_{r}": Count("pk", filter=Q(rating=r)) for r in Rating.values},
    )
    cover = households.order_by().aggregate(
        total=Count("pk"), linked=Count("pk", filter=Q(member__isnull=False))
    )
    medians = median_hours(tickets.annotate(whole=Value(1, output_field=IntegerField())), "whole")
    return GroupFigures(
        name="合计",
        households=cover["total"],
        linked=cover["linked"],
        states={s: counts[f"s_{s}"] for s in TicketState.values if counts[f"s_{s}"]},
        ratings={r: counts[f"r_{r}"] for r in Rating.values if counts[f"r_{r}"]},
        median_hours=medians.get(1),
    )


def my_figures(*, user) -> GroupFigures | None:
    """A member's own figures (我的服务): the households linked to them and their requests;
    None for a user who is no member."""
    member_id = own_member_id(user)
    if member_id is None:
        return None
    tickets = Ticket.objects.filter(household__member_id=member_id)
    households = Household.objects.filter(member_id=member_id)
    counts = _ticket_counts(tickets, "household__member_id").get(member_id, ({}, {}))
    return GroupFigures(
        name="我的服务",
        households=households.count(),
        linked=None,
        states=counts[0],
        ratings=counts[1],
        median_hours=median_hours(tickets, "household__member_id").get(member_id),
    )
