"""The set-based recomputation of the kept yearly points (`points.tally`) against the rule
written out member by member (`reference`), and the branch summary paged in the database."""

import datetime

import pytest

from zuzhi.appraisal.models import AppraisalRound, AppraisalSubject, RoundStatus
from zuzhi.members.models import Member
from zuzhi.points import tally, views
from zuzhi.points.models import MemberYearPoints, PointEntry, PointRule, RuleKind, RuleSource
from zuzhi.points.selectors import branch_points
from zuzhi.testing.factories import OrganizationFactory, make_member, valid_id_number

from .reference import YEAR, reference_points

YEARS = [YEAR - 1, YEAR]


@pytest.fixture
def varied(small_county, county):
    """The small county with every case of the rule: caps reached both ways, an inactive
    rule of each kind of source, a member appraised twice in a year (the later published
    grade counts), an unpublished round, and members with nothing recorded."""
    members = small_county
    PointRule.objects.filter(name="参加组织生活").update(yearly_cap=5)
    PointRule.objects.filter(name="无故缺席组织生活").update(yearly_cap=3)
    PointRule.objects.filter(name="民主评议基本合格").update(is_active=False)
    dormant = PointRule.objects.create(
        name="停用的加分", kind=RuleKind.BONUS, source=RuleSource.MANUAL, points=7, is_active=False
    )
    for m in members[:6]:
        PointEntry.objects.create(
            member=m, rule=dormant, year=YEAR, day=datetime.date(YEAR, 6, 1), points=7, reason="旧"
        )
    again = AppraisalRound.objects.create(
        organization=county.town_a, year=YEAR, status=RoundStatus.PUBLISHED
    )
    unpublished = AppraisalRound.objects.create(
        organization=county.town_b, year=YEAR, status=RoundStatus.CLOSED
    )
    for i, m in enumerate(members[:12]):
        grade = ["unqualified", "excellent", "", "basic"][i % 4]
        AppraisalSubject.objects.create(round=again, member=m, grade=grade)
        AppraisalSubject.objects.create(round=unpublished, member=m, grade="unqualified")
    quiet = OrganizationFactory(parent=county.town_b, code="VB2", name="刘庄村党支部")
    idle = [
        make_member(quiet, name=f"闲{i}", id_number=valid_id_number("19700101", 300 + i))
        for i in range(3)
    ]
    return members + idle


def kept(year):
    return {
        m: (t, v)
        for m, t, v in MemberYearPoints.objects.filter(year=year).values_list(
            "member_id", "total", "vetoed"
        )
    }


def expected(members, year):
    return {
        pk: (total, bool(veto)) for pk, (_, veto, total) in reference_points(members, year).items()
    }


def test_refresh_all_matches_the_reference(varied, monkeypatch):
    MemberYearPoints.objects.update(total=999, vetoed=True)  # stale rows are overwritten
    monkeypatch.setattr(tally, "CHUNK", 5)  # several ranges, each in its own transaction
    assert tally.points_refresh_all(years=YEARS) == Member.objects.count()
    everyone = list(Member.objects.all())
    for year in YEARS:
        want = expected(everyone, year)
        assert kept(year) == want
    this_year = reference_points(everyone, YEAR)
    lines = [dict(lines) for lines, _, _ in this_year.values()]
    # The fixture reaches what the rule distinguishes.
    assert {line.get("参加组织生活") for line in lines} >= {5}
    assert {line.get("无故缺席组织生活") for line in lines} >= {-3}
    assert any(veto for _, veto, _ in this_year.values())
    assert any(line.get("民主评议优秀") for line in lines)


def test_the_members_refresh_is_the_same_statement_restricted(varied):
    MemberYearPoints.objects.all().delete()
    chosen = varied[::4]
    tally.points_refresh(member_ids=[m.pk for m in chosen], years=YEARS)
    for year in YEARS:
        assert kept(year) == expected(chosen, year)


def test_refresh_all_defaults_to_the_kept_years(varied):
    MemberYearPoints.objects.all().delete()
    MemberYearPoints.objects.create(member=varied[0], year=YEAR - 1, total=0)
    tally.points_refresh_all()
    assert set(MemberYearPoints.objects.values_list("year", flat=True)) == {YEAR - 1}
    assert kept(YEAR - 1) == expected(list(Member.objects.all()), YEAR - 1)


def test_branch_summary_is_paged_in_the_database(
    small_county, county_user, client, monkeypatch, django_assert_max_num_queries
):
    rows = branch_points(user=county_user, year=YEAR)
    with django_assert_max_num_queries(3):  # the count, the page's organizations, their members
        assert rows.count() == 3
        page = rows[1:3]
    assert [b.organization.code for b in page] == ["VA2", "VB1"]
    assert [b.organization.code for b in rows] == ["VA1", "VA2", "VB1"]
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(county_user)
    first = client.get("/points/", {"year": YEAR, "view": "branches"}).content.decode()
    second = client.get("/points/", {"year": YEAR, "view": "branches", "page": 2}).content.decode()
    assert "第 1 / 2 页，共 3 个党组织" in first
    assert "李庄村党支部" in first and "张湾村党支部" not in first
    assert "张湾村党支部" in second and "李庄村党支部" not in second


def test_a_township_sees_only_its_branches(small_county, town_a_user, town_b_user, client):
    assert [b.organization.code for b in branch_points(user=town_a_user, year=YEAR)] == [
        "VA1",
        "VA2",
    ]
    assert [b.organization.code for b in branch_points(user=town_b_user, year=YEAR)] == ["VB1"]
    client.force_login(town_b_user)
    page = client.get("/points/", {"year": YEAR, "view": "branches"}).content.decode()
    assert "张湾村党支部" in page and "共 1 个党组织" in page
    assert "李庄村党支部" not in page and "王庄村党支部" not in page
