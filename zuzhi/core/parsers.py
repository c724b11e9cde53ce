"""Column parsers for imports (单元格解析): each reads one cell as its column expects, or
raises CellError saying in Chinese what is wrong and what to do; a change the clerk must see is
returned as Noted."""

import datetime
import re
from collections.abc import Callable
from typing import Any

from . import idnumber
from .cells import normalize_person_name, normalize_phone
from .excel import CellError, Noted
from .workbook import EXCEL_EPOCH

# Excel day numbers (1900 date system) read as dates: 1910-01-01 … 2099-12-31 only, so that a
# bare year such as 2021 is an error rather than a day in 1905.
SERIAL_MIN = (datetime.date(1910, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (datetime.date(2099, 12, 31) - EXCEL_EPOCH).days


def parse_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        raise CellError("应为文字，不是日期。")
    return str(value).strip()


def parse_date(value: Any) -> datetime.date:
    """Dates as Excel dates, or text like 2021-05-01, 2021/5/1, 2021.5.1, 20210501, 2021年5月1日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError("应为日期，请写成 2021-05-01 的形式。")
    if isinstance(value, int | float) and SERIAL_MIN <= value <= SERIAL_MAX:
        # A date pasted "as values" loses its date format and shows as Excel's day number.
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = parse_text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        raise CellError(f"“{text}”不是有效日期，请写成 2021-05-01 的形式。")
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise CellError(f"“{text}”不是存在的日期。") from exc


def choice_parser(choices) -> Callable[[Any], str]:
    """Accepts a choice's Chinese label (or its code) and returns the code."""
    by_label = {str(label): value for value, label in choices}
    by_value = {str(value): value for value, _ in choices}

    def parse(value: Any) -> str:
        text = parse_text(value)
        if text in by_label:
            return by_label[text]
        if text in by_value:
            return by_value[text]
        raise CellError(f"“{text}”不是可选值。可选：" + "、".join(by_label))

    return parse


NUMERIC_ID = (
    "身份证号码被存成了数字。Excel 只保留 15 位有效数字，18 位号码的后几位已经丢失"
    "（常显示为 4.10105E+17 或末尾变成 0），不能导入。请把这一列设置为“文本”格式，"
    "再对照原始资料重新输入号码（不要从本表复制）。"
)
SCIENTIFIC_RX = re.compile(r"\A\d(?:\.\d+)?E\+?\d+\Z", re.I)


def parse_id_number(value: Any) -> str | Noted:
    """公民身份号码 as a cell holds it. A number has lost digits (Excel keeps 15 significant
    digits), unless it is a 15-digit legacy number, which becomes 18 digits by the standard
    rule; the rest of the checks are the service's (idnumber.validate)."""
    if isinstance(value, bool) or isinstance(value, datetime.date):
        raise CellError("应为 18 位公民身份号码。")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer() or value < 0:
            raise CellError(NUMERIC_ID)
        digits = str(int(value))
        if len(digits) != 15:
            raise CellError(NUMERIC_ID)
        return _upgraded(digits)
    text = idnumber.normalize(value)
    if SCIENTIFIC_RX.match(text):
        raise CellError(NUMERIC_ID)
    if len(text) == 15 and text.isdigit():
        return _upgraded(text)
    if len(text) == 18:
        notice = idnumber.division_notice(text)
        if notice:
            return Noted(text, notice)
    return text


def _upgraded(digits: str) -> Noted:
    try:
        number = idnumber.upgrade_15(digits)
    except idnumber.IdNumberError as exc:
        raise CellError(str(exc)) from exc
    return Noted(number, f"15 位旧身份证号码 {digits} 已按国家标准转为 18 位：{number}。")


def parse_person_name(value: Any) -> str | Noted:
    """A person's name without the spaces typed to line names up (王　芳 → 王芳), keeping the
    middle dot of minority and foreign names; a change is listed in the preview."""
    text = value if type(value) is str else parse_text(value)  # the reader stripped it
    name = normalize_person_name(text)
    if not name:
        raise CellError("姓名不能为空。")
    return name if name == text else Noted(name, f"姓名“{text}”已去掉多余的空格，读作“{name}”。")


def parse_phone(value: Any) -> str:
    if (
        type(value) is str
        and len(value) == 11
        and value.isdigit()
        and value.isascii()
        and value[0] == "1"
        and value[1] in "3456789"
    ):
        return value  # a mobile number as it should be: most of a roster
    return normalize_phone(value)
