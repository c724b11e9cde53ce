"""Equal totals in a one-stage indicator contest (季度综合指数) are separated by the top-level
indicators' scores, heaviest first (issue #11 §6), and the note names the one that decided."""

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zuzhi.contests import scoring, selectors, services
from zuzhi.contests.models import (
    Adjustment,
    AdjustmentKind,
    DecisionStatus,
    IndicatorValue,
    StageKind,
)
from zuzhi.testing.factories import OrganizationFactory

# Configured order 基层治理, 经济发展, 党建引领: the tie-break order is 经济发展 (the heaviest),
# then 基层治理 before 党建引领 (equal weights keep their configured order).
TREE = [
    {"name": "基层治理", "weight": D(25), "method": "raw"},
    {"name": "经济发展", "weight": D(50), "method": "raw"},
    {
        "name": "党建引领",
        "weight": D(25),
        "children": [
            {"name": "组织建设", "weight": D(50), "method": "raw"},
            {"name": "队伍建设", "weight": D(50), "method": "raw"},
        ],
    },
]


def indicator_contest(county, actor, tree, values_by_leaf, *, stages=()):
    """A contest whose first stage has the indicator `tree`, one entrant per column position
    of `values_by_leaf` (leaf name → values), the values entered; returns (contest, entrants)."""
    contest = services.contest_create(
        actor=actor,
        organization=county.county,
        data={"name": "季度综合指数", "track": "village", "period_label": "2026年一季度"},
        stages=[
            {
                "kind": "indicators",
                "name": "综合指数",
                "weight": D(100) - sum((s["weight"] for s in stages), D(0)),
                "indicators": tree,
            },
            *stages,
        ],
    )
    size = len(next(iter(values_by_leaf.values())))
    villages = [county.village_a1, county.village_a2, county.village_b1] + [
        OrganizationFactory(parent=county.town_a, code=f"VT{i}", name=f"并列村{i}党支部")
        for i in range(max(0, size - 3))
    ]
    entrants = [
        services.entrant_add(actor=actor, contest=contest, organization=v) for v in villages[:size]
    ]
    stage = contest.stages.get(kind=StageKind.INDICATORS)
    leaves = {leaf.name: leaf for leaf in selectors.leaf_indicators(stage)}
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=leaves[name], entrant=e, scaled=int(D(v).scaleb(4)))
        for name, column in values_by_leaf.items()
        for e, v in zip(entrants, column, strict=True)
    )
    return contest, entrants


def test_equal_totals_are_separated_by_the_heaviest_top_level_indicator_first(county, county_user):
    #        entrant:  0    1    2    3    4    5
    values = {
        "经济发展": ["80", "70", "60", "60", "50", "50"],
        "基层治理": ["60", "80", "70", "50", "50", "50"],
        "组织建设": ["60", "60", "50", "70", "40", "60"],
        "队伍建设": ["60", "60", "50", "70", "60", "40"],
    }
    contest, entrants = indicator_contest(county, county_user, TREE, values)
    standings = selectors.contest_standings(contest=contest)
    assert standings.problems == []
    rows = {r["entrant_id"]: r for r in standings.rows}
    by = {i: rows[e.pk] for i, e in enumerate(entrants)}
    # 0 and 1 total 70.00; 0 is ahead on 经济发展 (80 against 70), though behind on 基层治理.
    assert by[0]["final"] == by[1]["final"] == D("70.00")
    assert (by[0]["rank"], by[1]["rank"]) == (1, 2)
    assert by[0]["note"] == "总分 70.00 与其他参评对象相同，按“经济发展”得分排定第 1 名。"
    assert by[1]["note"] == "总分 70.00 与其他参评对象相同，按“经济发展”得分排定第 2 名。"
    # 2 and 3 total 60.00 and are equal on 经济发展: 基层治理 decides (70 against 50), not
    # 党建引领, which 3 leads (70 against 50) but is configured after it at the same weight.
    assert by[2]["final"] == by[3]["final"] == D("60.00")
    assert (by[2]["rank"], by[3]["rank"]) == (3, 4)
    assert "按“基层治理”得分排定第 3 名" in by[2]["note"]
    assert "按“基层治理”得分排定第 4 名" in by[3]["note"]
    # 4 and 5 differ only below the top level (组织建设 40/60 against 60/40): a shared place.
    assert by[4]["final"] == by[5]["final"] == D("50.00")
    assert by[4]["rank"] == by[5]["rank"] == 5
    assert by[4]["note"] == "总分 50.00 相同，比较各项得分后仍相同，并列第 5 名。"


def test_with_a_bonus_the_stage_score_comes_before_the_indicators(county, county_user):
    """One indicator stage and a bonus item: equal finals are compared on the stage score,
    then on the top-level indicators."""
    values = {
        "经济发展": ["80", "70", "60"],
        "基层治理": ["60", "80", "60"],
        "组织建设": ["60", "60", "60"],
        "队伍建设": ["60", "60", "60"],
    }
    contest, entrants = indicator_contest(county, county_user, TREE, values)
    # Totals 70, 70, 60; a bonus of 10 brings the third to 70 with the lowest stage score.
    Adjustment.objects.create(
        contest=contest,
        entrant=entrants[2],
        kind=AdjustmentKind.BONUS,
        amount=D(10),
        reason="获评省级先进",
        status=DecisionStatus.APPROVED,
    )
    rows = {r["entrant_id"]: r for r in selectors.contest_standings(contest=contest).rows}
    first, second, third = (rows[e.pk] for e in entrants)
    assert first["final"] == second["final"] == third["final"] == D("70.00")
    assert [first["rank"], second["rank"], third["rank"]] == [1, 2, 3]
    assert "按“经济发展”得分排定第 1 名" in first["note"]
    assert "按“综合指数”得分排定第 3 名" in third["note"]


