import random
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.contests.scoring import (
    ScoringError,
    check_weights,
    judges_mean,
    panel_score,
    q2,
    rank_standings,
    vote_scores,
)

scores = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)


def test_trimmed_mean_hand_worked():
    # 7 judges: drop 98 and 80, average 90 + 91 + 92 + 93 + 85 = 451 / 5 = 90.2
    assert judges_mean([D(x) for x in (90, 91, 92, 93, 98, 80, 85)], trimmed=True) == D("90.20")
    # plain mean keeps everything: 629 / 7 = 89.857… → 89.86 (half up)
    assert judges_mean([D(x) for x in (90, 91, 92, 93, 98, 80, 85)], trimmed=False) == D("89.86")


def test_trimmed_mean_drops_one_copy_of_tied_extremes():
    # Two judges gave 95 and two gave 80: only one of each goes. (95 + 80 + 88) / 3 = 87.67
    assert judges_mean([D(95), D(95), D(80), D(80), D(88)], trimmed=True) == D("87.67")


def test_half_up_rounding_not_bankers():
    # 86.125 → 86.13 (banker's rounding would give 86.12)
    assert q2(D("86.125")) == D("86.13")
    assert judges_mean([D("86.1"), D("86.15")], trimmed=False) == D("86.13")


def test_fewer_than_five_judges_refused_for_trimming():
    with pytest.raises(ScoringError, match="至少 5 位评委"):
        judges_mean([D(90), D(91), D(92), D(93)], trimmed=True)
    assert judges_mean([D(90), D(91), D(92), D(93)], trimmed=False) == D("91.50")


@given(st.lists(scores, min_size=5, max_size=15), st.randoms())
def test_trimmed_mean_is_permutation_invariant(values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert judges_mean(values, trimmed=True) == judges_mean(shuffled, trimmed=True)


@given(st.lists(scores, min_size=5, max_size=15))
def test_trimmed_mean_equals_definition(values):
    ordered = sorted(values)
    expected = q2(sum(ordered[1:-1]) / (len(values) - 2))
    result = judges_mean(values, trimmed=True)
    assert result == expected
    assert ordered[1] <= result <= ordered[-2]


@given(scores, st.integers(min_value=5, max_value=12))
def test_all_equal_scores_give_that_score(value, n):
    assert judges_mean([value] * n, trimmed=True) == q2(value)


@given(st.lists(scores, min_size=0, max_size=4))
def test_under_five_always_refused(values):
    with pytest.raises(ScoringError):
        judges_mean(values, trimmed=True)


def test_trim_per_criterion_differs_from_trim_on_total():
    # Judge totals: A 30, B 29, C 21, D 20, E 20.
    sheets = [
        {1: D(10), 2: D(20)},
        {1: D(19), 2: D(10)},
        {1: D(11), 2: D(10)},
        {1: D(10), 2: D(10)},
        {1: D(12), 2: D(8)},
    ]
    # On the total: drop 30 and one 20 → (29 + 21 + 20) / 3 = 23.33
    assert panel_score(sheets, trimmed=True, per_criterion=False) == D("23.33")
    # Per criterion: c1 drop 19 and 10 → (10 + 11 + 12) / 3 = 11; c2 drop 20 and 8 → 10
    assert panel_score(sheets, trimmed=True, per_criterion=True) == D("21.00")


def test_weights_must_sum_to_100():
    check_weights([D(40), D(30), D(30)], what="环节")
    with pytest.raises(ScoringError, match="合计应为 100%，现为 99%"):
        check_weights([D(40), D(30), D(29)], what="环节")


def test_vote_rank_conversion_matches_county_rule():
    # 1st = 30, 2nd = 29 … with N = 30 the stage score is N points out of 30 = 100 %.
    scores = vote_scores({"a": 500, "b": 400, "c": 400, "d": 10}, method="rank", rank_points=30)
    # Shown to 2 decimals, and the final uses the shown figure (issue #11 §6): weighted at
    # 30 %, the second place adds 96.67 × 0.3 = 29.001, which the published row shows.
    assert scores == {"a": D("100.00"), "b": D("96.67"), "c": D("96.67"), "d": D("90.00")}
    share = vote_scores({"a": 1, "b": 1, "c": 1}, method="share")
    assert share == {"a": D("33.33"), "b": D("33.33"), "c": D("33.33")}


def test_ranking_ties_broken_by_stage_then_shared():
    standings = rank_standings(
        {"a": D(90), "b": D(90), "c": D(95), "d": D(80), "e": D(80)},
        tiebreak={"a": (D(50),), "b": (D(60),), "c": (D(1),), "d": (D(5),), "e": (D(5),)},
        tiebreak_names=["评委评分"],
    )
    by = {s.key: s for s in standings}
    assert [s.key for s in standings][:3] == ["c", "b", "a"]
    assert (by["b"].rank, by["a"].rank) == (2, 3)
    assert "评委评分" in by["b"].note
    assert by["d"].rank == by["e"].rank == 4
    assert "并列第 4 名" in by["d"].note
    assert by["c"].note == ""


@given(st.dictionaries(st.integers(0, 50), st.integers(0, 5), min_size=1, max_size=30))
def test_ranks_are_competition_ranks(finals):
    standings = rank_standings({k: D(v) for k, v in finals.items()})
    for s in standings:
        better = sum(1 for v in finals.values() if D(v) > s.final)
        assert s.rank == better + 1


def test_random_order_of_entrants_gives_same_ranks():
    finals = {i: D(random.Random(i).randint(60, 100)) for i in range(50)}
    a = {s.key: s.rank for s in rank_standings(finals)}
    b = {s.key: s.rank for s in rank_standings(dict(reversed(list(finals.items()))))}
    assert a == b


def test_a_list_s_line_and_the_ties_across_it():
    from zuzhi.contests.scoring import on_list

    # Positions 0–1 tied at rank 1 on a list of 1: all in by default, or none.
    assert on_list(0, 1, 1, rank=1, all_in=True, label="红榜") == (
        True,
        "2 个参评对象并列第 1 名，跨过红榜名额线（1 个），均列入，红榜增至 2 个。",
    )
    assert on_list(0, 1, 1, rank=1, all_in=False, label="红榜")[0] is False
    assert on_list(0, 0, 1, rank=1, all_in=False, label="红榜") == (True, "")
    assert on_list(1, 2, 1, rank=2, all_in=True, label="红榜") == (False, "")
    assert on_list(0, 0, None, rank=1, all_in=True, label="入选名额") == (False, "")
