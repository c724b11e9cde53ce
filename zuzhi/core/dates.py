"""The range of dates this platform's records can hold.

Nothing it records (a meeting, a member's joining, a stage of recruitment, a dues month) lies
before 1900 or after 2100; a date outside is a typing slip (0001-01-01, 2204-05-01), and at the
edges of the calendar it ends as a 500 (the day after 9999-12-31 does not exist). Services
check it, so the page, the API and the import refuse alike.
"""

import datetime

from django.core.exceptions import ValidationError

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
OUT_OF_RANGE = "日期应在 1900 年至 2100 年之间。"
YEAR_OUT_OF_RANGE = "年度应在 1900 年至 2100 年之间。"


def is_plausible(day: datetime.date) -> bool:
    return EARLIEST <= day <= LATEST


def date_range_errors(**dates: datetime.date | None) -> dict[str, list[str]]:
    """The errors by field for the given dates outside the range (None is not checked)."""
    return {
        field: [OUT_OF_RANGE]
        for field, day in dates.items()
        if isinstance(day, datetime.date) and not is_plausible(day)
    }


def require_plausible_dates(**dates: datetime.date | None) -> None:
    if errors := date_range_errors(**dates):
        raise ValidationError(errors)


def require_plausible_year(*, field: str = "year", year: int) -> None:
    if not EARLIEST.year <= year <= LATEST.year:
        raise ValidationError({field: [YEAR_OUT_OF_RANGE]})
