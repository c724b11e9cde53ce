"""Yuan typed by a clerk → integer fen, exactly, and back: one parser for every ledger."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.core.money import YuanField, fen_from_yuan, yuan


@given(st.integers(min_value=0, max_value=10**12))
def test_yuan_shown_parses_back_to_the_same_fen(fen):
    assert fen_from_yuan(yuan(fen)) == fen


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_a_ledger_with_recoveries_round_trips_negative_amounts(fen):
    assert fen_from_yuan(yuan(fen), negative=True) == fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("0.29", 29), ("1300", 130000), ("800.5", 80050), ("5,000.00", 500000), (" 3000 ", 300000)],
)
def test_amounts_as_clerks_type_them(text, fen):
    assert fen_from_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.001", "最多两位小数"),
        ("1.234", "最多两位小数"),
        ("-1", "不能为负数"),
        ("-0.50", "不能为负数"),
        ("abc", "请填写以元为单位的金额"),
        ("3千", "请填写以元为单位的金额"),
        ("NaN", "请填写以元为单位的金额"),
        ("1e400", "请填写以元为单位的金额"),
        ("0x10", "请填写以元为单位的金额"),
        ("", "请填写以元为单位的金额"),
        ("5000,00", "请填写以元为单位的金额"),
    ],
)
def test_not_an_amount_is_refused_with_the_reason(text, message):
    with pytest.raises(ValueError, match=message):
        fen_from_yuan(text)


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=999))
def test_three_decimals_are_refused_whatever_the_amount(whole, thousandths):
    with pytest.raises(ValueError, match="最多两位小数"):
        fen_from_yuan(f"{whole}.{thousandths:03d}")


def test_an_amount_beyond_the_ceiling_is_refused():
    assert fen_from_yuan("1000000", max_yuan=1_000_000) == 100_000_000
    with pytest.raises(ValueError, match="不能超过 1000000 元"):
        fen_from_yuan("1000000.01", max_yuan=1_000_000)


def test_the_form_field_gives_fen_or_the_chinese_reason():
    field = YuanField(label="押金（元）")
    assert field.clean("650.10") == 65010 and field.clean("") is None
    with pytest.raises(Exception, match="最多两位小数"):
        field.clean("650.101")
    assert YuanField(negative=True).clean("-20") == -2000
