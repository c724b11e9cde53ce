import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.core.idnumber import (
    IdNumberError,
    birth_date,
    check_char,
    gender_code,
    normalize,
    validate,
)

DIVISIONS = st.sampled_from(["110105", "440524", "411330", "410102", "530821"])
DATES = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31))


@st.composite
def valid_numbers(draw):
    first17 = draw(DIVISIONS) + draw(DATES).strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return first17 + check_char(first17)


def test_examples_from_the_standard():
    assert validate("11010519491231002X") == "11010519491231002X"
    assert validate("440524188001010014") == "440524188001010014"
    assert validate("11010519491231002x") == "11010519491231002X"
    assert birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert gender_code("11010519491231002X") == "2" and gender_code("440524188001010014") == "1"


@given(valid_numbers())
def test_every_valid_number_passes(number):
    assert validate(number) == number


@given(valid_numbers(), st.integers(0, 17), st.integers(1, 10))
def test_every_single_character_change_fails(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    changed = alphabet[(current + shift) % len(alphabet)]
    if changed == number[position]:
        return
    mutated = number[:position] + changed + number[position + 1 :]
    with pytest.raises(IdNumberError):
        validate(mutated)


@pytest.mark.parametrize(
    "value,reason",
    [
        ("1101051949123100", "18 位"),
        ("11010519491331002X", "出生日期"),
        ("110105194912310021", "校验位"),
    ],
)
def test_errors_are_chinese(value, reason):
    with pytest.raises(IdNumberError, match=reason):
        validate(value)


def test_spaces_of_any_kind_are_dropped_and_x_upper_cased():
    assert normalize(" 110105 19491231\t002x\u3000\n") == "11010519491231002X"
    assert normalize(None) == "" and normalize(" ") == ""


def test_check_char_needs_exactly_17_digits():
    with pytest.raises(ValueError):
        check_char("1101051949123100")


def test_full_width_digits_are_read_as_ascii_and_other_digits_refused():
    from zuzhi.core.idnumber import IdNumberError, validate

    assert validate("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    # Arabic-Indic digits are digits to \d but never part of a resident ID number.
    with pytest.raises(IdNumberError):
        validate("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
