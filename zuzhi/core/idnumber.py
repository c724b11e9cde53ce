"""Resident ID numbers (公民身份号码, GB 11643-1999): check digit, birth date, gender."""

import datetime
import re
import unicodedata
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
SHAPE = re.compile(r"\A[0-9]{17}[0-9X]\Z")


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


def validate(value: str) -> str:
    """The normalized number, or IdNumberError naming what is wrong."""
    number = normalize(value)
    if not SHAPE.match(number):
        raise IdNumberError("公民身份号码应为 18 位：17 位数字加 1 位数字或 X。")
    try:
        birth_date(number)
    except ValueError as exc:
        raise IdNumberError("公民身份号码中的出生日期不存在。") from exc
    if check_char(number[:17]) != number[17]:
        raise IdNumberError("公民身份号码校验位不正确，请核对。")
    return number


def birth_date(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_code(number: str) -> str:
    """GB/T 2261.1 code: "1" male (odd sequence digit), "2" female (even)."""
    return "1" if int(number[16]) % 2 else "2"
