"""Indicator scores as the database computes them, against hand-worked cases and against the
readable rule in `contests.scoring` (DOMAIN.md §2 in plain Decimals), which the SQL twins."""

from decimal import Decimal
from decimal import Decimal as D

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zuzhi.contests import scoring, selectors, services
from zuzhi.contests.models import Contest, IndicatorValue, StageKind
from zuzhi.orgs.models import Organization

from .conftest import stage_of

HUNDRED = Decimal(100)


def stage_scores(county, actor, indicators, values_by_leaf):
    """Set up a one-stage contest with `indicators` and the given leaf values (by leaf name,
    in entrant order), and return the stage scores by entrant position."""
    contest = services.contest_create(
        actor=actor,
        organization=county.county,
        data={"name": "指标", "track": "village", "period_label": "2026"},
        stages=[
            {"kind": "indicators", "name": "指标", "weight": Decimal(100), "indicators": indicators}
        ],
    )
    villages = list(
        Organization.objects.filter(unit_category="village").order_by("path")[
            : len(next(iter(values_by_leaf.values())))
        ]
    )
    entrants = [
        services.entrant_add(actor=actor, contest=contest, organization=v) for v in villages
    ]
    stage = contest.stages.get(kind=StageKind.INDICATORS)
    leaves = {leaf.name: leaf for leaf in selectors.leaf_indicators(stage)}
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=leaves[name], entrant=e, scaled=int(Decimal(v).scaleb(4)))
        for name, column in values_by_leaf.items()
        for e, v in zip(entrants, column, strict=True)
    )
    result = selectors.indicator_stage_scores(stage, {e.pk: e.name for e in entrants})
    assert result.problems == []
    return [result.scores[e.pk] for e in entrants]


def test_minmax_both_directions(county, county_user):
    one = [{"name": "收入", "weight": Decimal(100), "method": "minmax"}]
    assert stage_scores(county, county_user, one, {"收入": ["10", "20", "30"]}) == [
        Decimal("0.00"),
        Decimal("50.00"),
        Decimal("100.00"),
    ]
    down = [{"name": "信访", "weight": Decimal(100), "method": "minmax", "direction": "lower"}]
    assert stage_scores(county, county_user, down, {"信访": ["10", "20", "30"]}) == [
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("0.00"),
    ]


def test_rank_target_cap_and_half_up(county, county_user):
    rank = [{"name": "名次", "weight": Decimal(100), "method": "rank"}]
    assert stage_scores(county, county_user, rank, {"名次": ["10", "30", "30"]}) == [
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("100.00"),
    ]
    target = [
        {"name": "财政", "weight": Decimal(100), "method": "target", "target": "20", "cap": "120"}
    ]
    assert stage_scores(county, county_user, target, {"财政": ["10", "30", "24.6925"]}) == [
        Decimal("50.00"),
        Decimal("120.00"),
        Decimal("120.00"),
    ]
    # 1/8 of the way: 12.5 exactly; 0.125 of 100 → 12.50; and 86.125 → 86.13 (half up)
    raw = [{"name": "党建", "weight": Decimal(100), "method": "raw"}]
    assert stage_scores(county, county_user, raw, {"党建": ["86.125", "86.1249", "-3.335"]}) == [
        Decimal("86.13"),
        Decimal("86.12"),
        Decimal("-3.34"),
    ]


def test_weighted_tree(county, county_user):
    tree = [
        {
            "name": "综合",
            "weight": Decimal(60),
            "children": [
                {"name": "甲", "weight": Decimal("33.33"), "method": "raw"},
                {"name": "乙", "weight": Decimal("66.67"), "method": "raw"},
            ],
        },
        {"name": "专项", "weight": Decimal(40), "method": "raw"},
    ]
    values = {"甲": ["90"], "乙": ["80"], "专项": ["70"]}
    scores = stage_scores(county, county_user, tree, values)
    # 0.6 × (0.3333 × 90 + 0.6667 × 80) + 0.4 × 70 = 0.6 × 83.333 + 28 = 77.9998 → 78.00
    assert scores == [Decimal("78.00")]
    rule = scoring.indicator_stage_scores(
        tree, {name: {0: Decimal(column[0])} for name, column in values.items()}
    )
    assert rule == {0: Decimal("78.00")}


