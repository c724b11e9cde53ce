"""The pure rules: the anchor day, the duration, yuan and fen without float."""

import datetime

import pytest

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
