"""Months (月份) as the first day of the month: the ledger's unit of time."""

import datetime


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def parse_month(text: str) -> datetime.date | None:
    """ "2026-03" (or "2026-03-01") as the month; None when it is not one (or not a year of
    the ledger's: 2000–2100)."""
    try:
        year, month = (int(part) for part in str(text).strip().split("-")[:2])
        return datetime.date(year, month, 1) if 2000 <= year <= 2100 else None
    except (TypeError, ValueError):
        return None