values = st.decimals(
    min_value=-1000, max_value=100000, places=4, allow_nan=False, allow_infinity=False
)
specs = st.one_of(
    st.fixed_dictionaries({"method": st.just("raw")}, optional={"cap": st.just("100")}),
    st.fixed_dictionaries(
        {"method": st.just("minmax"), "direction": st.sampled_from(["higher", "lower"])}
    ),
    st.fixed_dictionaries(
        {"method": st.just("rank"), "direction": st.sampled_from(["higher", "lower"])}
    ),
    st.fixed_dictionaries(
        {
            "method": st.just("target"),
            "direction": st.sampled_from(["higher", "lower"]),
            "target": st.decimals(min_value="0.5", max_value=10000, places=2),
        },
        optional={"cap": st.sampled_from(["100", "120", "150.5"])},
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(values, min_size=1, max_size=7), specs, specs)
def test_database_scores_equal_the_readable_rule(county, county_user, column, first, second):
    """Two leaves weighted 37.5 / 62.5 over up to seven villages: the database's stage scores
    equal the readable rule (`scoring.indicator_stage_scores`) exactly."""
    from zuzhi.testing.factories import OrganizationFactory

    with transaction.atomic():
        for i in range(len(column) - 3):
            OrganizationFactory(parent=county.town_a, code=f"H{i}", name=f"假设村{i}党支部")
        other = list(reversed(column))
        got = stage_scores(
            county,
            county_user,
            [
                {"name": "一", "weight": Decimal("37.5"), **first},
                {"name": "二", "weight": Decimal("62.5"), **second},
            ],
            {"一": [str(v) for v in column], "二": [str(v) for v in other]},
        )
        rule = scoring.indicator_stage_scores(
            [
                {"name": "一", "weight": Decimal("37.5"), **first},
                {"name": "二", "weight": Decimal("62.5"), **second},
            ],
            {"一": dict(enumerate(column)), "二": dict(enumerate(other))},
        )
        assert got == [rule[i] for i in range(len(column))]
        transaction.set_rollback(True)
    assert not Contest.objects.filter(name="指标").exists()


def test_values_too_large_for_exact_scoring_are_refused_not_overflowed(county, county_user):
    deep = [
        {
            "name": "一级",
            "weight": Decimal(100),
            "children": [
                {
                    "name": "二级",
                    "weight": Decimal(100),
                    "children": [{"name": "三级", "weight": Decimal(100), "method": "raw"}],
                }
            ],
        }
    ]
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "大数", "track": "village", "period_label": "2026"},
        stages=[{"kind": "indicators", "name": "指标", "weight": Decimal(100), "indicators": deep}],
    )
    entrant = services.entrant_add(
        actor=county_user, contest=contest, organization=county.village_a1
    )
    stage = contest.stages.get()
    leaf = selectors.leaf_indicators(stage)[0]
    services.indicator_value_set(
        actor=county_user, entrant=entrant, indicator=leaf, value="999999999"
    )
    result = selectors.indicator_stage_scores(stage, {entrant.pk: entrant.name})
    assert result.problems and "封顶分" in result.problems[0]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=100, places=2),
            st.decimals(min_value=0, max_value=100, places=2),
        ),
        min_size=3,
        max_size=3,
    ),
    st.decimals(min_value="0.01", max_value="99.99", places=2),
)
def test_final_without_a_vote_is_the_weighted_sum_rounded_once(county, county_user, scores, weight):
    """Without a public vote the final is totalled in integers: it must equal the Decimal
    arithmetic of the rule (Σ weight × stage score, half up to 2 decimals)."""
    with transaction.atomic():
        contest = services.contest_create(
            actor=county_user,
            organization=county.county,
            data={"name": "两项", "track": "village", "period_label": "2026"},
            stages=[
                {"kind": "public_report", "name": "汇报", "weight": weight},
                {"kind": "public_report", "name": "评议", "weight": HUNDRED - weight},
            ],
        )
        services.entrants_add_eligible(actor=county_user, contest=contest)
        first, second = contest.stages.all()
        entrants = list(contest.entrants.order_by("number"))
        for entrant, (a, b) in zip(entrants, scores, strict=True):
            services.direct_score_set(actor=county_user, entrant=entrant, stage=first, score=a)
            services.direct_score_set(actor=county_user, entrant=entrant, stage=second, score=b)
        rows = {
            r["entrant_id"]: r["final"] for r in selectors.contest_standings(contest=contest).rows
        }
        for entrant, (a, b) in zip(entrants, scores, strict=True):
            assert rows[entrant.pk] == scoring.weighted_final([(weight, a), (HUNDRED - weight, b)])
        transaction.set_rollback(True)


