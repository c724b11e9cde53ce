"""Phone numbers as every form, API and import checks them (电话号码): the one rule.

A number is read as clerks type it (138-1234-5678, +86 138 1234 5678, (0377)6512345: see
cells.normalize_phone) and stored in one form. A field for a person's own phone (书记电话)
takes an 11-digit mainland mobile only; a field that may hold a landline (a member's
联系电话, kept from real rosters) takes either.
"""

import re

from django.core.exceptions import ValidationError

MOBILE_RX = re.compile(r"\A1[3-9]\d{9}\Z")
LANDLINE_RX = re.compile(r"\A0\d{2,3}-?\d{7,8}\Z")
MOBILE_MESSAGE = "请填写 11 位手机号码（1 开头，第二位为 3–9），如 13812345678。"


def phone_clean(value, *, landline: bool = False) -> str:
    """`value` as stored ("" for none), or a ValidationError in Chinese saying what is
    wrong. `landline` allows a fixed line with its area code (0377-6512345)."""
    from .cells import normalize_phone
    from .excel import CellError

    try:
        phone = normalize_phone(value)
    except CellError as exc:
        if landline:
            raise ValidationError(str(exc)) from exc
        phone = None
    if phone == "" or (phone and MOBILE_RX.match(phone)):
        return phone
    if landline and phone and LANDLINE_RX.match(phone):
        return phone
    raise ValidationError(f"“{str(value).strip()}”不是手机号码：{MOBILE_MESSAGE}")
