"""The apartments' plain rules: a flat's state at a glance, agreement limits."""

import datetime

from django.db import models

from .models import AllocationStatus, FlatStatus

# An agreement ending within this many days is listed as a reminder (到期提醒).
ENDING_DAYS = 30
# More than any rent or deposit of a flat: a typing mistake (and past the fen column's range).
MAX_YUAN = 1_000_000
# The longest agreement (or renewal) the office signs at once.
MAX_AGREEMENT_YEARS = 5


class FlatState(models.TextChoices):
    """What the grid colours a flat by."""

    VACANT = "vacant", "空置"
    OCCUPIED = "occupied", "已入住"
    ENDING = "ending", "协议将到期"
    INSPECTING = "inspecting", "待验房"
    MAINTENANCE = "maintenance", "维修中"


def flat_state(*, status: str, allocation_status: str | None, end, today) -> FlatState:
    """The state of a flat from its status and its active allocation (if any). A flat given
    but not yet moved into counts as occupied: it is no longer free to give."""
    if allocation_status == AllocationStatus.RETURNED:
        return FlatState.INSPECTING
    if allocation_status in (AllocationStatus.ALLOCATED, AllocationStatus.CHECKED_IN):
        if end <= today + datetime.timedelta(days=ENDING_DAYS):
            return FlatState.ENDING
        return FlatState.OCCUPIED
    if status == FlatStatus.MAINTENANCE:
        return FlatState.MAINTENANCE
    return FlatState.VACANT


# Agreement dates far outside any tenancy are typing mistakes (and would overflow the arithmetic).
PLAUSIBLE_YEARS = (2000, 2099)
PLAUSIBLE_MESSAGE = "日期须在 2000 年至 2099 年之间。"


def plausible_day(day: datetime.date) -> bool:
    return PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