def test_a_one_stage_contest_of_another_kind_keeps_equal_totals_shared(county, county_user):
    """Only indicator stages have top-level items to compare (issue #11 §6): a contest of
    one other stage shares the place."""
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "述职", "track": "village", "period_label": "2026"},
        stages=[{"kind": "public_report", "name": "汇报", "weight": D(100)}],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    services.contest_start(actor=county_user, contest=contest)
    stage = contest.stages.get()
    for entrant in contest.entrants.all():
        services.direct_score_set(actor=county_user, entrant=entrant, stage=stage, score="88")
    rows = selectors.contest_standings(contest=contest).rows
    assert {r["rank"] for r in rows} == {1}
    assert all("并列第 1 名" in r["note"] for r in rows)


def test_readable_tie_break_order_and_scores():
    names, scores = scoring.indicator_tiebreak(
        TREE,
        {
            "经济发展": {"a": D("80.004")},
            "基层治理": {"a": D(60)},
            "组织建设": {"a": D("70.01")},
            "队伍建设": {"a": D("70.00")},
        },
    )
    assert names == ["经济发展", "基层治理", "党建引领"]
    # A leaf's score is kept to 2 decimals; a parent's, the weighted sum rounded once:
    # 0.5 × 70.01 + 0.5 × 70.00 = 70.005 → 70.01.
    assert scores == {"a": (D("80.00"), D("60.00"), D("70.01"))}


leaf_specs = st.one_of(
    st.fixed_dictionaries({"method": st.just("raw")}),
    st.fixed_dictionaries(
        {"method": st.just("minmax"), "direction": st.sampled_from(["higher", "lower"])}
    ),
    st.fixed_dictionaries(
        {"method": st.just("rank"), "direction": st.sampled_from(["higher", "lower"])}
    ),
)
column = st.lists(
    st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
    min_size=5,
    max_size=5,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(leaf_specs, leaf_specs, leaf_specs, st.lists(column, min_size=3, max_size=3))
def test_database_top_level_scores_equal_the_readable_rule(
    county, county_user, first, second, third, columns
):
    """Three levels with uneven weights: the top-level scores the database computes for the
    tie-break equal `scoring.indicator_tiebreak` exactly, in the same order."""
    from django.db import transaction

    tree = [
        {"name": "甲", "weight": D("33.33"), **first},
        {
            "name": "乙",
            "weight": D("66.67"),
            "children": [
                {"name": "乙一", "weight": D("12.5"), **second},
                {
                    "name": "乙二",
                    "weight": D("87.5"),
                    "children": [{"name": "乙二一", "weight": D(100), **third}],
                },
            ],
        },
    ]
    values = dict(zip(["甲", "乙一", "乙二一"], columns, strict=True))
    with transaction.atomic():
        contest, entrants = indicator_contest(
            county, county_user, tree, {k: [str(v) for v in c] for k, c in values.items()}
        )
        stage = contest.stages.get()
        got = selectors.indicator_stage_scores(stage, {e.pk: e.name for e in entrants})
        names, rule = scoring.indicator_tiebreak(
            tree, {k: dict(enumerate(c)) for k, c in values.items()}
        )
        assert got.top_names == names == ["乙", "甲"]
        assert [got.top_scores[e.pk] for e in entrants] == [
            tuple(int(s.scaleb(2)) for s in rule[i]) for i in range(len(entrants))
        ]
        transaction.set_rollback(True)


def test_a_leaf_with_equal_values_everywhere_scores_without_overflow(county, county_user):
    """Equal values make a min–max leaf a constant; under two levels of weights its scaled
    score passed 32 bits, which PostgreSQL refused ("integer out of range")."""
    tree = [
        {"name": "甲", "weight": D("33.33"), "method": "raw"},
        {
            "name": "乙",
            "weight": D("66.67"),
            "children": [
                {"name": "乙一", "weight": D("12.5"), "method": "raw"},
                {
                    "name": "乙二",
                    "weight": D("87.5"),
                    "children": [{"name": "乙二一", "weight": D(100), "method": "minmax"}],
                },
            ],
        },
    ]
    values = {name: ["0"] * 5 for name in ["甲", "乙一", "乙二一"]}
    contest, entrants = indicator_contest(county, county_user, tree, values)
    got = selectors.indicator_stage_scores(contest.stages.get(), {e.pk: e.name for e in entrants})
    names, rule = scoring.indicator_tiebreak(
        tree, {k: dict(enumerate(D(v) for v in c)) for k, c in values.items()}
    )
    assert not got.problems and got.top_names == names
    assert [got.top_scores[e.pk] for e in entrants] == [
        tuple(int(s.scaleb(2)) for s in rule[i]) for i in range(len(entrants))
    ]
