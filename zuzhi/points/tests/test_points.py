import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.appraisal.services import (
    appraisal_close,
    appraisal_decide,
    appraisal_open,
    appraisal_publish,
)
from zuzhi.orglife.services import meeting_record
from zuzhi.points.models import PointRule
from zuzhi.points.selectors import branch_points, member_points
from zuzhi.points.services import point_entry_add, point_rule_update
from zuzhi.testing.factories import make_member, valid_id_number

D = datetime.date


@pytest.fixture
def people(county):
    return [
        make_member(county.village_a1, name=name, id_number=valid_id_number("19800101", i))
        for i, name in enumerate(["安", "白", "陈"])
    ]


def rule(name):
    return PointRule.objects.get(name=name)


def totals(user, year=2026):
    return {r.member.name: r.total for r in member_points(user=user, year=year)}


def test_points_are_derived_from_meetings_and_manual_entries(county, town_a_user, people):
    an, bai, chen = people
    for day in (D(2026, 3, 5), D(2026, 4, 5)):
        meeting_record(
            actor=town_a_user,
            organization=county.village_a1,
            kind="committee",
            date=day,
            topic="例会",
            attendee_ids=[an.pk, bai.pk],
            absences={chen.pk: "无故缺席"},
        )
    point_entry_add(
        actor=town_a_user,
        member=bai,
        rule=rule("志愿服务"),
        day=D(2026, 5, 1),
        reason="参加防汛志愿服务",
    )
    assert totals(town_a_user) == {"安": 62, "白": 64, "陈": 56}
    assert totals(town_a_user, year=2025) == {"安": 60, "白": 60, "陈": 60}


def test_manual_entries_need_a_reason_sign_and_respect_caps(
    county, town_a_user, town_b_user, people
):
    an = people[0]
    with pytest.raises(ValidationError, match="原因"):
        point_entry_add(
            actor=town_a_user, member=an, rule=rule("志愿服务"), day=D(2026, 5, 1), reason=" "
        )
    with pytest.raises(ValidationError, match="自动计算"):
        point_entry_add(
            actor=town_a_user,
            member=an,
            rule=rule("参加组织生活"),
            day=D(2026, 5, 1),
            reason="补记",
        )
    with pytest.raises(ValidationError, match="负数"):
        point_entry_add(
            actor=town_a_user,
            member=an,
            rule=rule("违反纪律受到批评"),
            day=D(2026, 5, 1),
            reason="x",
            points=5,
        )
    for month in range(1, 11):
        point_entry_add(
            actor=town_a_user,
            member=an,
            rule=rule("志愿服务"),
            day=D(2026, month, 1),
            reason="志愿服务",
        )
    with pytest.raises(ValidationError, match="每年最多 20 分"):
        point_entry_add(
            actor=town_a_user,
            member=an,
            rule=rule("志愿服务"),
            day=D(2026, 11, 1),
            reason="志愿服务",
        )
    with pytest.raises(Http404):
        point_entry_add(
            actor=town_b_user, member=an, rule=rule("受到表彰"), day=D(2026, 5, 1), reason="越权"
        )


def test_unqualified_appraisal_vetoes_the_year(county, town_a_user, people):
    an, bai, chen = people
    round_, _ = appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)
    appraisal_close(actor=town_a_user, round_=round_)
    grades = {
        s.pk: {"安": "excellent", "白": "qualified", "陈": "unqualified"}[s.member.name]
        for s in round_.subjects.select_related("member")
    }
    appraisal_decide(actor=town_a_user, round_=round_, grades=grades)
    assert totals(town_a_user) == {"安": 60, "白": 60, "陈": 60}  # only published results count
    appraisal_publish(actor=town_a_user, round_=round_)
    assert totals(town_a_user) == {"安": 70, "白": 60, "陈": 0}
    summary = branch_points(user=town_a_user, year=2026)
    assert [(b.organization.code, b.members, b.vetoed) for b in summary] == [("VA1", 3, 1)]


def test_individual_ranking_is_off_by_default(county, town_a_user, people, settings):
    an, bai, chen = people
    point_entry_add(
        actor=town_a_user, member=chen, rule=rule("受到表彰"), day=D(2026, 5, 1), reason="县级表彰"
    )
    assert [r.member.name for r in member_points(user=town_a_user, year=2026)] == ["安", "白", "陈"]
    settings.ZUZHI_POINTS_INDIVIDUAL_RANKING = True
    assert member_points(user=town_a_user, year=2026)[0].member.name == "陈"


def test_only_the_county_changes_rules(county, town_a_user, county_user):
    with pytest.raises(Http404):
        point_rule_update(actor=town_a_user, rule=rule("基础分"), data={"points": 80})
    point_rule_update(actor=county_user, rule=rule("基础分"), data={"points": 80})
    assert rule("基础分").points == 80
