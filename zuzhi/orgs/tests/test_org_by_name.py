"""An organization named as a clerk writes it, within the user's scope (orgs.selectors)."""

from zuzhi.orgs.models import BRANCH_TYPES
from zuzhi.orgs.selectors import org_by_name
from zuzhi.testing.factories import OrganizationFactory


def test_the_exact_name_wins_over_any_number_of_names_ending_alike(county, town_a_user):
    for i in range(8):
        OrganizationFactory(parent=county.town_a, code=f"X{i}", name=f"第{i}李庄村党支部")
    org, candidates = org_by_name(user=town_a_user, name="李庄村党支部", org_types=BRANCH_TYPES)
    assert org == county.village_a1 and candidates == []


def test_the_formal_name_is_taken_but_not_a_longer_village(county, town_a_user, town_b_user):
    formal = OrganizationFactory(
        parent=county.town_a, code="F1", name="中共示范县城关镇郭坪村党支部"
    )
    org, _ = org_by_name(user=town_a_user, name="郭坪村党支部", org_types=BRANCH_TYPES)
    assert org == formal
    OrganizationFactory(parent=county.town_b, code="VB2", name="小李庄村党支部")
    org, candidates = org_by_name(user=town_b_user, name="李庄村党支部", org_types=BRANCH_TYPES)
    # 小李庄村 is offered, never taken; 城关镇's 李庄村党支部 (out of scope) is not even named.
    assert org is None and [o.code for o in candidates] == ["VB2"]


def test_a_name_shared_by_two_branches_is_a_question(county, town_a_user):
    OrganizationFactory(parent=county.town_a, code="D1", name="王庄村党支部")
    org, candidates = org_by_name(user=town_a_user, name="王庄村党支部", org_types=BRANCH_TYPES)
    assert org is None and {o.code for o in candidates} == {"VA2", "D1"}
