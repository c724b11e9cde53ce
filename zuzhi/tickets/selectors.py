"""Reads of tickets (联户服务诉求). Who sees a ticket: whoever sees its household
(households.scoping: the linked member, their branch secretary, the community, the town, the
county) and whoever works it now (its owner, the leader and members of its team)."""

import datetime

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from zuzhi.core.personal import personal_document, personal_view
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    any_of_q,
    get_or_logged_404,
    is_system,
    role_paths,
    roles_q,
    roots_q,
    scope_queryset,
    subtree_q,
)
from zuzhi.households.models import Household
from zuzhi.households.scoping import household_parts
from zuzhi.members.models import Member
from zuzhi.members.selectors import own_member_id

from . import rules
from .escalation import overdue_q
from .models import (
    OPEN_STATES,
    EscalationLevel,
    ServiceTeam,
    Ticket,
    TicketEscalation,
    TicketEvent,
    TicketState,
    TicketType,
)


def _working_parts(user) -> list[Q]:
    """The tickets the user works on now: owned, or passed to a team they lead or join."""
    member_id = own_member_id(user)
    if member_id is None:
        return []
    teams = ServiceTeam.objects.filter(Q(leader_id=member_id) | Q(members__id=member_id))
    return [Q(member_id=member_id), Q(team_id__in=teams.order_by().values("pk"))]


def tickets_visible(*, user) -> QuerySet:
    """Tickets of the households the user sees and those they work on: each part on its own
    index (household, owner, team), united as a semi-join (no DISTINCT)."""
    if is_system(user):
        return Ticket.objects.all()
    households = household_parts(user)
    if not all(households):  # every household's (every ticket has one)
        return Ticket.objects.all()
    parts = [
        Q(household__in=Household.objects.filter(p).order_by().values("pk")) for p in households
    ]
    q = any_of_q(Ticket, parts + _working_parts(user))
    return Ticket.objects.none() if q is None else Ticket.objects.filter(q)


def _list_related(qs: QuerySet) -> QuerySet:
    return qs.select_related("household", "household__community", "type", "member", "team")


def ticket_get(*, user, pk: int) -> Ticket:
    """One ticket the user sees, with what its detail shows; the logged 404 otherwise."""
    return get_or_logged_404(
        user,
        _list_related(tickets_visible(user=user)).select_related("team__leader", "taken_by"),
        Ticket.objects.all(),
        pk=pk,
    )


