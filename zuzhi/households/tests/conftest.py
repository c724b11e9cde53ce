"""A town with two villages' households and a county unit's members, for every test here."""

from dataclasses import dataclass

import pytest

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.households.models import Household
from zuzhi.households.services import household_create
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization, UnitCategory
from zuzhi.testing.factories import (
    OrganizationFactory,
    UserFactory,
    make_member,
    user_with_role,
    valid_id_number,
)


@dataclass
class World:
    county: object
    unit: Organization
    unit2: Organization
    county_staff: object
    town_a: object
    branch_a1: object
    unit_secretary: object


def household(community, address="幸福路1号", **data):
    return household_create(
        actor=SYSTEM,
        community=community,
        data={"address": address, "head_name": "王大山", "phone": "13912345678", **data},
    )


def unit_member(org, n: int, *, with_user: bool = False) -> Member:
    member = make_member(org, name=f"党员{n}", id_number=valid_id_number(sequence=100 + n))
    if with_user:
        member.user = UserFactory(username=f"m{n}")
        member.save(update_fields=["user"])
    return member


@pytest.fixture
def world(county) -> World:
    unit2 = OrganizationFactory(
        parent=county.county,
        code="U2",
        name="县卫健委党组织",
        unit_category=UnitCategory.GOVERNMENT,
    )
    return World(
        county=county,
        unit=county.unit,
        unit2=unit2,
        county_staff=user_with_role(Role.COUNTY_STAFF, county.county, username="cs"),
        town_a=user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="ta"),
        branch_a1=user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="ba1"),
        unit_secretary=user_with_role(Role.BRANCH_SECRETARY, county.unit, username="us"),
    )


__all__ = ["Household", "household", "unit_member"]
