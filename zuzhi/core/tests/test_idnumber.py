import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.core import idnumber
from zuzhi.core.idnumber import (
    IdNumberError,
    birth_date,
    check_char,
    division_notice,
    divisions,
    gender_code,
    normalize,
    provinces,
    upgrade_15,
    validate,
)

# A fixed "today", so that the boundaries below do not move with the clock.
TODAY = datetime.date(2026, 12, 5)
PROVINCES = st.sampled_from(sorted(provinces()))
# Any four digits after a valid province: unknown (abolished) divisions are accepted too.
DIVISIONS = st.one_of(
    st.sampled_from(["110105", "440524", "411330", "410102", "530821"]),
    st.builds(lambda p, rest: f"{p}{rest:04d}", PROVINCES, st.integers(0, 9999)),
)
DATES = st.dates(min_value=datetime.date(1906, 1, 1), max_value=TODAY)


def make(division: str, born: datetime.date | str, sequence: int) -> str:
    day = born if isinstance(born, str) else born.strftime("%Y%m%d")
    first17 = f"{division}{day}{sequence:03d}"
    return first17 + check_char(first17)


@st.composite
def valid_numbers(draw, dates=DATES):
    return make(draw(DIVISIONS), draw(dates), draw(st.integers(0, 999)))


def test_examples_from_the_standard():
    assert validate("11010519491231002X") == "11010519491231002X"
    assert validate("440524188001010014") == "440524188001010014"
    assert validate("11010519491231002x") == "11010519491231002X"
    assert birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert gender_code("11010519491231002X") == "2" and gender_code("440524188001010014") == "1"


def test_the_standard_examples_as_living_people():
    assert validate("11010519491231002X", living=True, today=TODAY) == "11010519491231002X"
    # Born 1 January 1880: a valid number, but not of anyone alive.
    assert validate("440524188001010014", today=TODAY) == "440524188001010014"
    with pytest.raises(IdNumberError, match="超过 120 年"):
        validate("440524188001010014", living=True, today=TODAY)


@given(valid_numbers())
def test_every_valid_number_passes(number):
    assert validate(number, today=TODAY) == number
    assert validate(number) == number  # today's real date is never before TODAY


@given(valid_numbers(dates=st.dates(min_value=datetime.date(1906, 12, 5), max_value=TODAY)))
def test_every_valid_number_of_someone_alive_passes(number):
    assert validate(number, living=True, today=TODAY) == number


@given(valid_numbers(), st.integers(0, 17), st.integers(1, 10))
def test_every_single_character_change_fails(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    changed = alphabet[(current + shift) % len(alphabet)]
    if changed == number[position]:
        return
    mutated = number[:position] + changed + number[position + 1 :]
    with pytest.raises(IdNumberError):
        validate(mutated, today=TODAY)


def test_the_check_digit_catches_every_single_digit_change_at_every_position():
    # Each weight is non-zero modulo 11, a prime, so changing one digit by 1…9 always changes
    # the weighted sum modulo 11: the check digit, not a later rule, refuses the number.
    number = "11010519491231002X"
    for position in range(18):
        for changed in "0123456789X" if position == 17 else "0123456789":
            if changed != number[position]:
                mutated = number[:position] + changed + number[position + 1 :]
                with pytest.raises(IdNumberError, match="校验位"):
                    validate(mutated, today=TODAY)


@pytest.mark.parametrize(
    "value,reason",
    [
        ("", "请填写"),
        ("1101051949123100", "18 位（现为 16 位）"),
        ("1101051949123100211", "现为 19 位"),
        ("110105491231002", "15 位的旧版"),
        ("11010519491231002Y", "17 位数字加 1 位数字或 X"),
        ("1101051949X231002X", "17 位数字加 1 位数字或 X"),
        (make("110105", "19491331", 2), "出生日期“19491331”不存在"),
        (make("110105", "19490229", 2), "出生日期“19490229”不存在"),
        ("110105194912310021", "校验位"),
    ],
)
def test_errors_are_chinese_and_specific(value, reason):
    with pytest.raises(IdNumberError, match=reason):
        validate(value, today=TODAY)


def test_a_birth_date_after_today_is_refused():
    assert validate("11010520300101001X", today=datetime.date(2030, 1, 1))
    with pytest.raises(IdNumberError, match="2030-01-01 晚于今天"):
        validate("11010520300101001X", today=TODAY)
    # The day boundary: born today is fine, born tomorrow is not.
    assert validate(make("411330", TODAY, 1), today=TODAY)
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(IdNumberError, match="晚于今天"):
        validate(make("411330", tomorrow, 1), today=TODAY)
    with pytest.raises(IdNumberError, match="晚于今天"):
        validate(make("411330", tomorrow, 1), today=TODAY, living=True)


def test_today_defaults_to_the_local_date(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2029, 12, 31))
    with pytest.raises(IdNumberError, match="晚于今天"):
        validate("11010520300101001X")
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2030, 1, 1))
    assert validate("11010520300101001X") == "11010520300101001X"


def test_a_living_person_is_at_most_120_years_old():
    exactly_120 = make("411330", "19061205", 1)
    one_day_more = make("411330", "19061204", 1)
    assert validate(exactly_120, living=True, today=TODAY) == exactly_120
    with pytest.raises(IdNumberError, match="1906-12-04 距今已超过 120 年"):
        validate(one_day_more, living=True, today=TODAY)
    # Records of people who need not be alive keep any past birth date.
    assert validate(one_day_more, today=TODAY) == one_day_more


