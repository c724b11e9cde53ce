"""What contests put on the home page's to-do list: data to fill, scores to give, open
supervision cases, each for the user's own entrants only."""

import datetime
from decimal import Decimal as D

from zuzhi.contests import selectors, services
from zuzhi.contests.models import StageKind
from zuzhi.contests.selectors.todo import (
    indicator_values_missing,
    judge_scores_due,
    supervision_open,
)

from .conftest import stage_of
from .test_services import entrants_by_org, fill_indicators, judge_all


def missing(user):
    return [(c.name, n) for c, n in indicator_values_missing(user=user)]


def test_data_to_fill_counts_the_users_own_entrants_values(
    running, county, county_user, town_a_user, town_b_user, branch_a1_user
):
    # Two leaf indicators, three villages entered, nothing filled yet.
    assert missing(county_user) == [("村级十强", 6)]
    assert missing(town_a_user) == [("村级十强", 4)]
    assert missing(town_b_user) == [("村级十强", 2)]
    assert missing(branch_a1_user) == [("村级十强", 2)]
    a1, _, _ = entrants_by_org(running, county)
    income, _ = selectors.leaf_indicators(stage_of(running, StageKind.INDICATORS))
    services.indicator_value_set(actor=branch_a1_user, entrant=a1, indicator=income, value=3)
    assert missing(county_user) == [("村级十强", 5)]
    assert missing(town_b_user) == [("村级十强", 2)]
    assert missing(branch_a1_user) == [("村级十强", 1)]
    fill_indicators(running, county, county_user)
    assert missing(county_user) == missing(town_a_user) == []


def test_a_draft_contest_asks_for_no_data(contest, county_user):
    services.entrants_add_eligible(actor=county_user, contest=contest)
    assert missing(county_user) == []


def test_scores_to_give_are_the_judges_own(running, county, county_user, judges):
    stage = stage_of(running, StageKind.JUDGES)
    assert [(s, n) for s, n in judge_scores_due(user=judges[0])] == [(stage, 3)]
    assert judge_scores_due(user=county_user) == []
    a1, _, _ = entrants_by_org(running, county)
    first, second = stage.criteria.all()
    services.appearance_open(actor=county_user, stage=stage, entrant=a1)
    services.sheet_submit(
        judge=judges[0], stage=stage, entrant=a1, marks={first.pk: D(50), second.pk: D(30)}
    )
    assert judge_scores_due(user=judges[0]) == [(stage, 2)]
    assert judge_scores_due(user=judges[1]) == [(stage, 3)]
    for judge in judges[1:]:
        services.sheet_submit(
            judge=judge, stage=stage, entrant=a1, marks={first.pk: D(40), second.pk: D(30)}
        )
    services.appearance_close(actor=county_user, appearance=selectors.current_appearance(stage))
    assert [n for judge in judges for _, n in judge_scores_due(user=judge)] == [2] * 5


def test_open_supervision_cases_are_seen_where_the_entrant_is(
    running, county, county_user, town_a_user, town_b_user, judges
):
    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    services.result_publish(
        actor=county_user, version=services.result_compute(actor=county_user, contest=running)
    )
    case = running.cases.get()  # 张湾村 of township B
    for user in (county_user, town_b_user):
        (row,) = supervision_open(user=user)
        assert (row["contest"], row["count"], row["oldest"]) == (running, 1, case.deadline)
        assert row["overdue"] == 0
    assert supervision_open(user=town_a_user) == []
    late = case.deadline + datetime.timedelta(days=1)
    assert supervision_open(user=county_user, today=late)[0]["overdue"] == 1
