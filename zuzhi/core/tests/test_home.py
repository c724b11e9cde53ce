"""The home page as a to-do list (首页待办) and its charts: each item counted for the county,
a township and a branch, nothing from outside their scope, and the chart data scoped."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from zuzhi.core.scope import SYSTEM
from zuzhi.dues.services import dues_basis_set
from zuzhi.home import home_charts, todo_items
from zuzhi.members.services import member_transfer
from zuzhi.orglife.services import meeting_record
from zuzhi.orgs.services import org_update
from zuzhi.ratings.models import StarScheme
from zuzhi.ratings.services import award_propose
from zuzhi.recruitment.services import candidate_advance, candidate_apply
from zuzhi.testing.factories import make_member, valid_id_number

TODAY = timezone.localdate()


def counts(user, today=TODAY) -> dict[str, int]:
    return {item.label: item.count for item in todo_items(user=user, today=today)}


@pytest.fixture
def work(county, county_user, town_a_user, town_b_user):
    """One thing of each kind waiting, in known places."""
    # A member of township B sent to 李庄村 (township A): A receives it.
    leaving = make_member(
        county.village_b1, name="转出人", id_number=valid_id_number("19800101", 1)
    )
    member_transfer(
        actor=town_b_user,
        member=leaving,
        to_org=county.village_a1,
        transfer_date=TODAY,
        reason="工作调动",
    )
    # 王庄村 (A) owes dues since the summer.
    owing = make_member(county.village_a2, name="欠费人", id_number=valid_id_number("19800101", 2))
    for year in {TODAY.year, TODAY.year - 1}:
        dues_basis_set(actor=SYSTEM, member=owing, year=year, kind="wage", income_fen=300_001)
    # 张湾村 (B): its term ended; 王庄村 (A): its term ends within 90 days.
    org_update(
        actor=SYSTEM,
        org=county.village_b1,
        data={"term_end": TODAY - datetime.timedelta(days=10)},
    )
    org_update(
        actor=SYSTEM,
        org=county.village_a2,
        data={"term_end": TODAY + datetime.timedelta(days=30)},
    )
    # An activist of 李庄村 (A) for two years: ready to become a development target.
    candidate = candidate_apply(
        actor=SYSTEM,
        organization=county.village_a1,
        applied_on=TODAY - datetime.timedelta(days=800),
        data={
            "name": "赵小青",
            "id_number": valid_id_number("20000101", 222),
            "ethnicity": "01",
            "education": "21",
        },
    )
    candidate_advance(actor=SYSTEM, candidate=candidate, on=TODAY - datetime.timedelta(days=760))
    # Township A proposes a star for 李庄村: the county decides it.
    scheme = StarScheme.objects.get(code="five-star-branch")
    award_propose(
        actor=town_a_user,
        star=scheme.stars.first(),
        period=str(TODAY.year),
        subject=county.village_a1,
        evidence="事实依据",
    )
    return county


def test_each_role_counts_only_its_own_work(
    work, county_user, town_a_user, town_b_user, branch_a1_user
):
    county = counts(county_user)
    assert county["待接收的组织关系转接"] == 1
    assert county["连续 6 个月未交党费的党员"] == 1
    assert county["需要换届的党组织"] == 2
    assert county["培养满一年、可列为发展对象的入党积极分子"] == 1
    assert county["待确认的星级评定申报"] == 1

    town_a = counts(town_a_user)
    assert town_a["待接收的组织关系转接"] == 1
    assert town_a["连续 6 个月未交党费的党员"] == 1
    assert town_a["需要换届的党组织"] == 1
    assert town_a["培养满一年、可列为发展对象的入党积极分子"] == 1
    # A township proposes stars; only the county confirms them.
    assert "待确认的星级评定申报" not in town_a

    town_b = counts(town_b_user)
    assert town_b["需要换届的党组织"] == 1
    for label in (
        "待接收的组织关系转接",  # its transfer is outgoing
        "连续 6 个月未交党费的党员",
        "培养满一年、可列为发展对象的入党积极分子",
        "待确认的星级评定申报",
    ):
        assert label not in town_b

    branch = counts(branch_a1_user)
    assert branch["待接收的组织关系转接"] == 1
    assert branch["培养满一年、可列为发展对象的入党积极分子"] == 1
    assert "连续 6 个月未交党费的党员" not in branch and "需要换届的党组织" not in branch


def test_items_link_to_their_lists_and_the_past_due_come_first(work, county_user):
    items = todo_items(user=county_user, today=TODAY)
    by_label = {i.label: i for i in items}
    assert by_label["待接收的组织关系转接"].url == "/members/transfers/"
    terms = by_label["需要换届的党组织"]
    assert terms.tone == "overdue" and terms.since == TODAY - datetime.timedelta(days=10)
    assert [(p.label, p.count) for p in terms.parts] == [("任期已届满", 1), ("90 天内届满", 1)]
    tones = [i.tone == "overdue" for i in items]
    assert tones == sorted(tones, reverse=True)
    firsts = [i.since for i in items if i.tone == "overdue" and i.since]
    assert firsts == sorted(firsts)


def test_meetings_overdue_by_township_for_the_county_and_by_kind_for_a_branch(
    county, county_user, town_a_user, branch_a1_user
):
    day = datetime.date(2026, 12, 5)
    member = make_member(county.village_a1, name="到会人", id_number=valid_id_number("19800101", 3))
    for kind in ("committee", "theme_day"):
        meeting_record(
            actor=SYSTEM,
            organization=county.village_a1,
            kind=kind,
            date=datetime.date(2026, 11, 3),
            topic="例会",
            attendee_ids=[member.pk],
        )
    nov = "2026 年 11 月组织生活未开展完的支部"
    county_items = {i.label: i for i in todo_items(user=county_user, today=day)}
    assert county_items[nov].count == 3
    assert [(p.label, p.count) for p in county_items[nov].groups] == [
        ("城关镇党委", 1),
        ("城郊乡党委", 1),
        ("县教育局党组织", 1),
    ]
    assert county_items[nov].url.startswith("/orglife/compliance/?frequency=month&day=2026-11-01")
    town = {i.label: i for i in todo_items(user=town_a_user, today=day)}
    assert [(p.label, p.count) for p in town[nov].groups] == [("王庄村党支部", 1)]
    # 李庄村 held November's meetings but not the third quarter's: its secretary sees the kinds,
    # each linked to the form that records it.
    own = {i.label: i for i in todo_items(user=branch_a1_user, today=day)}
    assert not any(label.startswith("2026 年 11 月") for label in own)
    quarter = own["2026 年第 3 季度还有 2 项组织生活未开展"]
    assert [p.label for p in quarter.parts] == ["党员大会", "党课"]
    assert quarter.parts[1].url == f"/orglife/new/?org={county.village_a1.pk}&kind=lecture"
    # The year's meeting is a reminder with its deadline, before the deadline.
    year = own["本年度还有 1 项组织生活未开展"]
    assert (year.tone, year.note) == ("reminder", "截止 12-31")


def test_the_home_page_shows_the_list_and_the_county_charts(work, client_as, county_user):
    body = client_as(county_user).get("/").content.decode()
    assert "待办事项" in body and "待接收的组织关系转接" in body
    assert 'rel="icon" href="/static/zuzhi/favicon.svg"' in body
    assert 'href="/members/transfers/"' in body
    data = json.loads(
        re.search(
            r'<script id="home-chart-data" type="application/json">(.*?)</script>', body, re.S
        )[1]
    )
    assert set(data) == {"age", "education", "gender", "meetings", "attention", "pipeline"}
    assert "<script>" not in body  # no inline script under the CSP
    assert "home-charts.js" in body and "echarts.min.js" in body


def test_branch_and_judge_pages_have_no_charts(county, client_as, branch_a1_user):
    body = client_as(branch_a1_user).get("/").content.decode()
    assert "待办事项" in body and "home-chart-data" not in body and "echarts" not in body


def test_chart_data_stays_inside_the_scope(county, county_user, town_a_user, town_b_user):
    young = {"join_date": datetime.date(2015, 7, 1), "full_date": datetime.date(2016, 7, 1)}
    make_member(county.village_a1, name="甲", id_number=valid_id_number("19900101", 11), **young)
    make_member(county.village_a2, name="乙", id_number=valid_id_number("19600101", 12))
    make_member(county.village_b1, name="丙", id_number=valid_id_number("19700101", 14))
    charts = home_charts(user=town_a_user, today=datetime.date(2026, 12, 5))
    assert sum(n for _, n in charts["age"]) == 2
    assert dict(charts["age"])["36～45 岁"] == 1  # born 1990: 36
    assert dict(charts["age"])["61 岁及以上"] == 1  # born 1960: 66
    assert dict(charts["education"]) == {"大学本科": 2}
    assert dict(charts["gender"]) == {"男": 1, "女": 1}

    # The organizations needing attention, by branch for a township and by township for
    # the county, each split by what is wrong (too few members, no meeting for 60 days).
    def flags(attention):
        return {f["label"]: f["counts"] for f in attention["flags"] if any(f["counts"])}

    assert charts["attention"]["names"] == ["李庄村党支部", "王庄村党支部"]
    assert flags(charts["attention"]) == {
        "正式党员不足 3 人": [1, 1],
        "60 天没有组织生活记录": [1, 1],
    }
    county_charts = home_charts(user=county_user, today=datetime.date(2026, 12, 5))
    assert county_charts["attention"]["names"] == ["城关镇党委", "城郊乡党委", "县教育局党组织"]
    assert flags(county_charts["attention"]) == {
        "正式党员不足 3 人": [2, 1, 1],
        "60 天没有组织生活记录": [2, 1, 1],
    }
    assert sum(n for _, n in county_charts["age"]) == 3
    assert [label for label, _ in county_charts["pipeline"]] == [
        "入党申请人",
        "入党积极分子",
        "发展对象",
        "预备党员",
    ]
    assert home_charts(user=town_b_user)["meetings"]["branches"][-1] == 1


def test_a_branch_secretary_has_a_record_link_for_each_meeting_not_yet_held(
    county, client_as, branch_a1_user, town_a_user
):
    from zuzhi.home import record_shortcuts

    day = datetime.date(2026, 12, 5)
    member = make_member(county.village_a1, name="到会人", id_number=valid_id_number("19800101", 5))
    meeting_record(
        actor=SYSTEM,
        organization=county.village_a1,
        kind="committee",
        date=datetime.date(2026, 12, 2),
        topic="例会",
        attendee_ids=[member.pk],
    )
    shortcuts = record_shortcuts(user=branch_a1_user, today=day)
    assert [p.label for p in shortcuts["pending"]] == [
        "本月主题党日",
        "本季度党员大会",
        "本季度党课",
        "本年度组织生活会",
    ]
    assert shortcuts["pending"][0].url == f"/orglife/new/?org={county.village_a1.pk}&kind=theme_day"
    assert record_shortcuts(user=town_a_user, today=day) is None
    assert "待开展的组织生活" in client_as(branch_a1_user).get("/").content.decode()


def test_township_names_lose_only_the_county_they_share():
    from zuzhi.home import short_names
    from zuzhi.orgs.models import Organization

    orgs = [Organization(name=n) for n in ("中共示范县城关镇党委", "中共示范县城郊乡党委")]
    assert short_names(orgs) == ["城关镇党委", "城郊乡党委"]
    orgs.append(Organization(name="县教育局党组织", short_name="教育局"))
    assert short_names(orgs) == ["中共示范县城关镇党委", "中共示范县城郊乡党委", "教育局"]
    assert short_names(orgs[:1]) == ["中共示范县城关镇党委"]
