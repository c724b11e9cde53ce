import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zuzhi.ratings import selectors
from zuzhi.ratings.models import StarQuota
from zuzhi.ratings.periods import period_name, period_previous, period_valid
from zuzhi.ratings.services import award_withdraw
from zuzhi.testing.factories import OrganizationFactory, make_member, valid_id_number

from .helpers import grant, scheme


@pytest.fixture(autouse=True)
def no_quotas(db):
    """Three villages leave no place under a 30 % quota; quotas are tested in test_services."""
    StarQuota.objects.all().delete()


def test_rose_and_fell_between_two_periods(
    county, town_a_user, town_b_user, county_user, five_star
):
    a1, a2, b1 = county.village_a1, county.village_a2, county.village_b1
    grant(town_a_user, county_user, five_star, a1, "2025", "支部过硬", "产业兴旺", "生态宜居")
    grant(
        town_a_user,
        county_user,
        five_star,
        a1,
        "2026",
        "支部过硬",
        "产业兴旺",
        "生态宜居",
        "平安法治",
    )
    grant(town_a_user, county_user, five_star, a2, "2025", "支部过硬", "文明幸福")
    grant(town_a_user, county_user, five_star, a2, "2026", "支部过硬")
    # Same level with a different star is no change of level.
    grant(town_b_user, county_user, five_star, b1, "2025", "产业兴旺")
    grant(town_b_user, county_user, five_star, b1, "2026", "生态宜居")

    def changes(user, direction=None):
        qs = selectors.level_changes(
            user=user, scheme=five_star, period="2026", direction=direction
        )
        return {
            r.subject.name: (r.previous_level, r.level, r.gained, r.lost)
            for r in selectors.change_rows(scheme=five_star, period="2026", subjects=qs)
        }

    assert changes(county_user) == {
        "李庄村党支部": (3, 4, ["平安法治"], []),
        "王庄村党支部": (2, 1, [], ["文明幸福"]),
    }
    assert list(changes(county_user, "up")) == ["李庄村党支部"]
    assert list(changes(county_user, "down")) == ["王庄村党支部"]
    assert changes(town_b_user) == {}
    assert selectors.change_counts(user=county_user, scheme=five_star, period="2026") == {
        "up": 1,
        "down": 1,
    }
    # A star withdrawn during the year lowers the level: back to 3, no longer a rise.
    (industry,) = [
        a
        for a in selectors.award_list(user=county_user, period="2026")
        if a.star.name == "产业兴旺"
    ]
    award_withdraw(actor=county_user, award=industry, reason="产业项目停产")
    assert "李庄村党支部" not in changes(county_user)


def test_distribution_and_level_filter_follow_the_scope(
    county, town_a_user, town_b_user, county_user, five_star
):
    grant(town_a_user, county_user, five_star, county.village_a1, "2026", "支部过硬", "产业兴旺")
    grant(town_b_user, county_user, five_star, county.village_b1, "2026", "支部过硬")
    county_levels = selectors.level_distribution(user=county_user, scheme=five_star, period="2026")
    assert county_levels == {0: 1, 1: 1, 2: 1, 3: 0, 4: 0, 5: 0}
    town_levels = selectors.level_distribution(user=town_a_user, scheme=five_star, period="2026")
    assert town_levels == {0: 1, 1: 0, 2: 1, 3: 0, 4: 0, 5: 0}
    two = selectors.subject_levels(user=county_user, scheme=five_star, period="2026", level=2)
    assert [o.name for o in two] == ["李庄村党支部"]
    seen = selectors.subject_levels(user=town_b_user, scheme=five_star, period="2026")
    assert [o.name for o in seen] == ["张湾村党支部"]
    assert selectors.award_list(user=town_b_user, scheme=five_star).count() == 1


def test_member_scheme_lists_members_by_branch_and_name(
    county, town_a_user, town_b_user, county_user
):
    ten = scheme("ten-star-member")
    zhang = make_member(county.village_a1, name="张三", id_number=valid_id_number("19800101", 1))
    make_member(county.village_a1, name="李四", id_number=valid_id_number("19800101", 2))
    make_member(county.village_b1, name="王五", id_number=valid_id_number("19800101", 3))
    grant(town_a_user, county_user, ten, zhang, "2026", "政治坚定", "服务群众")
    rows = selectors.subject_levels(user=town_a_user, scheme=ten, period="2026")
    assert {m.name: m.star_level for m in rows} == {"李四": 0, "张三": 2}
    assert (
        selectors.subject_levels(user=town_b_user, scheme=ten, period="2026", q="张").count() == 0
    )
    assert [a.member for a in selectors.award_list(user=town_a_user, within=county.village_a1)] == [
        zhang,
        zhang,
    ]


def test_a_page_costs_the_same_queries_for_few_and_many_subjects(
    county, town_a_user, county_user, five_star
):
    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            qs = selectors.subject_levels(user=county_user, scheme=five_star, period="2026")
            selectors.subject_rows(scheme=five_star, period="2026", subjects=qs[:50])
            changed = selectors.level_changes(user=county_user, scheme=five_star, period="2026")
            selectors.change_rows(scheme=five_star, period="2026", subjects=changed[:50])
        return len(ctx.captured_queries)

    grant(town_a_user, county_user, five_star, county.village_a1, "2026", "支部过硬")
    few = page_queries()
    for i in range(12):
        village = OrganizationFactory(parent=county.town_a, code=f"VX{i}", name=f"新村{i}")
        grant(town_a_user, county_user, five_star, village, "2026", "支部过硬", "产业兴旺")
        grant(town_a_user, county_user, five_star, village, "2025", "支部过硬")
    assert page_queries() == few


def test_periods():
    assert period_previous("2026") == "2025"
    assert period_previous("2026Q1") == "2025Q4" and period_previous("2026Q3") == "2026Q2"
    assert period_valid("quarter", "2026Q4") and not period_valid("quarter", "2026Q5")
    assert not period_valid("year", "2026Q1") and not period_valid("year", "26")
    assert period_name("2026Q3") == "2026 年第三季度" and period_name("2026") == "2026 年度"