OPEN_FIRST = Case(
    When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def my_tickets(*, user) -> QuerySet:
    """The tickets the user's own member record owns (我的诉求), open first, newest first."""
    member_id = own_member_id(user)
    if member_id is None:
        return Ticket.objects.none()
    return (
        _list_related(Ticket.objects.filter(member_id=member_id))
        .annotate(closed_last=OPEN_FIRST)
        .order_by("closed_last", "-created_at", "-id")
    )


def ticket_list(
    *,
    user,
    state: str | None = None,
    type_id: int | None = None,
    overdue: bool = False,
    escalated: bool = False,
    team_id: int | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet:
    """The tickets the user sees (the community's, the town's, the county's list), filtered."""
    qs = tickets_visible(user=user)
    if state:
        qs = qs.filter(state=state)
    if type_id:
        qs = qs.filter(type_id=type_id)
    if overdue:
        qs = qs.filter(overdue_q(1, now or timezone.now()))
    if escalated:
        qs = qs.filter(escalation__gt=EscalationLevel.NONE)
    if team_id:
        qs = qs.filter(team_id=team_id)
    # The household, its community and the owner are read for the page's rows only: joined,
    # PostgreSQL joined every ticket of a county before sorting (it estimates a path range at
    # one row); the small tables of types and teams stay joined.
    return (
        qs.select_related("type", "team")
        .prefetch_related(
            Prefetch("household", queryset=Household.objects.select_related("community")),
            "member",
        )
        .order_by("-created_at", "-id")
    )


def ticket_events(*, ticket: Ticket) -> QuerySet:
    return (
        TicketEvent.objects.filter(ticket=ticket)
        .prefetch_related("attachments")
        .order_by("at", "id")
    )


def ticket_escalations(*, ticket: Ticket) -> QuerySet:
    return TicketEscalation.objects.filter(ticket=ticket).order_by("level")


def ticket_types(*, active_only: bool = False) -> QuerySet:
    qs = TicketType.objects.all()
    return qs.filter(active=True) if active_only else qs


# --- to-do (#7): who sees which level of overdue tickets ----------------------------------
def _level_qs(user) -> dict[int, Q | None]:
    """Per level, the tickets of the user's concern: 1 the member's branch secretary (of the
    linked member's branch), 2 the community (a branch secretary on the community node or
    above), 3 the town (township or county staff above the community)."""
    branches = role_paths(user, Role.BRANCH_SECRETARY)
    members = Member.objects.filter(roots_q(branches, "organization__path")) if branches else None
    return {
        # The branch's members first (its index), then their households and tickets.
        EscalationLevel.SECRETARY: None
        if members is None
        else Q(household__member__in=members.order_by().values("pk")),
        EscalationLevel.COMMUNITY: roles_q(
            user, "household__community__path", Role.BRANCH_SECRETARY
        ),
        EscalationLevel.TOWN: roles_q(
            user, "household__community__path", Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF
        ),
    }


def overdue_todo(*, user) -> dict[int, int]:
    """Open escalated tickets on the user's to-do list, counted by level (one query):
    {1: n, 2: n, 3: n}; levels the user does not watch count 0."""
    parts = {lvl: q for lvl, q in _level_qs(user).items() if q is not None}
    if not parts or is_system(user):
        return {int(lvl): 0 for lvl in EscalationLevel.values if lvl}
    # Every level counts open escalated tickets only: each part starts from its own index.
    escalated = Q(state__in=OPEN_STATES, escalation__gt=EscalationLevel.NONE)
    scope = any_of_q(Ticket, [escalated & q for q in parts.values()])
    counts = Ticket.objects.filter(scope).aggregate(
        **{f"l{lvl}": Count("pk", filter=q & Q(escalation__gte=lvl)) for lvl, q in parts.items()}
    )
    return {int(lvl): counts.get(f"l{lvl}", 0) or 0 for lvl in EscalationLevel.values if lvl}


# --- teams -----------------------------------------------------------------------------------
def teams_visible(*, user) -> QuerySet:
    """Teams in the user's scope, and the teams the user leads or belongs to."""
    base = ServiceTeam.objects.select_related("organization", "leader")
    if is_system(user):
        return base
    member_id = own_member_id(user)
    mine = Q(leader_id=member_id) | Q(members__id=member_id) if member_id else Q(pk__in=[])
    scoped = scope_queryset(user, ServiceTeam.objects.all()).values("pk")
    return base.filter(Q(pk__in=scoped) | Q(pk__in=ServiceTeam.objects.filter(mine).values("pk")))


def team_get(*, user, pk: int) -> ServiceTeam:
    return get_or_logged_404(user, teams_visible(user=user), ServiceTeam.objects.all(), pk=pk)


def teams_led(*, user) -> QuerySet:
    member_id = own_member_id(user)
    if member_id is None:
        return ServiceTeam.objects.none()
    return ServiceTeam.objects.filter(leader_id=member_id).select_related("organization")


def team_choices_for(*, user, ticket: Ticket) -> QuerySet:
    """Active teams the user may pass `ticket` to: the community any; the owner those of
    their own joint (general) branch."""
    qs = ServiceTeam.objects.filter(active=True).select_related("organization")
    mine = rules.relations(user, ticket)
    if rules.COMMUNITY in mine:
        return qs
    if rules.OWNER in mine:
        path = ticket.member.organization.path
        return qs.filter(organization__path__in=[path[:i] for i in range(8, len(path) + 1, 8)])
    return qs.none()


def team_tickets(*, team: ServiceTeam) -> QuerySet:
    return (
        _list_related(Ticket.objects.filter(team=team))
        .select_related("taken_by")
        .order_by("-created_at", "-id")
    )


def team_member_choices(*, organization) -> QuerySet:
    """Members of the joint (general) branch's subtree, who may join its teams."""
    return Member.objects.filter(subtree_q(organization.path, "organization__path")).order_by(
        "name", "id"
    )


def reassign_choices(*, ticket: Ticket) -> QuerySet:
    """Members with an account linked to households of the ticket's community: who the
    community may reassign the ticket to."""
    return (
        Member.objects.filter(
            user__isnull=False, linked_households__community_id=ticket.household.community_id
        )
        .distinct()
        .order_by("name", "id")
    )


def tickets_shown(*, user, tickets: list, where: str, reveal: bool = True) -> list:
    """Tickets prepared for showing to `user`: whoever handles one (its owner, its team) calls
    the household, so its phone is shown to them in full until the ticket closes, audited as
    an unmasked view; everyone else sees it by the personal-data policy (`reveal=False`:
    masked for every role, as lists are)."""
    handling = {rules.OWNER, rules.TEAM}
    calling = [
        t for t in tickets if t.state != TicketState.CLOSED and rules.relations(user, t) & handling
    ]
    others = [t for t in tickets if t not in calling]
    if calling:
        personal_document(user=user, objects=calling, where=where)
    personal_view(user=user, objects=others, where=where, reveal=reveal)
    return tickets
