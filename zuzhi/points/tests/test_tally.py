"""The kept yearly points (年度积分) follow every service that changes what they are computed
from: each check compares the branch summary with the members' points computed afresh."""

import datetime

import pytest

from zuzhi.appraisal.services import (
    appraisal_close,
    appraisal_decide,
    appraisal_open,
    appraisal_publish,
)
from zuzhi.orglife.models import Meeting
from zuzhi.orglife.services import meeting_delete, meeting_record, meeting_update
from zuzhi.points.models import MemberYearPoints, PointRule
from zuzhi.points.selectors import branch_points, member_points
from zuzhi.points.services import point_entry_add, point_rule_update
from zuzhi.testing.factories import make_member, valid_id_number

D = datetime.date


@pytest.fixture
def people(county):
    return [
        make_member(county.village_a1, name=name, id_number=valid_id_number("19800101", i))
        for i, name in enumerate(["安", "白", "陈", "丁"])
    ]


def assert_kept_matches(user, year):
    """The summary (kept rows) against each member's points computed afresh."""
    fresh = list(member_points(user=user, year=year))
    (branch,) = branch_points(user=user, year=year)
    assert branch.members == len(fresh)
    assert branch.average == round(sum(r.total for r in fresh) / len(fresh), 1)
    assert branch.vetoed == sum(1 for r in fresh if r.vetoed_by)
    kept = dict(MemberYearPoints.objects.filter(year=year).values_list("member_id", "total"))
    for row in fresh:
        assert kept.get(row.member.pk, 60) == row.total, row.member.name


def record(user, org, day, present, absent=()):
    return meeting_record(
        actor=user,
        organization=org,
        kind="committee",
        date=day,
        topic="例会",
        attendee_ids=[m.pk for m in present],
        absences={m.pk: "请假" for m in absent},
    )


def test_meetings_recorded_changed_and_deleted(county, town_a_user, people):
    an, bai, chen, ding = people
    first = record(town_a_user, county.village_a1, D(2026, 3, 5), [an, bai], [chen])
    record(town_a_user, county.village_a1, D(2026, 4, 5), [an], [bai, chen])
    assert_kept_matches(town_a_user, 2026)
    assert MemberYearPoints.objects.get(member=an, year=2026).total == 62
    # Ding was at no meeting: no kept row, the yearly base points.
    assert not MemberYearPoints.objects.filter(member=ding).exists()
    # Moved into last year, with who was there corrected: both years follow.
    meeting_update(
        actor=town_a_user,
        meeting=first,
        kind="committee",
        date=D(2025, 12, 5),
        topic="例会",
        attendee_ids=[chen.pk],
        absences={an.pk: "出差"},
        reason="日期录错",
    )
    assert_kept_matches(town_a_user, 2026)
    assert_kept_matches(town_a_user, 2025)
    assert MemberYearPoints.objects.get(member=chen, year=2025).total == 61
    meeting_delete(actor=town_a_user, meeting=Meeting.objects.get(pk=first.pk), reason="重复录入")
    assert_kept_matches(town_a_user, 2025)
    assert MemberYearPoints.objects.get(member=chen, year=2025).total == 60


def test_entries_and_published_appraisals(county, town_a_user, people):
    an, bai, chen, ding = people
    point_entry_add(
        actor=town_a_user,
        member=bai,
        rule=PointRule.objects.get(name="志愿服务"),
        day=D(2026, 5, 1),
        reason="防汛志愿服务",
    )
    assert_kept_matches(town_a_user, 2026)
    round_, _ = appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)
    appraisal_close(actor=town_a_user, round_=round_)
    grades = {
        s.pk: "unqualified" if s.member_id == chen.pk else "qualified"
        for s in round_.subjects.all()
    }
    appraisal_decide(actor=town_a_user, round_=round_, grades=grades)
    appraisal_publish(actor=town_a_user, round_=round_)
    assert_kept_matches(town_a_user, 2026)
    assert MemberYearPoints.objects.get(member=chen, year=2026).vetoed


def test_a_rule_change_recomputes_every_kept_year(
    county, town_a_user, county_user, people, django_capture_on_commit_callbacks
):
    an, bai, chen, ding = people
    record(town_a_user, county.village_a1, D(2026, 3, 5), [an, bai], [chen])
    record(town_a_user, county.village_a1, D(2025, 3, 5), [an], [])
    # The recomputation runs in the worker once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        point_rule_update(
            actor=county_user, rule=PointRule.objects.get(name="参加组织生活"), data={"points": 3}
        )
    with django_capture_on_commit_callbacks(execute=True):
        point_rule_update(
            actor=county_user, rule=PointRule.objects.get(name="基础分"), data={"points": 70}
        )
    for year in (2025, 2026):
        assert_kept_matches(town_a_user, year)
    assert MemberYearPoints.objects.get(member=an, year=2026).total == 73
    assert MemberYearPoints.objects.get(member=ding, year=2025).total == 70
