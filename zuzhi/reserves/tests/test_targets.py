import datetime
from fractions import Fraction
from itertools import count

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.orgs.models import OrgType, UnitCategory
from zuzhi.reserves import targets
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.selectors import age_on
from zuzhi.reserves.services import candidate_create
from zuzhi.testing.factories import OrganizationFactory, user_with_role, valid_id_number

TODAY = datetime.date(2026, 6, 15)
_sequence = count(400)


@pytest.fixture(name="pool_reserve")
def pool_reserve_fixture(county):
    """Make a reserve in the pool (入库): registered through the service, then moved there by
    status (the pool's entry belongs to the review, not to these figures)."""
    actor = user_with_role(Role.COUNTY_STAFF, county.county, username="registrar")

    def make(village, *, birth="19900101", education="", source="graduate", status=None):
        c = candidate_create(
            actor=actor,
            data={
                "village": village,
                "name": "后备",
                "id_number": valid_id_number(birth=birth, sequence=next(_sequence)),
                "education": education,
                "source": source,
                "discovery": "organization",
            },
        )
        ReserveCandidate.objects.filter(pk=c.pk).update(status=status or ReserveStatus.IN_POOL)
        return c

    return make


def _by_name(rows):
    return {r.org.name: r for r in rows}


def test_settings_give_the_issue_targets_as_exact_values():
    t = targets.reserve_targets()
    assert t == targets.ReserveTargets(
        per_village=2, max_average_age=37, min_college_share=Fraction(3, 5)
    )


def test_targets_follow_the_settings(pool_reserve, county, county_user, settings):
    settings.ZUZHI_RESERVE_TARGET_PER_VILLAGE = 3
    settings.ZUZHI_RESERVE_TARGET_MIN_COLLEGE_SHARE = "0.5"
    pool_reserve(county.village_a1, education="21")
    pool_reserve(county.village_a1)
    row = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)[0]
    assert (row.count_met, row.college_met) == (False, True)
    assert targets.reserve_targets().min_college_percent == "50"


def test_college_is_the_members_rule_from_junior_college_up():
    assert targets.COLLEGE_PREFIXES == ("1", "2", "31", "32", "33", "34")


def test_two_reserves_meet_the_village_target_one_does_not(pool_reserve, county, county_user):
    pool_reserve(county.village_a1)
    pool_reserve(county.village_a1)
    pool_reserve(county.village_a2)
    rows = _by_name(
        targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)
    )
    a1, a2 = rows[county.village_a1.name], rows[county.village_a2.name]
    assert (a1.pool, a1.count_met) == (2, True)
    assert (a2.pool, a2.count_met) == (1, False)


def test_village_without_reserves_is_listed_under_target(pool_reserve, county, county_user):
    pool_reserve(county.village_a1)
    pool_reserve(county.village_a1)
    rows = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)
    assert [r.org for r in rows] == [county.village_a1, county.village_a2]
    empty = rows[1]
    assert (empty.pool, empty.count_met, empty.age_met, empty.college_met) == (0, False, None, None)
    towns = _by_name(targets.township_pool_rows(user=county_user, today=TODAY))
    a, b = towns[county.town_a.name], towns[county.town_b.name]
    assert (a.villages, a.villages_under, a.count_met) == (2, 1, False)
    assert (b.villages, b.villages_under, b.pool) == (1, 1, 0)


def test_only_the_pool_is_counted_not_candidates_nor_exited(pool_reserve, county, county_user):
    pool_reserve(county.village_a1)
    pool_reserve(county.village_a1, status=ReserveStatus.CANDIDATE)
    pool_reserve(county.village_a1, status=ReserveStatus.EXITED)
    row = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)[0]
    assert (row.pool, row.count_met) == (1, False)
    assert (
        _by_name(targets.township_pool_rows(user=county_user, today=TODAY))[county.town_a.name].pool
        == 1
    )


@pytest.mark.parametrize(
    ("births", "met"),
    [
        # 36 and 38 on the day: 37 on average, on the boundary.
        (["19900615", "19880615"], True),
        # 37 (birthday today) and 38: 37.5.
        (["19890615", "19880615"], False),
        # 37 and 37 (the second turns 38 tomorrow): exactly 37.
        (["19890615", "19880616"], True),
    ],
)
def test_average_age_at_most_37_meets(pool_reserve, county, county_user, births, met):
    for birth in births:
        pool_reserve(county.village_a1, birth=birth)
    row = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)[0]
    assert row.age_met is met
    expected = sum(age_on(datetime.date.fromisoformat(b), TODAY) for b in births)
    assert row.age_total == expected


def test_ages_are_full_years_whatever_the_birthday(pool_reserve, county, county_user):
    births = ["19920229", "19900614", "19900615", "19900616", "19851231", "19870101"]
    for birth in births:
        pool_reserve(county.village_a1, birth=birth)
    for day in (TODAY, datetime.date(2027, 2, 28), datetime.date(2028, 2, 29)):
        row = targets.village_pool_rows(user=county_user, township=county.town_a, today=day)[0]
        assert row.age_total == sum(age_on(datetime.date.fromisoformat(b), day) for b in births)


def test_average_age_shown_never_reads_met_when_missed(pool_reserve, county, county_user):
    for birth in ["19890615"] * 99 + ["19880615"]:  # 37 ×99 and 38: 37.01
        pool_reserve(county.village_a1, birth=birth)
    row = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)[0]
    assert row.age_met is False and str(row.average_age_shown) == "37.1"


