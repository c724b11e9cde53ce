from decimal import Decimal as D

import pytest

from zuzhi.training.rules import course_hours, hours_missing, is_short, record_hours


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(1, "0.25"), (14, "0.25"), (15, "0.5"), (29, "0.5"), (30, "1"), (31, "1"), (240, "1")],
)
def test_course_hours_at_the_boundaries(minutes, hours):
    assert course_hours(minutes) == D(hours)
    assert isinstance(course_hours(minutes), D)


@pytest.mark.parametrize("minutes", [0, -5])
def test_a_course_without_length_has_no_hours(minutes):
    with pytest.raises(ValueError):
        course_hours(minutes)


@pytest.mark.parametrize(("minutes", "hours"), [(14, "0.75"), (15, "1"), (30, "1.5")])
def test_a_passed_test_adds_half_an_hour_to_the_course(minutes, hours):
    assert record_hours(minutes=minutes, test_passed=True) == D(hours)
    assert record_hours(minutes=minutes, test_passed=False) == course_hours(minutes)


def test_missing_hours_never_negative():
    assert hours_missing(hours=D("38"), required=D("50")) == D("12")
    assert hours_missing(hours=D("50.25"), required=D("50")) == D("0")


def test_short_of_hours_or_of_courses():
    assert is_short(hours=D("49.75"), courses=60, required_hours=D("50"), required_courses=0)
    assert not is_short(hours=D("50"), courses=0, required_hours=D("50"), required_courses=0)
    assert is_short(hours=D("0"), courses=0, required_hours=D("0"), required_courses=1)
    assert not is_short(hours=D("0.25"), courses=1, required_hours=D("0"), required_courses=1)
