"""Resident ID numbers (公民身份号码, GB 11643-1999): check digit, birth date, gender."""

import datetime
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
SHAPE = re.compile(r"\A\d{17}[\dX]\Z")


class IdNumberError(ValueError):
    """Why a number is not a valid ID number, in Chinese."""


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(value: str) -> str:
    """Upper-case, without spaces: a lower-case x is accepted and stored as X."""
    return re.sub(r"\s", "", str(value or "")).upper()


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
