"""Training credit rules (学分制, DOMAIN.md §8): pure arithmetic on Decimal, no database.

A course of 30 minutes or more counts 1 学时, one of 15 to under 30 minutes 0.5, a shorter one
0.25; a passed test adds 0.5 to the course's hours (a 45-minute course with a passed test is
1.5 学时). A longer course still counts 1: the rule credits courses, not time spent online.

The yearly requirement: cadres 50 学时 (configurable per year); members' rotation training
(轮训) is "trained once a year", so their requirement is one course, of any length, and no
hours.
"""

from decimal import Decimal

FULL_MINUTES = 30
HALF_MINUTES = 15
FULL = Decimal("1")
HALF = Decimal("0.5")
QUARTER = Decimal("0.25")
TEST_BONUS = Decimal("0.5")
ZERO = Decimal("0")

CADRES, MEMBERS = "cadres", "members"
# (hours, courses) required a year when the county has set nothing for that year.
DEFAULT_REQUIREMENTS = {CADRES: (Decimal("50"), 0), MEMBERS: (ZERO, 1)}


def course_hours(minutes: int) -> Decimal:
    """学时 of a course of `minutes`: 30+ → 1, 15–30 → 0.5, under 15 → 0.25."""
    if minutes <= 0:
        raise ValueError("课程时长应为正数（分钟）。")
    if minutes >= FULL_MINUTES:
        return FULL
    if minutes >= HALF_MINUTES:
        return HALF
    return QUARTER


def record_hours(*, minutes: int, test_passed: bool) -> Decimal:
    """学时 credited for completing a course: the course's hours, plus 0.5 for a passed test."""
    return course_hours(minutes) + (TEST_BONUS if test_passed else ZERO)


def hours_missing(*, hours: Decimal, required: Decimal) -> Decimal:
    """学时 still to earn; never negative."""
    return max(required - hours, ZERO)


def is_short(
    *, hours: Decimal, courses: int, required_hours: Decimal, required_courses: int
) -> bool:
    """Whether a person has not yet met the year's requirement (hours and number of courses)."""
    return hours < required_hours or courses < required_courses
