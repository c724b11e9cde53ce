"""Logs with filters, compliance this period, summaries, and the trigger's problem counts."""

import datetime

import pytest

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import user_with_role
from zuzhi.three_ones.models import Aspect
from zuzhi.three_ones.selectors import (
    compliance,
    contact_list,
    months_before,
    period_start,
    problem_counts,
    problem_summary,
    team_problem_table,
)
from zuzhi.three_ones.services import ProblemInput, contact_log

from .conftest import DAY


def log(world, actor, *, team=None, kind="weekly_talk", day=DAY, cadres=None, problems=()):
    return contact_log(
        actor=actor,
        team=team or world.team_a,
        kind=kind,
        date=day,
        cadres=[world.deputy_a1] if cadres is None else cadres,
        summary="了解情况",
        problems=problems,
    )


def test_filters_of_the_log(world):
    talk = log(world, world.leader_a)
    visit = log(world, world.cadre_staff, kind="monthly_visit", day=DAY - datetime.timedelta(10))
    other = log(world, world.cadre_staff, team=world.team_b, cadres=[world.deputy_b])
    staff = world.cadre_staff
    assert list(contact_list(user=staff, kind="weekly_talk")) == [other, talk]
    assert list(contact_list(user=staff, since=DAY, until=DAY)) == [other, talk]
    assert list(contact_list(user=staff, team=world.team_b)) == [other]
    assert list(contact_list(user=staff, cadre_id=world.deputy_a1.pk)) == [talk, visit]
    assert list(contact_list(user=staff, recorded_by_id=world.leader_a.pk)) == [talk]
    assert list(contact_list(user=world.leader_a)) == [talk, visit]


@pytest.mark.parametrize(
    ("kind", "day", "start"),
    [
        ("weekly_talk", datetime.date(2026, 3, 8), datetime.date(2026, 3, 2)),  # Sunday
        ("weekly_talk", datetime.date(2026, 3, 2), datetime.date(2026, 3, 2)),  # Monday
        ("monthly_visit", datetime.date(2026, 3, 31), datetime.date(2026, 3, 1)),
        ("quarterly_study", datetime.date(2026, 6, 30), datetime.date(2026, 4, 1)),
        ("quarterly_study", datetime.date(2026, 1, 1), datetime.date(2026, 1, 1)),
    ],
)
def test_periods(kind, day, start):
    assert period_start(kind, day) == start


def test_compliance_per_leader_this_period(world):
    today = datetime.date(2026, 3, 4)  # a Wednesday
    log(world, world.leader_a, day=datetime.date(2026, 3, 2))  # this week
    log(world, world.leader_a, kind="monthly_visit", day=datetime.date(2026, 2, 27))  # last month
    # The cadre section's study does not count for the leader.
    log(world, world.cadre_staff, kind="quarterly_study", day=datetime.date(2026, 3, 3))
    rows = {r.leader: r for r in compliance(user=world.cadre_staff, today=today)}
    assert rows["甲书记"].done == {
        "weekly_talk": True,
        "monthly_visit": False,
        "quarterly_study": False,
    }
    assert rows["乙书记"].missing == ["每周谈", "每月一访", "每季度一研"]
    mine = compliance(user=world.leader_a, today=today, missing_only=True)
    assert [r.leader for r in mine] == ["甲书记"]


def _problems(world, *names):
    return [ProblemInput(world.deputy_a1, world.type(n), "表现") for n in names]


def test_summaries_by_aspect_and_type_per_team_and_county(world):
    log(
        world,
        world.cadre_staff,
        problems=_problems(world, "专业素养不足", "专业素养不足", "政绩观偏差"),
    )
    log(
        world,
        world.cadre_staff,
        team=world.team_b,
        cadres=[world.deputy_b],
        problems=[ProblemInput(world.deputy_b, world.type("工作作风不实"), "不下村")],
    )
    county_wide = problem_summary(user=world.cadre_staff)
    assert county_wide.total == 4
    assert county_wide.by_aspect == [("观念", 1), ("能力", 2), ("作风", 1)]
    assert ("能力", "专业素养不足", 2) in county_wide.by_type and len(county_wide.by_type) == 12
    assert county_wide.by_type[0][0] == "观念" and county_wide.by_type[-1][0] == "作风"
    team_a = problem_summary(user=world.cadre_staff, team=world.team_a)
    assert team_a.by_aspect == [("观念", 1), ("能力", 2), ("作风", 0)]
    assert problem_summary(user=world.cadre_staff, since=DAY + datetime.timedelta(1)).total == 0
    table = {t.name: c for t, c in team_problem_table(user=world.cadre_staff)}
    assert table[world.team_a.name] == {"mindset": 1, "ability": 2, "conduct": 0, "total": 3}
    assert table[world.team_b.name]["total"] == 1
    # A leader's summary is their own team's.
    assert problem_summary(user=world.leader_b).total == 1


def test_problem_counts_window_includes_the_day_twelve_months_before(world):
    """The 12-month window of the person-post trigger starts on the same day a year earlier,
    inclusive: a problem found exactly 12 months ago counts, one found the day before not."""
    today = datetime.date(2026, 3, 2)
    since = months_before(today, 12)
    assert since == datetime.date(2025, 3, 2)
    log(world, SYSTEM, day=since, problems=_problems(world, "专业素养不足"))
    log(
        world,
        SYSTEM,
        day=since - datetime.timedelta(1),
        problems=_problems(world, "破解难题能力不足"),
    )
    log(world, SYSTEM, day=today, problems=_problems(world, "工作作风不实"))
    cadre = world.deputy_a1
    assert problem_counts(cadre=cadre, aspect=Aspect.ABILITY, since=since) == {cadre.pk: 1}
    assert problem_counts(cadre=cadre, since=since) == {cadre.pk: 2}
    assert problem_counts(aspect=Aspect.MINDSET, since=since) == {}
    assert problem_counts(since=since, until=since) == {cadre.pk: 1}


def test_months_before_a_shorter_month():
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2024, 2, 29), 12) == datetime.date(2023, 2, 28)


def test_a_township_cadre_officer_sees_their_township_only(world, county):
    log(world, SYSTEM, problems=_problems(world, "专业素养不足"))
    officer = user_with_role(Role.CADRE_STAFF, county.town_b, username="ganbu_b")
    assert problem_summary(user=officer).total == 0
    assert [t for t, _ in team_problem_table(user=officer)] == [world.team_b]
