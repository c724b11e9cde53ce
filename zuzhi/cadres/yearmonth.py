"""Year-month dates of the appointment form (年月), stored as the form writes them: digits,
`197805`, or `19780512` when the day is known. Sorting the text sorts the dates."""

import datetime
import re

from .lrmx import YearMonth

_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_TYPED = re.compile(
    r"^\s*(\d{4})\s*[.\-/年]?\s*(\d{1,2})\s*(?:[.\-/月]\s*(\d{1,2})\s*日?)?\s*月?\s*$"
)


def ym_text(value: YearMonth | None) -> str:
    if value is None:
        return ""
    return f"{value.year:04d}{value.month:02d}" + (f"{value.day:02d}" if value.day else "")


def ym_value(text: str) -> YearMonth | None:
    match = _DIGITS.match(text or "")
    if match is None:
        return None
    return YearMonth(int(match[1]), int(match[2]), int(match[3]) if match[3] else None)


def ym_display(text: str) -> str:
    """`1978.05` (or `1978.05.12`), as the printed form and the pages show it."""
    value = ym_value(text)
    if value is None:
        return text or ""
    shown = f"{value.year:04d}.{value.month:02d}"
    return shown + (f".{value.day:02d}" if value.day else "")


def ym_parse(typed: str) -> str:
    """What a person typed (`1978.05`, `1978-5`, `197805`, `1978年5月`, `1978.05.12`) as stored
    digits; ValueError with a Chinese message when it is not a year and month."""
    typed = (typed or "").strip()
    if not typed:
        return ""
    match = _DIGITS.match(typed) or _TYPED.match(typed)
    if match is None:
        raise ValueError(f"“{typed}”不是有效的年月，请写成 1978.05 的样子。")
    year, month = int(match[1]), int(match[2])
    day = int(match[3]) if match[3] else None
    try:
        datetime.date(year, month, day or 1)
    except ValueError as exc:
        raise ValueError(f"“{typed}”不是有效的年月，请写成 1978.05 的样子。") from exc
    if not 1900 <= year <= 2100:
        raise ValueError(f"“{typed}”的年份不在 1900 至 2100 之间。")
    return ym_text(YearMonth(year, month, day))


def ym_first_day(text: str) -> datetime.date | None:
    value = ym_value(text)
    return None if value is None else datetime.date(value.year, value.month, value.day or 1)
