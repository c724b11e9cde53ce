import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.core.text import initials_index, person_initials, pinyin_initials, surname_readings

# pypinyin's reading of the name, and the reading of the name as the surname is read.
POLYPHONIC = [
    ("曾国华", "cgh", "zgh"),
    ("单雄信", "dxx", "sxx"),
    ("解缙", "jj", "xj"),
    ("仇英", "cy", "qy"),
    ("覃春", "tc", "qc"),
    ("查良镛", "cly", "zly"),
]


@pytest.mark.parametrize(("name", "common", "surname"), POLYPHONIC)
def test_a_polyphonic_surname_is_indexed_in_both_readings(name, common, surname):
    assert pinyin_initials(name) == common
    assert person_initials(name)[0] == common
    assert surname in person_initials(name)
    assert initials_index(name).split() == list(person_initials(name))


def test_compound_surnames_and_several_readings():
    assert person_initials("尉迟恭")[0] == "ycg"
    assert person_initials("万俟卨")[0].startswith("mq")
    assert {"yy", "ly"} <= set(person_initials("乐毅"))
    # 单于明 may be 单于 + 明 or 单 + 于明: both are found.
    assert {"cym", "sym"} <= set(person_initials("单于明"))


def test_an_ordinary_name_has_one_reading():
    assert person_initials("王小明") == ("wxm",)
    assert initials_index("王 小明") == "wxm"


def test_every_table_entry_is_read_as_initials():
    for surname, readings in surname_readings().items():
        assert readings, surname
        for reading in readings:
            assert reading.isascii() and reading.isalpha() and len(reading) == len(surname)


@given(
    st.sampled_from(sorted(surname_readings())),
    st.text(alphabet="国华明英春良雄信", min_size=1, max_size=3),
)
def test_any_name_with_a_table_surname_is_found_by_each_reading(surname, given_name):
    name = surname + given_name
    readings = person_initials(name)
    rest = pinyin_initials(given_name)
    for initials in surname_readings()[surname]:
        assert initials + rest in readings
    assert readings[0] == pinyin_initials(name)
    assert len(set(readings)) == len(readings)
