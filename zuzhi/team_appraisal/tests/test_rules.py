from decimal import Decimal
from fractions import Fraction

from zuzhi.team_appraisal import rules
from zuzhi.team_appraisal.rules import GroupTally


def test_weights_must_sum_to_100():
    assert rules.weights_refusal([Decimal(30), Decimal(40), Decimal(30)]) is None
    assert rules.weights_refusal([Decimal(30), Decimal(40), Decimal(20)]) == (
        "各测评主体的权重合计应为 100%，现为 90%。"
    )
    assert "100.5%" in rules.weights_refusal([Decimal("60.5"), Decimal(40)])


def test_group_shares_are_weighted_not_pooled():
    # 30 %: 2 of 4 approve, 1 unfit; 70 %: 1 of 3 approves, 2 unfit.
    shares = rules.weighted_shares(
        [GroupTally(Decimal(30), 4, 2, 1), GroupTally(Decimal(70), 3, 1, 2)]
    )
    assert shares.approval == Fraction(3, 10) * Fraction(1, 2) + Fraction(7, 10) * Fraction(1, 3)
    assert rules.rounded(shares.approval) == Decimal("0.3833")  # pooled would be 3/7 = 0.4286
    assert rules.rounded(shares.unfit) == Decimal("0.5417")


def test_a_group_without_ballots_is_left_out_and_the_weights_renormalised():
    shares = rules.weighted_shares(
        [
            GroupTally(Decimal(30), 2, 2, 0),
            GroupTally(Decimal(40), 5, 0, 0),
            GroupTally(Decimal(30), 0, 0, 0),
        ]
    )
    assert shares.approval == Fraction(3, 7)


def test_thresholds_at_the_boundary(settings):
    assert not rules.below_approval(Fraction(2, 3))
    assert rules.below_approval(Fraction(2, 3) - Fraction(1, 10**9))
    assert not rules.above_unfit(Fraction(1, 3))
    assert rules.above_unfit(Fraction(1, 3) + Fraction(1, 10**9))
    # Just below 2/3 rounds to 0.6667 for display, yet is below: flags use exact fractions.
    assert rules.rounded(Fraction(2, 3) - Fraction(1, 10**6)) == Decimal("0.6667")
    settings.ZUZHI_APPRAISAL_APPROVAL_MIN = "3/4"
    assert rules.below_approval(Fraction(2, 3))
