from decimal import Decimal as D

import pytest

from zuzhi.contests import services
from zuzhi.contests.models import Contest, StageKind
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

STAGES = [
    {
        "kind": StageKind.INDICATORS,
        "name": "综合指标",
        "weight": D(40),
        "indicators": [
            {"name": "村集体经济收入", "weight": D(60), "method": "minmax", "unit": "万元"},
            {"name": "信访件数", "weight": D(40), "method": "minmax", "direction": "lower"},
        ],
    },
    {
        "kind": StageKind.JUDGES,
        "name": "擂台比武",
        "weight": D(30),
        "aggregation": "trimmed",
        "criteria": [
            {"name": "发展思路", "max_score": D(60)},
            {"name": "现场表现", "max_score": D(40)},
        ],
    },
    {"kind": StageKind.PUBLIC_VOTE, "name": "群众投票", "weight": D(30), "rank_points": 3},
]


@pytest.fixture
def judges(county):
    return [user_with_role(Role.JUDGE, county.county, username=f"judge{i}") for i in range(1, 6)]


@pytest.fixture
def contest(county, county_user) -> Contest:
    return services.contest_create(
        actor=county_user,
        organization=county.county,
        data={
            "name": "村级十强",
            "track": "village",
            "period_label": "2026年",
            "top_n": 2,
            "red_list_size": 1,
            "black_list_size": 1,
            "tiers": [{"name": "优秀", "min": "80"}, {"name": "一般", "min": "0"}],
        },
        stages=STAGES,
    )


@pytest.fixture
def running(contest, county_user, judges) -> Contest:
    """The village contest with the three villages entered, five judges seated, started."""
    services.entrants_add_eligible(actor=county_user, contest=contest)
    stage = contest.stages.get(kind=StageKind.JUDGES)
    for judge in judges:
        services.judge_seat(actor=county_user, stage=stage, judge=judge)
    return services.contest_start(actor=county_user, contest=contest)


def stage_of(contest, kind):
    return contest.stages.get(kind=kind)
