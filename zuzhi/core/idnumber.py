"""Resident ID numbers (公民身份号码, GB 11643-1999): check digit, birth date, gender.

`validate` is called once per row of imports of 100,000 rows: it compiles nothing, reads the
code file once per process and does only set look-ups and a little arithmetic per number.
"""

import datetime
import functools
import re
import unicodedata
from operator import mul

from .codes import read_code_tables

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
SHAPE = re.compile(r"\A[0-9]{17}[0-9X]\Z")
LEGACY_SHAPE = re.compile(r"\A[0-9]{15}\Z")
# The oldest a living person (党员, 干部, 后备干部…) can plausibly be.
MAX_AGE = 120
# Residence permits for residents of Hong Kong, Macao and Taiwan (港澳台居民居住证, 2018) carry
# 810000, 820000 and 830000 as their address code; 83 is in no administrative division table.
PERMIT_DIVISIONS = frozenset({"810000", "820000", "830000"})
PERMIT_PROVINCES = frozenset(code[:2] for code in PERMIT_DIVISIONS)


class IdNumberError(ValueError):
    """Why a number is not a valid ID number, in Chinese."""


def check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("check_char needs the first 17 digits")
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def normalize(value: str) -> str:
    """Upper-case, without spaces, in ASCII: a lower-case x is accepted and stored as X, and
    full-width digits typed with a Chinese input method (４１０…) become 410…, so one person
    can never be registered twice under two spellings of the same number."""
    # split() drops the same whitespace as the regex \s, at a fraction of the cost.
    text = "".join(str(value or "").split())
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.upper()


@functools.lru_cache(maxsize=1)
def divisions() -> frozenset[str]:
    """The six-digit codes of the administrative division table (ZB01) of DmGrp.xml, plus
    the residence-permit codes 810000, 820000 and 830000. Read once per process."""
    codes = {row["code"] for row in read_code_tables() if row["table"] == "ZB01"}
    return frozenset(codes | PERMIT_DIVISIONS)


@functools.lru_cache(maxsize=1)
def provinces() -> frozenset[str]:
    """The first two digits of the province-level codes (those ending in 0000) of ZB01 — 71
    Taiwan, 81 Hong Kong and 82 Macao among them — and 83 of Taiwan residence permits."""
    return frozenset(code[:2] for code in divisions() if code.endswith("0000")) | PERMIT_PROVINCES


@functools.lru_cache(maxsize=16)
def _oldest_birth(today: datetime.date) -> datetime.date:
    """The earliest birth date of someone at most MAX_AGE years old today; 29 February
    counts as 1 March in a year without it, as members.services.add_years does."""
    try:
        return today.replace(year=today.year - MAX_AGE)
    except ValueError:
        return datetime.date(today.year - MAX_AGE, 3, 1)


def validate(value: str, *, living: bool = False, today: datetime.date | None = None) -> str:
    """The normalized number, or IdNumberError saying in Chinese what is wrong.

    Checked in this order, so that the message names the most likely mistake: the shape
    (18 characters), the check digit (which catches any single mistyped digit), the birth
    date (exists, not after `today`, and with `living=True` at most 120 years ago), and the
    province (first two digits). An unknown division code within a valid province is
    accepted: divisions are abolished and merged, numbers stay (see `division_notice`).

    `today` defaults to timezone.localdate(); bulk imports pass it once for every row.
    """
    number = normalize(value)
    if not SHAPE.match(number):
        raise IdNumberError(_shape_message(number))
    if check_char(number[:17]) != number[17]:
        raise IdNumberError(
            "公民身份号码校验位（最后一位）与前 17 位不符：号码中有数字抄错或顺序颠倒。"
            "请对照身份证逐位核对后重新填写。"
        )
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdNumberError(
            f"公民身份号码第 7–14 位的出生日期“{number[6:14]}”不存在，请对照身份证核对号码。"
        ) from exc
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    if born > today:
        raise IdNumberError(
            f"公民身份号码中的出生日期 {born:%Y-%m-%d} 晚于今天，请对照身份证核对号码。"
        )
    if living and born < _oldest_birth(today):
        raise IdNumberError(
            f"公民身份号码中的出生日期 {born:%Y-%m-%d} 距今已超过 {MAX_AGE} 年，"
            "不可能是在世人员的号码，请对照身份证核对。"
        )
    if number[:2] not in provinces():
        raise IdNumberError(
            f"公民身份号码前 2 位“{number[:2]}”不是省级行政区划代码，"
            "请对照身份证核对号码（前 6 位为户籍所在地的行政区划代码）。"
        )
    return number


def _shape_message(number: str) -> str:
    if not number:
        return "请填写 18 位公民身份号码。"
    if LEGACY_SHAPE.match(number):
        return "这是 15 位的旧版公民身份号码，请填写 18 位的新号码（以第二代身份证上的号码为准）。"
    if number.isascii() and number[:-1].isdigit() and len(number) != 18:
        return f"公民身份号码应为 18 位（现为 {len(number)} 位），请对照身份证核对。"
    return "公民身份号码应为 18 位：17 位数字加 1 位数字或 X，不能有其他字符。请对照身份证核对。"


def division_notice(number: str) -> str | None:
    """For a valid number whose first six digits are not in the current division table
    (ZB01), a notice asking to check them: usually a division abolished since the number
    was issued, which is legitimate, sometimes a typo. None when the division is known."""
    code = normalize(number)[:6]
    if len(code) < 6 or code in divisions():
        return None
    return f"号码前 6 位“{code}”不在现行行政区划代码表中（可能是已撤销的区划），请核对。"


def upgrade_15(value: str) -> str:
    """A 15-digit number of the first-generation card (before 1999: six-digit division,
    YYMMDD, three-digit sequence, no check digit) as its 18-digit number: "19" inserted
    before the year and the check character appended (GB 11643-1999). The result is not
    validated further (province, age): pass it to `validate`."""
    number = normalize(value)
    if not LEGACY_SHAPE.match(number):
        raise IdNumberError(
            f"15 位旧版公民身份号码应为 15 位数字（现为“{number}”，{len(number)} 位），请核对。"
        )
    first17 = number[:6] + "19" + number[6:]
    try:
        datetime.date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14]))
    except ValueError as exc:
        raise IdNumberError(
            f"15 位旧版公民身份号码第 7–12 位的出生日期“{number[6:12]}”不存在，请核对。"
        ) from exc
    return first17 + check_char(first17)


def birth_date(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_code(number: str) -> str:
    """GB/T 2261.1 code: "1" male (odd sequence digit), "2" female (even)."""
    return "1" if int(number[16]) % 2 else "2"
