"""The dated rules of resident village work, as plain functions of dates: which month a
report is for, whether a term covers it, when last month's report is overdue."""

import datetime

from django.conf import settings


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month(today: datetime.date) -> datetime.date:
    """The first day of the month before `today`'s."""
    return month_start(month_start(today) - datetime.timedelta(days=1))


def term_covers(*, start: datetime.date, last_day: datetime.date, month: datetime.date) -> bool:
    """Whether a term from `start` to `last_day` covers at least one day of `month`."""
    return start <= month_end(month) and last_day >= month_start(month)


def due_day() -> int:
    return settings.ZUZHI_VILLAGE_REPORT_DUE_DAY


def is_overdue_day(today: datetime.date) -> bool:
    """Last month's report is due by the due day (the 5th by default): on the 5th it is not
    overdue yet, from the 6th it is."""
    return today.day > due_day()


def term_ending_days() -> int:
    return settings.ZUZHI_VILLAGE_TERM_ENDING_DAYS
