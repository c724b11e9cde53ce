"""The pure rules: the anchor day, the duration, yuan and fen without float."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.core.money import yuan
from zuzhi.subsidies import rules

D = datetime.date


@pytest.mark.parametrize(
    ("arrived", "first"),
    [(D(2025, 12, 15), D(2025, 12, 1)), (D(2025, 12, 16), D(2026, 1, 1))],
)
def test_first_paid_month_turns_the_year(arrived, first):
    assert rules.first_paid_month(arrived) == first


def test_last_paid_month_is_the_36th():
    assert rules.last_paid_month(D(2025, 12, 1), 36) == D(2028, 11, 1)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_yuan_and_fen_round_trip(fen):
    assert rules.fen_from_yuan(yuan(fen)) == fen


@pytest.mark.parametrize("text", ["3千", "1.234", "", "1e3", "0x10"])
def test_not_an_amount(text):
    with pytest.raises(ValueError):
        rules.fen_from_yuan(text)
