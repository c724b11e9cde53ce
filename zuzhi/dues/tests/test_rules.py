import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.dues.rules import DuesRuleError, monthly_dues_fen, rate_for


@pytest.mark.parametrize(
    "income_fen,expected_fen",
    [
        (0, 0),
        (300_000, 1500),  # 3,000.00 × 0.5 % = 15.00
        (300_001, 3000),  # 3,000.01 × 1 % = 30.0001 → 30.00
        (500_000, 5000),  # 5,000.00 × 1 % = 50.00
        (500_001, 7500),  # 5,000.01 × 1.5 % = 75.00015 → 75.00
        (1_000_000, 15000),  # 10,000.00 × 1.5 % = 150.00
        (1_000_001, 20000),  # 10,000.01 × 2 % = 200.0002 → 200.00
        (123_456, 617),  # 1,234.56 × 0.5 % = 6.1728 → 6.17
        (100_100, 501),  # 1,001.00 × 0.5 % = 5.005 → 5.01 (half up)
    ],
)
def test_wage_brackets_at_each_boundary(income_fen, expected_fen):
    assert monthly_dues_fen(kind="wage", income_fen=income_fen) == expected_fen


@pytest.mark.parametrize(
    "income_fen,expected_fen",
    [(500_000, 2500), (500_001, 5000), (300_000, 1500), (800_000, 8000)],
)
def test_retiree_brackets(income_fen, expected_fen):
    assert monthly_dues_fen(kind="retiree", income_fen=income_fen) == expected_fen


def test_flat_and_farmer_amounts():
    assert monthly_dues_fen(kind="student") == 20
    assert monthly_dues_fen(kind="unemployed") == 20
    assert monthly_dues_fen(kind="relief") == 20
    assert monthly_dues_fen(kind="farmer", farmer_fen=50) == 50
    for bad in (19, 101, None):
        with pytest.raises(DuesRuleError):
            monthly_dues_fen(kind="farmer", farmer_fen=bad)
    with pytest.raises(DuesRuleError):
        monthly_dues_fen(kind="wage", income_fen=None)


@given(st.integers(0, 10_000_000))
def test_a_higher_income_never_pays_a_lower_rate(income):
    assert rate_for("wage", income) <= rate_for("wage", income + 1)
    assert monthly_dues_fen(kind="wage", income_fen=income) <= monthly_dues_fen(
        kind="wage", income_fen=income + 100
    )