def test_missing_values_are_named_and_nothing_is_scored(county, county_user):
    """Completeness is checked by the scoring pass itself (each entrant's values counted): an
    entrant short of one value, and a leaf with no values at all, are both named."""
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "缺数", "track": "village", "period_label": "2026"},
        stages=[
            {
                "kind": "indicators",
                "name": "指标",
                "weight": Decimal(100),
                "indicators": [
                    {"name": "收入", "weight": Decimal(50), "method": "minmax"},
                    {"name": "名次", "weight": Decimal(50), "method": "rank"},
                ],
            }
        ],
    )
    a1, a2 = (
        services.entrant_add(actor=county_user, contest=contest, organization=village)
        for village in (county.village_a1, county.village_a2)
    )
    stage = contest.stages.get()
    leaves = {leaf.name: leaf for leaf in selectors.leaf_indicators(stage)}
    entrants = {a1.pk: a1.name, a2.pk: a2.name}
    for entrant, value in ((a1, 10), (a2, 20)):
        services.indicator_value_set(
            actor=county_user, entrant=entrant, indicator=leaves["收入"], value=value
        )
    result = selectors.indicator_stage_scores(stage, entrants)
    assert result.scores == {}
    assert sorted(result.problems) == sorted(f"“{e.name}”缺少指标“名次”的数据。" for e in (a1, a2))

    services.indicator_value_set(actor=county_user, entrant=a1, indicator=leaves["名次"], value=3)
    result = selectors.indicator_stage_scores(stage, entrants)
    assert result.scores == {}
    assert result.problems == [f"“{a2.name}”缺少指标“名次”的数据。"]

    services.indicator_value_set(actor=county_user, entrant=a2, indicator=leaves["名次"], value=5)
    result = selectors.indicator_stage_scores(stage, entrants)
    assert result.problems == []
    assert result.scores == {a1.pk: Decimal("0.00"), a2.pk: Decimal("100.00")}


def test_indicator_scores_follow_the_published_table(county, county_user):
    """Each indicator's score is kept to 2 decimals as the published table shows it, and the
    stage total is computed from those: 甲 1.005 → 1.01, 乙 1.00, so 0.5 × 1.01 + 0.5 × 1.00 =
    1.005 → 1.01, which anyone can recompute from the table (not 1.00 from unrounded leaves)."""
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "舍入", "track": "village", "period_label": "2026"},
        stages=[
            {
                "kind": "indicators",
                "name": "指标",
                "weight": D(100),
                "indicators": [
                    {"name": "甲", "weight": D(50), "method": "minmax"},
                    {"name": "乙", "weight": D(50), "method": "minmax"},
                ],
            }
        ],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    stage = stage_of(contest, StageKind.INDICATORS)
    first, second = selectors.leaf_indicators(stage)
    by_org = {e.organization_id: e for e in contest.entrants.all()}
    values = {
        county.village_a1.pk: ("2.01", "2"),  # 甲 = 1.005 points, 乙 = 1.00 points
        county.village_a2.pk: ("200", "200"),
        county.village_b1.pk: ("0", "0"),
    }
    for org_id, (a, b) in values.items():
        entrant = by_org[org_id]
        services.indicator_value_set(actor=county_user, entrant=entrant, indicator=first, value=a)
        services.indicator_value_set(actor=county_user, entrant=entrant, indicator=second, value=b)
    entrants = dict(contest.entrants.values_list("pk", "name"))
    result = selectors.indicator_stage_scores(stage, entrants)
    assert result.problems == []
    assert result.scores[by_org[county.village_a1.pk].pk] == D("1.01")
