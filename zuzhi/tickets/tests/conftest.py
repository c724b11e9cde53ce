"""A small county for tickets: town A with communities A1 and A2, town B with community B1;
county units' joint branch J (under joint general branch JG, its members working in several
units) and the branch U2 of a unit on its own; members with their own accounts linked to households; the people around them."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.households.models import Household
from zuzhi.orgs.models import OrgType, UnitCategory
from zuzhi.testing.factories import (
    OrganizationFactory,
    UserFactory,
    make_member,
    user_with_role,
    valid_id_number,
)
from zuzhi.tickets.config_services import team_create, ticket_types_load_defaults
from zuzhi.tickets.models import TicketType
from zuzhi.tickets.services import ticket_create

NOW = timezone.make_aware(datetime.datetime(2026, 6, 1, 9, 0))


def member_with_account(org, name: str, seq: int, username: str):
    member = make_member(org, name=name, id_number=valid_id_number(sequence=seq))
    member.user = UserFactory(username=username, full_name=name)
    member.save(update_fields=["user"])
    return member


@pytest.fixture
def world(db):
    county = OrganizationFactory(
        name="县委", org_type=OrgType.COUNTY_COMMITTEE, unit_category=UnitCategory.COUNTY
    )
    town_a = OrganizationFactory(
        parent=county, name="甲镇党委", org_type=OrgType.COMMITTEE, unit_category="township"
    )
    town_b = OrganizationFactory(
        parent=county, name="乙镇党委", org_type=OrgType.COMMITTEE, unit_category="township"
    )
    comm_a1 = OrganizationFactory(
        parent=town_a, name="甲一社区党支部", unit_category=UnitCategory.COMMUNITY
    )
    comm_a2 = OrganizationFactory(
        parent=town_a, name="甲二社区党支部", unit_category=UnitCategory.COMMUNITY
    )
    comm_b1 = OrganizationFactory(
        parent=town_b, name="乙一社区党支部", unit_category=UnitCategory.COMMUNITY
    )
    joint_general = OrganizationFactory(
        parent=county, name="第一联合党总支", org_type=OrgType.JOINT_GENERAL_BRANCH
    )
    joint = OrganizationFactory(
        parent=joint_general, name="第一联合党支部", org_type=OrgType.JOINT_BRANCH
    )
    unit_1 = joint  # the members of several small county units: one joint branch
    unit_2 = OrganizationFactory(
        parent=county, name="县水利局党支部", unit_category=UnitCategory.GOVERNMENT
    )
    m = SimpleNamespace(
        county=county,
        town_a=town_a,
        town_b=town_b,
        comm_a1=comm_a1,
        comm_a2=comm_a2,
        comm_b1=comm_b1,
        joint=joint,
        joint_general=joint_general,
        unit_1=unit_1,
        unit_2=unit_2,
    )
    m.member = member_with_account(unit_1, "联户一", 101, "lianhu1")
    m.other_member = member_with_account(unit_1, "联户二", 102, "lianhu2")
    m.team_member = member_with_account(unit_1, "调解员", 103, "tiaojie")
    m.leader = member_with_account(unit_1, "团队长", 104, "tuanzhang")
    m.outsider = member_with_account(unit_2, "水利员", 105, "shuili")
    m.unit_secretary = user_with_role(Role.BRANCH_SECRETARY, unit_1, username="sec_u1")
    m.community = user_with_role(Role.BRANCH_SECRETARY, comm_a1, username="sec_a1")
    m.other_community = user_with_role(Role.BRANCH_SECRETARY, comm_a2, username="sec_a2")
    m.town = user_with_role(Role.TOWNSHIP_STAFF, town_a, username="town_a")
    m.town_b_staff = user_with_role(Role.TOWNSHIP_STAFF, town_b, username="town_b")
    m.county_staff = user_with_role(Role.COUNTY_STAFF, county, username="county")
    m.household = Household.objects.create(
        community=comm_a1,
        address="幸福路 1 号",
        head_name="王大爷",
        phone="13900001111",
        member=m.member,
    )
    m.other_household = Household.objects.create(
        community=comm_a1,
        address="幸福路 2 号",
        head_name="李大妈",
        phone="13900002222",
        member=m.other_member,
    )
    m.b_household = Household.objects.create(
        community=comm_b1, address="乙路 9 号", head_name="赵", member=m.outsider
    )
    ticket_types_load_defaults(actor=SYSTEM)
    m.daily = TicketType.objects.get(name="日常生活")
    m.team = team_create(
        actor=SYSTEM,
        organization=joint,
        name="矛盾调解团队",
        specialty="mediation",
        leader=m.leader,
        members=[m.team_member],
    )
    m.new_ticket = lambda household=None, **kw: ticket_create(
        actor=m.member.user if household is None else SYSTEM,
        household=household or m.household,
        ticket_type=m.daily,
        description=kw.pop("description", "楼道灯坏了一个月"),
        now=kw.pop("now", NOW),
        **kw,
    )
    return m