def test_college_share_three_fifths_meets_below_does_not(pool_reserve, county, county_user):
    for education in ["21", "31", "11", "37", "38"]:  # 3/5: 大学, 大专, 研究生
        pool_reserve(county.village_a1, education=education)
    row = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)[0]
    assert (row.college, row.college_share, row.college_met) == (3, Fraction(3, 5), True)
    assert str(row.college_percent_shown) == "60.0"
    pool_reserve(county.village_a1, education="35")  # 中专: 3/6
    row = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)[0]
    assert (row.college_share, row.college_met) == (Fraction(1, 2), False)


def test_a_general_branch_village_counts_once_with_its_branches(pool_reserve, county, county_user):
    general = OrganizationFactory(
        parent=county.town_a, name="大村党总支", org_type=OrgType.GENERAL_BRANCH
    )
    branch = OrganizationFactory(parent=general, name="大村第一党支部")
    pool_reserve(branch)
    pool_reserve(general)
    rows = _by_name(
        targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)
    )
    assert "大村第一党支部" not in rows and rows["大村党总支"].pool == 2
    assert rows["大村党总支"].count_met
    town = _by_name(targets.township_pool_rows(user=county_user, today=TODAY))[county.town_a.name]
    assert (town.villages, town.villages_under, town.pool) == (3, 2, 2)


def test_township_and_county_figures_add_up_with_sources(pool_reserve, county, county_user):
    pool_reserve(county.village_a1, birth="19900615", education="21", source="veteran")
    pool_reserve(county.village_a1, birth="19880615", education="37", source="graduate")
    pool_reserve(county.village_b1, birth="19960615", education="31", source="graduate")
    pool_reserve(county.village_b1, birth="19960615", source="graduate")
    rows = targets.township_pool_rows(user=county_user, today=TODAY)
    assert [r.org for r in rows] == [county.town_a, county.town_b]
    a, b = rows
    assert (a.pool, a.average_age, a.college, a.villages_under) == (2, 37, 1, 1)
    assert (b.pool, b.average_age, b.villages_under, b.count_met) == (2, 30, 0, True)
    total = targets.pool_total(rows=rows)
    assert (total.pool, total.villages, total.villages_under) == (4, 3, 1)
    assert total.average_age == Fraction(36 + 38 + 30 + 30, 4)
    assert dict(total.source_counts) == {
        "优秀党员": 0,
        "致富带头人": 0,
        "退役军人": 1,
        "外出务工人员": 0,
        "高校毕业生": 3,
        "其他": 0,
    }


def test_inactive_and_other_units_are_no_villages(pool_reserve, county, county_user):
    closed = OrganizationFactory(parent=county.town_a, name="撤并村党支部")
    pool_reserve(closed)
    pool_reserve(closed)
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    OrganizationFactory(
        parent=county.town_a, name="某公司党支部", unit_category=UnitCategory.PRIVATE_FIRM
    )
    town = _by_name(targets.township_pool_rows(user=county_user, today=TODAY))[county.town_a.name]
    assert (town.villages, town.villages_under) == (2, 2)


def test_township_staff_see_their_township_only(pool_reserve, county, town_a_user, town_b_user):
    pool_reserve(county.village_b1)
    rows = targets.township_pool_rows(user=town_a_user, today=TODAY)
    assert [r.org for r in rows] == [county.town_a] and rows[0].pool == 0
    assert targets.pool_township_get(user=town_a_user, pk=county.town_a.pk) == county.town_a
    with pytest.raises(Http404):
        targets.pool_township_get(user=town_a_user, pk=county.town_b.pk)
    assert AuditLog.objects.filter(
        action=AuditAction.PERMISSION_DENIED, target_id=str(county.town_b.pk)
    ).exists()


def test_branch_secretary_has_no_pool(county, branch_a1_user):
    assert targets.township_pool_rows(user=branch_a1_user, today=TODAY) == []
    with pytest.raises(Http404):
        targets.pool_township_get(user=branch_a1_user, pk=county.town_a.pk)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_villages(
    pool_reserve, county, county_user, django_assert_max_num_queries
):
    def both():
        targets.township_pool_rows(user=county_user, today=TODAY)
        targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)

    pool_reserve(county.village_a1)
    both()  # the user's role assignments are read once per request
    few = _queries(both)
    for n in range(12):
        village = OrganizationFactory(parent=county.town_a if n % 2 else county.town_b)
        pool_reserve(village)
        pool_reserve(village, status=ReserveStatus.EXITED)
    assert _queries(both) == few
    with django_assert_max_num_queries(8):
        both()


def test_reserves_elected_into_the_committee_are_counted_apart(
    pool_reserve, county, county_user, monkeypatch
):
    """With the status "appointed" (已进入村“两委”): out of the pool, shown beside it."""
    monkeypatch.setattr(targets, "APPOINTED", "appointed")
    pool_reserve(county.village_a1)
    pool_reserve(county.village_a1, status="appointed")
    row = targets.village_pool_rows(user=county_user, township=county.town_a, today=TODAY)[0]
    assert (row.pool, row.appointed, row.count_met) == (1, 1, False)
    town = targets.township_pool_rows(user=county_user, today=TODAY)[0]
    assert (town.pool, town.appointed) == (1, 1)
