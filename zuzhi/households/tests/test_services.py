"""Households and their links: what the community registers, what the county assigns."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import override_settings

from zuzhi.core.models import AuditLog
from zuzhi.households import selectors
from zuzhi.households.models import Household, HouseholdLink
from zuzhi.households.services import (
    LinkRefused,
    household_create,
    household_link,
    household_links_bulk_assign,
    household_unlink,
    household_update,
)
from zuzhi.members.models import Member
from zuzhi.testing.factories import valid_id_number

from .conftest import household, unit_member

DAY = datetime.date(2026, 3, 1)


def test_a_household_is_registered_with_its_initials_and_audited(world):
    h = household_create(
        actor=world.town_a,
        community=world.county.village_a1,
        data={
            "address": " 幸福路 3 号 ",
            "head_name": "曾 国华",
            "phone": "138-1234-5678",
            "head_id_number": valid_id_number(sequence=7),
            "grid": "第 2 网格",
        },
    )
    assert (h.address, h.head_name, h.phone, h.grid) == (
        "幸福路 3 号",
        "曾国华",
        "13812345678",
        "第2网格",
    )
    assert "zgh" in h.head_initials.split()
    assert AuditLog.objects.filter(target_type="households.household", target_id=str(h.pk)).exists()


def test_bad_fields_are_refused_in_chinese(world):
    with pytest.raises(ValidationError) as exc:
        household_create(
            actor=world.town_a,
            community=world.county.village_a1,
            data={"address": "", "head_name": "王", "phone": "12345", "head_id_number": "123"},
        )
    errors = exc.value.message_dict
    assert set(errors) == {"address", "phone", "head_id_number"}
    assert "请填写住址" in errors["address"][0]


def test_only_a_village_or_community_holds_households(world):
    with pytest.raises(ValidationError, match="行政村或社区"):
        household_create(
            actor=world.county_staff,
            community=world.unit,
            data={"address": "1号", "head_name": "王五"},
        )


def test_another_township_cannot_register_in_town_b(world):
    with pytest.raises(Http404):
        household_create(
            actor=world.town_a,
            community=world.county.village_b1,
            data={"address": "1号", "head_name": "王五"},
        )


def test_an_address_is_registered_once_per_community(world):
    household(world.county.village_a1, "幸福路1号")
    with pytest.raises(ValidationError, match="已登记该住址"):
        household(world.county.village_a1, "幸福路1号")
    household(world.county.village_a2, "幸福路1号")  # another village's street


def test_an_update_keeps_what_is_not_sent(world):
    h = household(world.county.village_a1, grid="一网格")
    h = household_update(actor=world.town_a, household=h, data={"head_name": "李四"})
    assert (h.head_name, h.grid, h.phone) == ("李四", "一网格", "13912345678")
    assert "ls" in h.head_initials


def test_only_a_county_unit_member_is_linked(world):
    h = household(world.county.village_a1)
    villager = unit_member(world.county.village_a1, 1)
    with pytest.raises(LinkRefused, match="县直单位"):
        household_link(actor=world.county_staff, household=h, member=villager)


@override_settings(ZUZHI_HOUSEHOLD_LINK_CAP=2)
def test_the_cap_is_refused_in_chinese(world):
    member = unit_member(world.unit, 1)
    for n in range(2):
        household_link(
            actor=world.county_staff,
            household=household(world.county.village_a1, f"{n}号"),
            member=member,
        )
    third = household(world.county.village_a1, "9号")
    with pytest.raises(LinkRefused, match="最多联系 2 户"):
        household_link(actor=world.county_staff, household=third, member=member)
    third.refresh_from_db()
    assert third.member is None


def test_a_township_clerk_cannot_link_a_county_unit_member(world):
    """Linking needs both the household and the member in scope: the county assigns."""
    with pytest.raises(Http404):
        household_link(
            actor=world.town_a,
            household=household(world.county.village_a1),
            member=unit_member(world.unit, 1),
        )


def test_a_relink_keeps_the_history_and_the_current_member(world):
    h = household(world.county.village_a1)
    first, second = unit_member(world.unit, 1), unit_member(world.unit2, 2)
    household_link(actor=world.county_staff, household=h, member=first, on=DAY)
    household_link(
        actor=world.county_staff, household=h, member=second, on=DAY + datetime.timedelta(30)
    )
    h.refresh_from_db()
    assert h.member == second
    history = list(HouseholdLink.objects.filter(household=h).order_by("started_on"))
    assert [(x.member, x.ended_on) for x in history] == [
        (first, DAY + datetime.timedelta(30)),
        (second, None),
    ]
    assert history[0].end_reason
    link = household_unlink(actor=world.county_staff, household=h, reason="住户搬离")
    h.refresh_from_db()
    assert h.member is None and link.end_reason == "住户搬离"
    assert not HouseholdLink.objects.filter(household=h, ended_on__isnull=True).exists()


@override_settings(ZUZHI_HOUSEHOLD_LINK_CAP=4)
def test_bulk_assignment_spreads_evenly_within_the_cap(world, django_assert_max_num_queries):
    village = world.county.village_a1
    for n in range(11):
        household(village, f"{n:02d}号", grid="一网格")
    household(world.county.village_a2, "外村1号")
    members = [unit_member(world.unit, n) for n in range(3)]
    already = household(village, "早已联系")
    household_link(actor=world.county_staff, household=already, member=members[0])
    households = selectors.household_list(user=world.county_staff, community=village)
    with django_assert_max_num_queries(20):
        result = household_links_bulk_assign(
            actor=world.county_staff, households=households, members=members, on=DAY
        )
    loads = Counter(
        HouseholdLink.objects.filter(ended_on__isnull=True).values_list("member_id", flat=True)
    )
    # 12 places (3 × 4) and 1 taken: 11 households fit, one each in turn.
    assert result.linked == 11 and result.left == 0
    assert sorted(loads.values()) == [4, 4, 4]
    assert not Household.objects.filter(community=village, member__isnull=True).exists()
    assert Household.objects.get(address="外村1号").member is None
    # Nothing linked twice, and Household.member follows the current link.
    assert HouseholdLink.objects.filter(ended_on__isnull=True).count() == 12
    for h in Household.objects.filter(community=village):
        assert h.links.get(ended_on__isnull=True).member_id == h.member_id
    assert AuditLog.objects.filter(target_type="households.householdlink").count() == 12


@override_settings(ZUZHI_HOUSEHOLD_LINK_CAP=2)
def test_bulk_assignment_stops_at_the_cap(world):
    for n in range(5):
        household(world.county.village_a1, f"{n}号")
    members = [unit_member(world.unit, n) for n in range(2)]
    result = household_links_bulk_assign(
        actor=world.county_staff,
        households=selectors.household_list(user=world.county_staff),
        members=members,
    )
    assert (result.linked, result.left) == (4, 1)
    assert result.loads == {members[0].pk: 2, members[1].pk: 2}


def test_a_member_leaving_the_unit_leaves_households_to_relink_until_reassigned(world):
    leaver, stayer = unit_member(world.unit, 1), unit_member(world.unit2, 2)
    h = household(world.county.village_a1)
    household_link(actor=world.county_staff, household=h, member=leaver, on=DAY)
    other = household(world.county.village_a1, "2号")
    household_link(actor=world.county_staff, household=other, member=stayer, on=DAY)
    assert not selectors.households_to_relink(user=world.county_staff).exists()
    # The member's relationship moved to a village branch (组织关系转接).
    Member.objects.filter(pk=leaver.pk).update(organization=world.county.village_a2)
    assert list(selectors.households_to_relink(user=world.county_staff)) == [h]
    assert list(selectors.households_to_relink(user=world.town_a)) == [h]
    result = household_links_bulk_assign(
        actor=world.county_staff,
        households=selectors.household_list(user=world.county_staff),
        members=[stayer],
        on=DAY + datetime.timedelta(10),
    )
    assert result.linked == 1
    assert not selectors.households_to_relink(user=world.county_staff).exists()
    old = HouseholdLink.objects.get(household=h, member=leaver)
    assert old.ended_on == DAY + datetime.timedelta(10) and old.end_reason


def test_coverage_per_community_and_unit(world, django_assert_max_num_queries):
    a1, a2 = world.county.village_a1, world.county.village_a2
    m1, m2, idle = (
        unit_member(world.unit, 1),
        unit_member(world.unit, 2),
        unit_member(world.unit2, 3),
    )
    for n in range(4):
        h = household(a1, f"{n}号")
        if n < 3:
            household_link(actor=world.county_staff, household=h, member=m1 if n < 2 else m2)
    household(a2, "1号")
    # 3: the county staff's own member record and whether their root is the whole tree.
    with django_assert_max_num_queries(3):
        by_community = {
            c.name: (c.households, c.linked, c.share)
            for c in selectors.coverage_by_community(user=world.county_staff)
        }
    assert by_community == {a1.name: (4, 3, 0.75), a2.name: (1, 0, 0.0)}
    with django_assert_max_num_queries(3):
        by_unit = {
            u.name: (u.members, u.members_linked, u.households, u.share)
            for u in selectors.coverage_by_unit(user=world.county_staff)
        }
    assert by_unit == {world.unit.name: (2, 2, 3, 1.0), world.unit2.name: (1, 0, 0, 0.0)}
    assert idle.pk


def test_what_each_user_sees(world):
    mine, other_member = (
        unit_member(world.unit, 1, with_user=True),
        unit_member(world.unit2, 2, with_user=True),
    )
    h = household(world.county.village_a1)
    household_link(actor=world.county_staff, household=h, member=mine)
    h2 = household(world.county.village_a2, "2号")
    household_link(actor=world.county_staff, household=h2, member=other_member)
    hb = household(world.county.village_b1, "乙1号")
    assert list(selectors.my_households(user=mine.user)) == [h]
    assert selectors.household_get(user=mine.user, pk=h.pk) == h
    for user, forbidden in (
        (mine.user, h2),  # another member's household
        (world.branch_a1, h2),  # another community's
        (world.town_a, hb),  # a township outside the town
    ):
        before = AuditLog.objects.filter(action="permission_denied").count()
        with pytest.raises(Http404):
            selectors.household_get(user=user, pk=forbidden.pk)
        assert AuditLog.objects.filter(action="permission_denied").count() == before + 1
    # The member's branch secretary sees the households of the unit's members.
    assert list(selectors.household_list(user=world.unit_secretary)) == [h]


def test_a_second_bulk_assignment_links_nothing_twice(world):
    for n in range(3):
        household(world.county.village_a1, f"{n}号")
    members = [unit_member(world.unit, 1)]
    households = selectors.household_list(user=world.county_staff)
    assert (
        household_links_bulk_assign(
            actor=world.county_staff, households=households, members=members
        ).linked
        == 3
    )
    again = household_links_bulk_assign(
        actor=world.county_staff, households=households, members=members
    )
    assert (again.linked, again.left) == (0, 0)
    assert HouseholdLink.objects.count() == 3
