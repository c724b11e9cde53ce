"""Who sees a ticket (selectors.tickets_visible, the household rule and the work on it) as a
union of indexed parts: each reaches its own tickets only, a ticket reached by several parts
comes once (no DISTINCT), and the escalated counts on home count it once per level."""

import datetime

from zuzhi.accounts.models import RoleAssignment
from zuzhi.core.roles import Role
from zuzhi.tickets import selectors, services
from zuzhi.tickets.escalation import escalate_overdue

from .conftest import NOW


def seen(user) -> set:
    qs = selectors.ticket_list(user=user)
    rows = list(qs)
    assert qs.count() == len(rows) == len(set(rows))
    return set(rows)


def test_each_part_reaches_its_own_tickets(world):
    mine = world.new_ticket()  # 甲一, linked to a member of the joint branch
    other = world.new_ticket(world.other_household)  # 甲一, another member of that branch
    b = world.new_ticket(world.b_household)  # 乙一, linked to a member of unit 2
    # The linked members' branch secretary; the community, the town, the county.
    assert seen(world.unit_secretary) == {mine, other}
    assert seen(world.community) == {mine, other}
    assert seen(world.other_community) == set()
    assert seen(world.town) == {mine, other} and seen(world.town_b_staff) == {b}
    assert seen(world.county_staff) == {mine, other, b}
    # A member: their households' tickets; a team member: nothing until a ticket is passed.
    assert seen(world.member.user) == {mine} and seen(world.outsider.user) == {b}
    assert seen(world.team_member.user) == set()
    ticket = services.ticket_accept(actor=world.member.user, ticket=mine)
    services.ticket_pass_to_team(actor=world.member.user, ticket=ticket, team=world.team)
    assert seen(world.team_member.user) == {mine}


def test_a_ticket_reached_by_every_part_comes_once(world):
    mine, other = world.new_ticket(), world.new_ticket(world.other_household)
    user = world.member.user
    # The owner is also secretary of their branch and of the community: every part reaches
    # `mine` (community, branch's member, own household, owner).
    for org in (world.joint, world.comm_a1):
        RoleAssignment.objects.create(user=user, role=Role.BRANCH_SECRETARY, organization=org)
    assert seen(user) == {mine, other}
    assert "DISTINCT" not in str(selectors.ticket_list(user=user).query).upper()
    escalate_overdue(now=NOW + datetime.timedelta(hours=48))  # both past level 2
    assert selectors.overdue_todo(user=user) == {1: 2, 2: 2, 3: 0}
