"""Rating periods (评定期间): a year "2026" or a quarter "2026Q3"."""

import datetime
import re

from .models import PeriodKind

YEAR_RX = re.compile(r"\A(\d{4})\Z")
QUARTER_RX = re.compile(r"\A(\d{4})Q([1-4])\Z")
QUARTER_NAMES = "一二三四"


def period_valid(kind: str, label: str) -> bool:
    rx = QUARTER_RX if kind == PeriodKind.QUARTER else YEAR_RX
    match = rx.match(label or "")
    return bool(match) and 2000 <= int(match.group(1)) <= 2100


def period_current(kind: str, day: datetime.date) -> str:
    if kind == PeriodKind.QUARTER:
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def period_previous(label: str) -> str:
    match = QUARTER_RX.match(label)
    if match:
        year, quarter = int(match.group(1)), int(match.group(2))
        return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"
    return str(int(label) - 1)


def period_start(label: str) -> datetime.date:
    match = QUARTER_RX.match(label)
    if match:
        return datetime.date(int(match.group(1)), (int(match.group(2)) - 1) * 3 + 1, 1)
    return datetime.date(int(label), 1, 1)


def period_recent(kind: str, day: datetime.date, count: int = 6) -> list[str]:
    """The current period and the ones before it, newest first."""
    labels = [period_current(kind, day)]
    while len(labels) < count:
        labels.append(period_previous(labels[-1]))
    return labels


def period_name(label: str) -> str:
    """How the period is written on pages: 2026 年度, 2026 年第三季度."""
    match = QUARTER_RX.match(label)
    if match:
        return f"{match.group(1)} 年第{QUARTER_NAMES[int(match.group(2)) - 1]}季度"
    return f"{label} 年度"
