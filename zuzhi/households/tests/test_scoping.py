"""The household rule (scoping.py) as a union of indexed parts: who sees what is what it was,
and a household that several parts reach comes once, without DISTINCT."""

import pytest
from django.http import Http404

from zuzhi.accounts.models import RoleAssignment
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.households import selectors
from zuzhi.households.models import HouseholdLink
from zuzhi.households.services import household_link
from zuzhi.orgs.models import OrgType, UnitCategory
from zuzhi.testing.factories import OrganizationFactory, UserFactory, user_with_role

from .conftest import household, unit_member


@pytest.fixture
def linked(world):
    """甲1 linked to a member of a branch below a unit's general branch, 甲2 to a member of
    unit 2, 乙1 to nobody; the general branch's secretary."""
    general = OrganizationFactory(
        parent=world.county.county,
        code="U3",
        name="县交通局党总支",
        org_type=OrgType.GENERAL_BRANCH,
        unit_category=UnitCategory.GOVERNMENT,
    )
    below = OrganizationFactory(
        parent=general, code="U3A", name="县交通局机关党支部", unit_category=UnitCategory.GOVERNMENT
    )
    world.general_secretary = user_with_role(Role.BRANCH_SECRETARY, general, username="gs")
    ours, theirs = (
        unit_member(below, 1, with_user=True),
        unit_member(world.unit2, 2, with_user=True),
    )
    a1 = household(world.county.village_a1, "甲1号")
    a2 = household(world.county.village_a2, "甲2号")
    b1 = household(world.county.village_b1, "乙1号")
    household_link(actor=SYSTEM, household=a1, member=ours)
    household_link(actor=SYSTEM, household=a2, member=theirs)
    return ours, theirs, a1, a2, b1


def seen(user) -> list:
    qs = selectors.household_list(user=user)
    rows = list(qs)
    assert qs.count() == len(rows) == len(set(rows))
    return rows


def test_each_part_of_the_rule_reaches_its_own_households_only(world, linked):
    ours, theirs, a1, a2, b1 = linked
    unit2_secretary = user_with_role(Role.BRANCH_SECRETARY, world.unit2, username="us2")
    # A branch secretary: the households of his branch's members (below it too), not another's.
    assert seen(world.general_secretary) == [a1]
    assert seen(world.unit_secretary) == []
    assert seen(unit2_secretary) == [a2]
    # Data roles on a community, a town, the county: their subtree.
    assert seen(world.branch_a1) == [a1]
    assert seen(world.town_a) == [a1, a2]
    assert seen(world.county_staff) == [a1, a2, b1]  # the whole tree: no join needed
    # Another tree beside it: the county's part is its subtree again, not every household.
    beside = OrganizationFactory(
        code="C2",
        name="邻县县委",
        org_type=OrgType.COUNTY_COMMITTEE,
        unit_category=UnitCategory.COUNTY,
    )
    household(OrganizationFactory(parent=beside, code="VC2", name="邻村党支部"), "邻1号")
    assert seen(world.county_staff) == [a1, a2, b1]
    # A member: their own; an account with neither role nor member: nothing.
    assert seen(ours.user) == [a1] and seen(theirs.user) == [a2]
    assert seen(UserFactory(username="nobody")) == []
    assert list(HouseholdLink.objects.visible_to(world.general_secretary)) == list(a1.links.all())
    for user, forbidden in (
        (world.general_secretary, a2),
        (world.unit_secretary, a1),
        (unit2_secretary, a1),
        (world.branch_a1, a2),
        (world.town_a, b1),
        (ours.user, a2),
    ):
        with pytest.raises(Http404):
            selectors.household_get(user=user, pk=forbidden.pk)


def test_a_household_reached_by_every_part_comes_once(world, linked, api_as, client_as):
    ours, _, a1, a2, _ = linked
    # The member is also secretary of their unit and of 甲1's village: three parts reach 甲1.
    for org in (ours.organization, world.county.village_a1):
        RoleAssignment.objects.create(user=ours.user, role=Role.BRANCH_SECRETARY, organization=org)
    other = household(world.county.village_a1, "甲3号")
    qs = selectors.household_list(user=ours.user)
    assert seen(ours.user) == [a1, other]
    assert "DISTINCT" not in str(qs.query).upper()
    assert list(HouseholdLink.objects.visible_to(ours.user)) == list(a1.links.all())
    listed = api_as(ours.user).get("/api/households").json()
    assert listed["count"] == 2 and [h["id"] for h in listed["items"]] == [a1.pk, other.pk]
    page = client_as(ours.user).get("/households/").context["page"]
    assert page.paginator.count == 2 and [h.pk for h in page] == [a1.pk, other.pk]