def test_120_years_before_29_february_in_1900_which_had_none():
    today = datetime.date(2020, 2, 29)
    assert validate(make("411330", "19000301", 1), living=True, today=today)
    with pytest.raises(IdNumberError, match="超过 120 年"):
        validate(make("411330", "19000228", 1), living=True, today=today)
    # 1904 had a 29 February: it is exactly 120 years before 29 February 2024.
    assert validate(make("411330", "19040229", 1), living=True, today=datetime.date(2024, 2, 29))
    with pytest.raises(IdNumberError, match="超过 120 年"):
        validate(make("411330", "19040228", 1), living=True, today=datetime.date(2024, 2, 29))


def test_the_province_comes_from_the_code_file():
    assert {"11", "41", "44", "65"} <= provinces()
    # The code file has Taiwan, Hong Kong and Macao; 83 (Taiwan residence permits) is added.
    assert {"71", "81", "82", "83"} <= provinces()
    assert "00" not in provinces() and "99" not in provinces() and "20" not in provinces()
    assert len(provinces()) == 35


@pytest.mark.parametrize("division", ["000000", "999999", "200101", "001330", "991330"])
def test_a_number_outside_every_province_is_refused(division):
    number = make(division, "19800101", 1)
    assert check_char(number[:17]) == number[17]  # only the province is wrong
    with pytest.raises(IdNumberError, match=f"前 2 位“{division[:2]}”不是省级行政区划代码"):
        validate(number, today=TODAY)


@pytest.mark.parametrize("division", ["710000", "810000", "820000", "830000", "411330", "410000"])
def test_provinces_and_residence_permits_are_accepted(division):
    number = make(division, "19800101", 1)
    assert validate(number, living=True, today=TODAY) == number


def test_an_unknown_division_in_a_valid_province_is_accepted_with_a_notice():
    assert "440524" not in divisions()  # the standard's own example is an abolished division
    assert validate("440524188001010014", today=TODAY)
    assert division_notice("440524188001010014") == (
        "号码前 6 位“440524”不在现行行政区划代码表中（可能是已撤销的区划），请核对。"
    )
    assert division_notice("411330198001010015") is None
    assert division_notice("11010519491231002x") is None
    assert division_notice(make("830000", "19800101", 1)) is None
    assert division_notice("") is None


def test_the_code_file_is_read_once_per_process(monkeypatch):
    calls = []
    real = idnumber.read_code_tables

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(idnumber, "read_code_tables", counting)
    divisions.cache_clear()
    provinces.cache_clear()
    try:
        for _ in range(3):
            validate("11010519491231002X", today=TODAY)
            division_notice("440524188001010014")
        assert len(calls) == 1
    finally:
        divisions.cache_clear()
        provinces.cache_clear()


def test_upgrade_15_on_known_pairs():
    # The standard's example, in its first-generation (15-digit) form.
    assert upgrade_15("110105491231002") == "11010519491231002X"
    # By hand, 41133019800101123 → weighted sum 4·7+1·9+1·10+3·5+3·8+0·4+1·2+9·1+8·6+0·3
    # +0·7+1·9+0·10+1·5+1·8+2·4+3·2 = 181; 181 mod 11 = 5 → check character "7".
    assert upgrade_15("411330800101123") == "411330198001011237"
    assert upgrade_15(" ４１１３３０８００１０１１２３ ") == "411330198001011237"
    number = validate(upgrade_15("411330800101123"), living=True, today=TODAY)
    assert birth_date(number) == datetime.date(1980, 1, 1)
    assert gender_code(number) == "1"  # 123: odd, male


@pytest.mark.parametrize(
    "value,reason",
    [
        ("41133080010112", "应为 15 位数字"),
        ("4113308001011234", "16 位"),
        ("11010519491231002X", "18 位"),
        ("41133080010112X", "应为 15 位数字"),
        ("411330800230123", "出生日期“800230”不存在"),
        ("411330801301123", "出生日期“801301”不存在"),
    ],
)
def test_upgrade_15_refuses(value, reason):
    with pytest.raises(IdNumberError, match=reason):
        upgrade_15(value)


@given(
    DIVISIONS,
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)),
    st.integers(0, 999),
)
def test_upgrade_15_keeps_birth_date_and_gender(division, born, sequence):
    legacy = f"{division}{born:%y%m%d}{sequence:03d}"
    number = upgrade_15(legacy)
    assert validate(number, today=TODAY) == number
    assert number[:6] + number[8:17] == legacy
    assert birth_date(number) == born
    assert gender_code(number) == ("1" if sequence % 2 else "2")


def test_spaces_of_any_kind_are_dropped_and_x_upper_cased():
    assert normalize(" 110105 19491231\t002x\u3000\n") == "11010519491231002X"
    assert normalize(None) == "" and normalize(" ") == ""


def test_check_char_needs_exactly_17_digits():
    with pytest.raises(ValueError):
        check_char("1101051949123100")


def test_full_width_digits_are_read_as_ascii_and_other_digits_refused():
    assert validate("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    # Arabic-Indic digits are digits to \d but never part of a resident ID number.
    with pytest.raises(IdNumberError):
        validate("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
