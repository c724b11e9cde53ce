"""The subsidy rules (补贴规则), pure arithmetic on dates and fen, in one place for the
approval, the payroll run and the tests.

One anchor day decides every month: a month is paid when the talent worked in the county on
its 15th (ANCHOR_DAY).
- Start: arrived on or before the 15th, paid from the month of arrival; arrived after the
  15th (the 16th or later), from the next month.
- Duration: `duration_months` months from the first paid month (36: the first month and the
  35 after it; the 37th is not paid).
- Leaving the county mid-month: left after the 15th (the 16th or later), that month is still
  paid; left on or before the 15th, it is not. No month after it is paid.
"""

import datetime

from .months import add_months, month_label, month_start

ANCHOR_DAY = 15


def first_paid_month(arrived_on: datetime.date) -> datetime.date:
    start = month_start(arrived_on)
    return start if arrived_on.day <= ANCHOR_DAY else add_months(start, 1)


def last_paid_month(first: datetime.date, duration_months: int) -> datetime.date:
    return add_months(first, duration_months - 1)


def paid_despite_leaving(month: datetime.date, left_on: datetime.date | None) -> bool:
    """Whether `month` is paid to a talent who left on `left_on` (None: has not left)."""
    return left_on is None or left_on > month.replace(day=ANCHOR_DAY)


def stop_reason(
    *,
    month: datetime.date,
    first: datetime.date,
    last: datetime.date,
    left: bool,
    left_on: datetime.date | None,
    amount_fen: int | None,
) -> str:
    """Why an approved recipient is not paid for `month` ("" when paid)."""
    if month < first:
        return f"自{month_label(first)}起发放"
    if month > last:
        return f"已满发放期限，最后发放月份为{month_label(last)}"
    if left and not paid_despite_leaving(month, left_on):
        if left_on is None:
            return "已离开本县（未登记离开时间）"
        return f"已于{left_on:%Y-%m-%d}离开本县"
    if amount_fen is None:
        return "学历学位不在政策补贴标准中"
    return ""


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Full years of age (周岁) on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
