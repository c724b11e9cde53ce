"""Reading cells as clerks type them: placeholders, names, phone numbers, month-precision
dates, percentages and numbers.

Pure functions. A value that cannot be read raises excel.CellError with a Chinese message
saying what is wrong and what to do. excel.py imports this module (through workbook.py), so
CellError and parse_date are looked up when needed rather than imported at the top.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

# Texts meaning "nothing to fill in" in an optional cell. "0" is a value, not one of them.
PLACEHOLDERS = frozenset({"—", "——", "-", "--", "－", "/", "／", "\\", "无", "暂无", "空"})

# Full-width ASCII forms (Ａ, １, （, ．, －…) as ASCII: what NFKC does for them, without NFKC's
# changes to CJK compatibility ideographs, which can be the very character of a name.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
MIDDLE_DOT = "\u00b7"
# The separator dot of minority and foreign names (间隔号), as the input methods type it.
_DOT_VARIANTS = "\u2022\u30fb\uff65\u2027\u2219\u22c5\u0387"
_NAME_TABLE = {**_FULL_WIDTH, **_ZERO_WIDTH, **dict.fromkeys(map(ord, _DOT_VARIANTS), MIDDLE_DOT)}
# Han ideographs (and 々 〇), the characters between which no space belongs in a name.
_CJK = "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_CJK_RX = re.compile(f"[{_CJK}]")
_CJK_DOT_RX = re.compile(f"(?<=[{_CJK}])\\.(?=[{_CJK}])")

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\u2500"
_PHONE_TABLE = {**_FULL_WIDTH, **_ZERO_WIDTH, **dict.fromkeys(map(ord, _DASHES), "-"), 0x3000: " "}
# Between two phone numbers (one cell holding a mobile and a landline, or two mobiles).
_PHONE_LIST_RX = re.compile(r"[/\\、,;|\n\r]|或|和|及")
_PHONE_CHARS_RX = re.compile(r"[^0-9 ()+-]")
_PHONE_GROUPS_RX = re.compile(r"[ -]+")
_PHONE_PAREN_RX = re.compile(r"\( *([0-9]+) *\)[ -]*([0-9][0-9 -]*)")

MIN_YEAR, MAX_YEAR = 1900, 2099
_MONTH_RX = re.compile(r"([0-9]{4})(?:[-/.]([0-9]{1,2})|年([0-9]{1,2})月|([0-9]{2}))")
_YEAR_RX = re.compile(r"[0-9]{4}年?")
_DAYLIKE_RX = re.compile(r"[0-9]{4}[^0-9]+[0-9]{1,2}[^0-9]+[0-9]{1,2}[^0-9]*|[0-9]{8}")
_FLOAT_MONTH_RX = re.compile(r"([0-9]{4})\.([0-9]+)")

_NUMBER_RX = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|[+-]?\.[0-9]+")
_NUMBER_TABLE = {0x2212: "-"}  # the minus sign of math input, which NFKC keeps


def _error(message: str) -> ValueError:
    from .excel import CellError

    return CellError(message)


def _squeeze(text: str) -> str:
    """Without any whitespace, and in ASCII where full-width forms were typed."""
    text = "".join(text.split())
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


# ---- Placeholders -------------------------------------------------------------------------


# ---- Names --------------------------------------------------------------------------------


_PLAIN_NAME_RX = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


def normalize_person_name(text: str) -> str:
    """A name as it is registered: no spaces between Chinese characters (王　芳 → 王芳), the
    separator dot of minority and foreign names as U+00B7 with no spaces around it
    (阿不都 • 热合曼 → 阿不都·热合曼; a . or ． between two Chinese characters is read as that
    dot), one space between Latin words (John  Smith → John Smith), full-width Latin letters
    and digits as ASCII, and no zero-width characters. Chinese characters are never changed.
    A space between a Chinese character and a Latin letter is dropped too."""
    if type(text) is str and _PLAIN_NAME_RX.fullmatch(text):
        return text  # Chinese characters, letters and digits alone: nothing to change
    parts = str(text or "").translate(_NAME_TABLE).split()
    if not parts:
        return ""
    out = [parts[0]]
    for part in parts[1:]:
        left, right = out[-1][-1], part[0]
        if not (
            left == MIDDLE_DOT or right == MIDDLE_DOT or _CJK_RX.match(left) or _CJK_RX.match(right)
        ):
            out.append(" ")
        out.append(part)
    name = "".join(out)
    return _CJK_DOT_RX.sub(MIDDLE_DOT, name) if "." in name else name


# ---- Phone numbers ------------------------------------------------------------------------


def normalize_phone(value: Any) -> str:
    """One phone number as written, in the form stored:

    - a mobile as its 11 digits: 138-1234-5678, 138 1234 5678, +86 138 1234 5678 → 13812345678;
    - a landline written with its area code apart, (0377)6512345, 0377-6512345, 0377 6512345,
      0377—6512345 → 0377-6512345; written all together, 03776512345, → unchanged.

    Area codes are 010, 02X (3 digits) or 0[3-9]XX (4 digits); local numbers are 7 or 8 digits.
    A number cell (Excel drops a landline's leading 0) is read as its digits. Empty text gives
    "". Anything else (letters, extensions, two numbers, a wrong length) raises CellError.
    The result always matches members.services.PHONE_RX."""
    if isinstance(value, bool):
        raise _error("应为电话号码，请填写 11 位手机号码或带区号的固定电话。")
    numeric = isinstance(value, int | float)
    if isinstance(value, float):
        if not value.is_integer():
            raise _error(f"“{value!r}”不是电话号码，请填写 11 位手机号码或带区号的固定电话。")
        value = int(value)
    shown = str(value if value is not None else "").strip()
    if not shown:
        return ""
    text = shown.translate(_PHONE_TABLE)
    if _PHONE_LIST_RX.search(text) or _several_numbers(text):
        raise _error(f"“{shown}”中有多个号码：只能填一个电话号码，请只保留一个。")
    text = " ".join(text.split())  # no-break and other Unicode spaces as plain ones
    other = _PHONE_CHARS_RX.search(text)
    if other:
        if "转" in text or "分机" in text or "ext" in text.lower():
            raise _error(f"“{shown}”带有分机号：只能填写电话号码本身，请删去分机号。")
        raise _error(
            f"“{shown}”中有“{other.group()}”：电话号码只能由数字组成"
            "（区号可加括号或连字符），请删去其他文字。"
        )
    international = False
    if text.startswith("+"):
        text = text[1:].lstrip()
        if not text.startswith("86"):
            raise _error(f"“{shown}”不是中国大陆的电话号码：国家代码只能是 +86，或不写。")
        text, international = text[2:].lstrip(" -"), True
    elif text.startswith("0086"):
        text, international = text[4:].lstrip(" -"), True
    elif text.startswith("86"):
        rest = text[2:].lstrip(" -")
        if rest.startswith("1") and len(_PHONE_GROUPS_RX.sub("", rest)) == 11:
            text, international = rest, True
    if international and text[:1] not in ("0", "1", "("):
        text = "0" + text  # +86 377 6512345: the area code is written without its 0 abroad
    if "(" in text or ")" in text:
        match = _PHONE_PAREN_RX.fullmatch(text)
        if not match:
            raise _error(f"“{shown}”的括号用法不对：括号里只写区号，如 (0377)6512345。")
        return _landline(shown, match.group(1), _PHONE_GROUPS_RX.sub("", match.group(2)))
    groups = [g for g in _PHONE_GROUPS_RX.split(text) if g]
    digits = "".join(groups)
    if digits.startswith("1"):
        if len(digits) != 11:
            raise _error(f"“{shown}”：手机号码应为 11 位（现为 {len(digits)} 位），请核对。")
        if digits[1] not in "3456789":
            raise _error(f"“{shown}”不是手机号码：手机号码以 13–19 开头，请核对。")
        return digits
    if digits.startswith("0"):
        if len(groups) > 1:
            return _landline(shown, groups[0], "".join(groups[1:]))
        area = 3 if digits.startswith(("010", "02")) else 4
        _landline(shown, digits[:area], digits[area:])
        return digits
    if not digits:
        raise _error(f"“{shown}”不是电话号码，请填写 11 位手机号码或带区号的固定电话。")
    if numeric:
        raise _error(
            f"“{shown}”不是完整的电话号码：单元格是数字格式时 Excel 会去掉固定电话区号开头的 0。"
            "请把这一列设置为“文本”后重新填写，如 0377-6512345。"
        )
    if len(digits) in (7, 8):
        raise _error(f"“{shown}”缺少区号：固定电话请带区号，如 0377-6512345。")
    raise _error(
        f"“{shown}”不是电话号码：手机号码为 1 开头的 11 位数字，固定电话以区号 0 开头，"
        "如 13812345678、0377-6512345。"
    )


def _several_numbers(text: str) -> bool:
    """Two or more groups long enough to be numbers by themselves (7 digits and more)."""
    return sum(len(g) >= 7 for g in _PHONE_GROUPS_RX.split(text.replace("+", " "))) >= 2


def _landline(shown: str, area: str, local: str) -> str:
    if not (
        (len(area) == 3 and (area == "010" or area.startswith("02")))
        or (len(area) == 4 and area[0] == "0" and area[1] in "3456789")
    ):
        raise _error(
            f"“{shown}”的区号“{area}”不对：区号为 010、02X 这样的 3 位，"
            "或 0 开头的 4 位（如 0377），请核对。"
        )
    if len(local) not in (7, 8):
        raise _error(
            f"“{shown}”：区号后的固定电话号码应为 7 或 8 位（现为 {len(local)} 位），请核对。"
        )
    if local[0] in "01":
        raise _error(f"“{shown}”：区号后的固定电话号码不会以 {local[0]} 开头，请核对。")
    return f"{area}-{local}"


# ---- Dates of month precision -------------------------------------------------------------


class _Dated(NamedTuple):
    day: datetime.date
    precision: str  # "day" or "month"


class PartialDate(_Dated):
    """A date as precise as it was written. For precision "month", `day` is the first of the
    month and stands for the month only: never show or compare it as a real day. A tuple
    rather than a frozen dataclass: a 100,000-row import makes one for every date cell."""

    __slots__ = ()

    def __new__(cls, day: datetime.date, precision: str):
        if precision not in ("day", "month"):
            raise ValueError(f"precision must be 'day' or 'month', not {precision!r}")
        if precision == "month" and day.day != 1:
            raise ValueError("a month is stored as its first day")
        return super().__new__(cls, day, precision)


_DAYS: dict[datetime.date, PartialDate] = {}


def format_partial(p: PartialDate) -> str:
    """As Chinese forms write dates: 1985.03 for a month, 1985.03.15 for a day. Both parse
    back to `p` with parse_partial_date."""
    if p.precision == "month":
        return f"{p.day.year}.{p.day.month:02d}"
    return f"{p.day.year}.{p.day.month:02d}.{p.day.day:02d}"


def parse_partial_date(value: Any) -> PartialDate:
    """A date to the day, or a month where only the month was written.

    - to the day: whatever parsers.parse_date reads (date cells, Excel day numbers, 2021-05-01,
      2021/5/1, 2021.5.1, 20210501, 2021年5月1日);
    - a month: 1985.03, 1985.3, 1985-03, 1985/3, 1985年3月, 198503, and the number 1985.03
      that Excel keeps when 1985.03 is typed in a General cell. A number whose decimals read 1
      (1985.1) is refused: Excel stores 1985.10 as 1985.1, so October and January cannot be
      told apart.

    Years outside 1900–2099 are refused, so that 851203 (YYMMDD) is never the year 8512.
    """
    if isinstance(value, datetime.date):
        # A date cell, as most of a roster's dates are: the same days recur (七一), so each
        # one's PartialDate is made once.
        day = value.date() if isinstance(value, datetime.datetime) else value
        known = _DAYS.get(day)
        if known is not None:
            return known
        partial = _checked(day, "day", str(value))
        if len(_DAYS) < 100_000:
            _DAYS[day] = partial
        return partial
    from . import excel, parsers

    if isinstance(value, bool):
        raise _error("应为日期，请写成 2021-05-01（年月日）或 1985.03（年月）的形式。")
    if isinstance(value, int | float):
        if parsers.SERIAL_MIN <= value <= parsers.SERIAL_MAX:
            return _checked(parsers.parse_date(value), "day", repr(value))
        if isinstance(value, float) and not value.is_integer():
            return _float_month(value)
        value = str(int(value))  # 198503, 20210501 typed in a General cell
    shown = str(value if value is not None else "").strip()
    text = _squeeze(shown)
    match = _MONTH_RX.fullmatch(text)
    if match:
        year = int(match.group(1))
        month = int(match.group(2) or match.group(3) or match.group(4))
        if not 1 <= month <= 12:
            raise _error(f"“{shown}”不是有效的年月：月份应为 1–12。请写成 1985.03 的形式。")
        return _checked(datetime.date(year, month, 1), "month", shown)
    if _YEAR_RX.fullmatch(text):
        raise _error(f"“{shown}”只有年份，请写到月，如 {text[:4]}.03。")
    if _DAYLIKE_RX.fullmatch(text):
        try:
            return _checked(parsers.parse_date(text), "day", shown)
        except excel.CellError as exc:
            raise _error(
                f"“{shown}”不是存在的日期，请核对年、月、日，写成 2021-05-01 的形式。"
            ) from exc
    raise _error(
        f"“{shown}”不是有效的日期或年月：有日的请写成 2021-05-01，只有年月的请写成 1985.03。"
    )


def _float_month(value: float) -> PartialDate:
    shown = repr(value)  # the shortest text that reads back as this float: what was typed
    match = _FLOAT_MONTH_RX.fullmatch(shown)
    if not match:
        raise _error(f"“{shown}”不是有效的日期或年月，只有年月的请写成 1985.03 的形式。")
    year, decimals = match.groups()
    if decimals == "1":
        raise _error(
            f"“{shown}”无法确定月份：Excel 会把 {year}.10 存成 {year}.1，与 {year}.01 分不清。"
            f"请把这一列设置为“文本”，再写成 {year}.01（1 月）或 {year}.10（10 月）。"
        )
    if len(decimals) > 2 or not 1 <= int(decimals) <= 12:
        raise _error(f"“{shown}”不是有效的年月：月份应为 01–12，请写成 {year}.03 的形式。")
    return _checked(datetime.date(int(year), int(decimals), 1), "month", shown)


def _checked(day: datetime.date, precision: str, shown: str) -> PartialDate:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _error(f"“{shown}”的年份 {day.year} 不在 {MIN_YEAR}–{MAX_YEAR} 年之间，请核对。")
    return PartialDate(day=day, precision=precision)


# ---- Percentages and numbers --------------------------------------------------------------


def percent_text(number: float) -> str:
    """The text a percent-formatted cell shows for the fraction it stores, with every digit
    kept: 0.925 → "92.5%", 1 → "100%", 0.07 → "7%". Computed in Decimal from the float's
    shortest text, never in float (0.07 * 100 is 7.000000000000001)."""
    exact = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    if not exact.is_finite():
        raise ValueError(f"not a finite number: {number!r}")
    shown = (exact * 100).normalize()
    return f"{shown if shown else Decimal(0):f}%"


def parse_decimal(value: Any) -> Decimal:
    """A number cell, or text: 1234.5, 1,234.5, full-width digits, and a percentage read as
    the number before its sign (92.5%, 92.5 %, 92.5％ are 92.5). Floats are read through their
    shortest text (0.1 → Decimal("0.1")). Anything else raises CellError naming the text."""
    if isinstance(value, bool):
        raise _error("应为数字，请只填写数字，如 92.5。")
    if isinstance(value, Decimal | int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise _error(f"“{value}”不是数字，请只填写数字，如 92.5。")
        return number
    if isinstance(value, datetime.date):
        raise _error(f"应为数字，不是日期（{value:%Y-%m-%d}），请只填写数字，如 92.5。")
    shown = str(value if value is not None else "").strip()
    text = _squeeze(shown).translate(_NUMBER_TABLE)
    if not text:
        raise _error("应为数字，不能为空。")
    if text.endswith("%"):
        text = text[:-1]
    if _NUMBER_RX.fullmatch(text):
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    if "," in text and _NUMBER_RX.fullmatch(text.replace(",", "")):
        raise _error(
            f"“{shown}”中的逗号位置不对：千位分隔符应每 3 位一个（如 1,234.5），小数点请用“.”。"
        )
    raise _error(f"“{shown}”不是数字，请只填写数字（如 92.5，百分数可写 92.5%）。")
