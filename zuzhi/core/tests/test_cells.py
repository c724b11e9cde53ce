import datetime
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.core.cells import (
    PLACEHOLDERS,
    PartialDate,
    format_partial,
    normalize_person_name,
    normalize_phone,
    parse_decimal,
    parse_partial_date,
    percent_text,
)
from zuzhi.core.excel import CellError
from zuzhi.core.workbook import EXCEL_EPOCH
from zuzhi.members.services import PHONE_RX

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
SPACES = st.text(st.sampled_from(" \t\u3000\u00a0\u2002\u202f"), min_size=1, max_size=3)


def test_the_module_imports_first_or_after_excel():
    # workbook.py (imported by excel.py) imports cells.py: neither order may be circular.
    for first, then in (("cells", "excel"), ("excel", "cells")):
        code = f"import zuzhi.core.{first}, zuzhi.core.{then}"
        subprocess.run([sys.executable, "-c", code], check=True)


# ---- Placeholders ---------------------------------------------------------------------------


def _read_optional(text):
    """An optional cell as the reader reads it: (value, error)."""
    from zuzhi.core.excel import Column, _read_cell

    value, _note, error = _read_cell(Column("备注", "note", parse=lambda v: v), text)
    return value, error


@pytest.mark.parametrize("text", ["—", "——", "-", "--", "－", "/", "／", "\\", "无", "暂无", "空"])
def test_placeholders_in_an_optional_cell_read_as_empty(text):
    assert text in PLACEHOLDERS
    assert _read_optional(text) == (None, None)
    assert _read_optional(f" \u3000{text}\t") == (None, None)


@pytest.mark.parametrize("text", ["0", "无无", "N/A", "---", "没有", "—-", "空白", "0.0"])
def test_nothing_else_is_a_placeholder(text):
    assert _read_optional(text) == (text, None)


# ---- Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,name",
    [
        ("王　芳", "王芳"),
        ("李  明", "李明"),
        ("张 三", "张三"),
        ("\u00a0王\u00a0芳\u2003", "王芳"),
        ("王\u200b芳", "王芳"),
        ("阿不都·热合曼", "阿不都·热合曼"),
        ("阿不都 · 热合曼", "阿不都·热合曼"),
        ("阿不都\u3000·\u3000热合曼", "阿不都·热合曼"),
        ("阿不都•热合曼", "阿不都·热合曼"),
        ("阿不都・热合曼", "阿不都·热合曼"),
        ("阿不都･热合曼", "阿不都·热合曼"),
        ("阿不都‧热合曼", "阿不都·热合曼"),
        ("阿不都∙热合曼", "阿不都·热合曼"),
        ("阿不都.热合曼", "阿不都·热合曼"),
        ("阿不都．热合曼", "阿不都·热合曼"),
        ("阿不都 . 热合曼", "阿不都·热合曼"),
        ("买买提·依明·阿不都", "买买提·依明·阿不都"),
        ("John  Smith", "John Smith"),
        ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),
        ("John F. Kennedy", "John F. Kennedy"),
        ("John · Smith", "John·Smith"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_names_as_typed(typed, name):
    assert normalize_person_name(typed) == name


def test_compatibility_ideographs_are_kept():
    # NFKC would turn U+F900 into U+8C48: a different code point for a registered name.
    assert normalize_person_name("\uf900 明") == "\uf900明"


@given(st.text())
def test_names_idempotent(text):
    once = normalize_person_name(text)
    assert normalize_person_name(once) == once
    assert "\u3000" not in once and once == once.strip()
    assert "  " not in once


@given(st.text(CJK, min_size=1))
def test_chinese_only_names_are_never_changed(text):
    assert normalize_person_name(text) == text


@given(st.lists(st.text(CJK, min_size=1, max_size=3), min_size=1, max_size=4), st.data())
def test_no_space_between_chinese_characters(parts, data):
    typed = "".join(part + data.draw(SPACES) for part in parts)
    assert normalize_person_name(typed) == "".join(parts)


# ---- Phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,phone",
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("８６-13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("\u00a0138\u30001234\u30005678 ", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("(0377)6512345", "0377-6512345"),
        ("（0377）6512345", "0377-6512345"),
        ("(0377) 6512345", "0377-6512345"),
        ("0377-6512345", "0377-6512345"),
        ("0377 6512345", "0377-6512345"),
        ("0377—6512345", "0377-6512345"),
        ("0377——6512345", "0377-6512345"),
        ("0377－6512345", "0377-6512345"),
        ("010-65123456", "010-65123456"),
        ("0755-8651-2345", "0755-86512345"),
        ("+86 377 6512345", "0377-6512345"),
        ("03776512345", "03776512345"),
        ("01065123456", "01065123456"),
        ("075586512345", "075586512345"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_phones_as_written(typed, phone):
    assert normalize_phone(typed) == phone
    assert not phone or PHONE_RX.match(phone)


@pytest.mark.parametrize(
    "typed,reason",
    [
        ("13812345678/13912345678", "只能填一个电话号码"),
        ("13812345678、0377-6512345", "只能填一个电话号码"),
        ("13812345678，13912345678", "只能填一个电话号码"),
        ("13812345678\n13912345678", "只能填一个电话号码"),
        ("13812345678 13912345678", "只能填一个电话号码"),
        ("13812345678或13912345678", "只能填一个电话号码"),
        ("0377-6512345 13812345678", "只能填一个电话号码"),
        ("1381234567", "手机号码应为 11 位（现为 10 位）"),
        ("138123456789", "手机号码应为 11 位（现为 12 位）"),
        ("12812345678", "以 13–19 开头"),
        ("1381234567a", "中有“a”"),
        ("手机13812345678", "中有“手”"),
        ("0377-6512345转8001", "分机号"),
        ("0377-6512345 ext 12", "分机号"),
        ("+1 415 555 1234", "+86"),
        ("6512345", "缺少区号"),
        (3776512345.0, "Excel 会去掉"),
        ("037-6512345", "区号“037”不对"),
        ("0177-6512345", "区号“0177”不对"),
        ("0377-651234", "应为 7 或 8 位（现为 6 位）"),
        ("0377-651234567", "应为 7 或 8 位（现为 9 位）"),
        ("0377-0512345", "不会以 0 开头"),
        ("0376512345", "应为 7 或 8 位"),
        ("(0377 6512345", "括号"),
        ("0377(6512345)", "括号"),
        ("--", "不是电话号码"),
        ("4001234567", "不是电话号码"),
        (138.5, "不是电话号码"),
        (True, "应为电话号码"),
    ],
)
def test_phones_refused(typed, reason):
    with pytest.raises(CellError, match=re.escape(reason)):
        normalize_phone(typed)


MOBILES = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
AREAS = st.one_of(
    st.just("010"),
    st.from_regex(r"\A02[0-9]\Z"),
    st.from_regex(r"\A0[3-9][0-9]{2}\Z"),
)
LOCALS = st.from_regex(r"\A[2-9][0-9]{6,7}\Z")


@given(MOBILES)
def test_every_mobile_in_every_form(mobile):
    a, b, c = mobile[:3], mobile[3:7], mobile[7:]
    for typed in (
        mobile,
        f"{a}-{b}-{c}",
        f"{a} {b} {c}",
        f"+86 {a} {b} {c}",
        f"+86-{mobile}",
        f"86{mobile}",
        int(mobile),
        float(mobile),
    ):
        assert normalize_phone(typed) == mobile
    assert PHONE_RX.match(mobile)


@given(AREAS, LOCALS)
def test_every_landline_in_every_form(area, local):
    phone = f"{area}-{local}"
    for typed in (
        phone,
        f"({area}){local}",
        f"（{area}）{local}",
        f"{area} {local}",
        f"{area}—{local}",
    ):
        assert normalize_phone(typed) == phone
    assert normalize_phone(area + local) == area + local
    assert PHONE_RX.match(phone) and PHONE_RX.match(area + local)


@given(st.text(max_size=20))
def test_any_text_is_read_as_a_valid_phone_or_refused(text):
    try:
        phone = normalize_phone(text)
    except CellError as exc:
        assert str(exc)
    else:
        assert phone == "" or PHONE_RX.match(phone)


# ---- Dates of month precision ---------------------------------------------------------------


def month(year, m):
    return PartialDate(datetime.date(year, m, 1), "month")


def day(year, m, d):
    return PartialDate(datetime.date(year, m, d), "day")


@pytest.mark.parametrize(
    "typed",
    ["1985.03", "1985.3", "1985-03", "1985/3", "1985年3月", "1985年03月", "198503", 198503,
     198503.0, 1985.03, "１９８５．０３", " 1985 年 3 月 "],
)  # fmt: skip
def test_months(typed):
    assert parse_partial_date(typed) == month(1985, 3)


@pytest.mark.parametrize(
    "typed",
    [
        datetime.date(2021, 5, 1),
        datetime.datetime(2021, 5, 1, 8, 30),
        (datetime.date(2021, 5, 1) - EXCEL_EPOCH).days,
        float((datetime.date(2021, 5, 1) - EXCEL_EPOCH).days),
        "2021-05-01",
        "2021/5/1",
        "2021.5.1",
        "20210501",
        20210501,
        "2021年5月1日",
        "２０２１－０５－０１",
    ],
)
def test_days(typed):
    assert parse_partial_date(typed) == day(2021, 5, 1)


def test_text_months_10_and_1_are_what_they_say():
    assert parse_partial_date("1985.10") == month(1985, 10)
    assert parse_partial_date("1985.1") == month(1985, 1)
    assert parse_partial_date("1985.01") == month(1985, 1)


def test_a_number_ending_in_1_could_be_january_or_october():
    assert parse_partial_date(1985.01) == month(1985, 1)
    assert parse_partial_date(1985.11) == month(1985, 11)
    with pytest.raises(CellError, match="Excel 会把 1985.10 存成 1985.1") as exc:
        parse_partial_date(1985.10)
    assert "设置为“文本”" in str(exc.value) and "1985.01" in str(exc.value)


@pytest.mark.parametrize(
    "typed,reason",
    [
        ("1985.13", "“1985.13”不是有效的年月"),
        ("1985.0", "“1985.0”不是有效的年月"),
        ("1985年13月", "不是有效的年月"),
        ("198513", "不是有效的年月"),
        (1985.13, "“1985.13”不是有效的年月"),
        (1985.001, "“1985.001”不是有效的年月"),
        (1985, "“1985”只有年份"),
        (1985.0, "“1985”只有年份"),
        ("1985", "“1985”只有年份"),
        ("1985年", "只有年份"),
        ("2021-02-30", "“2021-02-30”不是存在的日期"),
        ("20210230", "不是存在的日期"),
        ("2021年2月30日", "不是存在的日期"),
        ("851203", "年份 8512 不在 1900–2099 年之间"),
        ("1899.12", "年份 1899"),
        (datetime.date(1899, 12, 31), "年份 1899"),
        ("三月", "不是有效的日期或年月"),
        ("", "不是有效的日期或年月"),
        (-1985.03, "不是有效的日期或年月"),
        (float("nan"), "不是有效的日期或年月"),
        (True, "应为日期"),
    ],
)
def test_dates_refused(typed, reason):
    with pytest.raises(CellError, match=re.escape(reason)):
        parse_partial_date(typed)


DATES = st.dates(min_value=datetime.date(1910, 1, 1), max_value=datetime.date(2099, 12, 31))


@given(DATES)
def test_every_day_in_every_form(d):
    expected = PartialDate(d, "day")
    serial = (d - EXCEL_EPOCH).days
    for typed in (
        d,
        datetime.datetime.combine(d, datetime.time(12)),
        serial,
        float(serial),
        f"{d:%Y-%m-%d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d:%Y.%m.%d}",
        f"{d:%Y%m%d}",
        f"{d.year}年{d.month}月{d.day}日",
        format_partial(expected),
    ):
        assert parse_partial_date(typed) == expected, typed


@given(st.integers(1900, 2099), st.integers(1, 12))
def test_every_month_in_every_form(year, m):
    expected = month(year, m)
    for typed in (
        f"{year}.{m:02d}",
        f"{year}.{m}",
        f"{year}-{m:02d}",
        f"{year}/{m}",
        f"{year}年{m}月",
        f"{year}年{m:02d}月",
        f"{year}{m:02d}",
        int(f"{year}{m:02d}"),
        format_partial(expected),
    ):
        assert parse_partial_date(typed) == expected, typed
    if m not in (1, 10):
        assert parse_partial_date(year + m / 100) == expected
        assert parse_partial_date(float(f"{year}.{m:02d}")) == expected
    if m == 1:
        assert parse_partial_date(float(f"{year}.01")) == expected
    if m == 10:
        with pytest.raises(CellError, match="分不清"):
            parse_partial_date(float(f"{year}.10"))


def test_format_partial():
    assert format_partial(month(1985, 3)) == "1985.03"
    assert format_partial(day(1985, 3, 15)) == "1985.03.15"


def test_a_month_is_its_first_day_and_precision_is_checked():
    with pytest.raises(ValueError):
        PartialDate(datetime.date(1985, 3, 15), "month")
    with pytest.raises(ValueError):
        PartialDate(datetime.date(1985, 3, 1), "year")


# ---- Percentages and numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "number,text",
    [
        (0.925, "92.5%"),
        (0.5, "50%"),
        (1, "100%"),
        (1.0, "100%"),
        (0.123456, "12.3456%"),
        (0.07, "7%"),
        (0.0, "0%"),
        (-0.0, "0%"),
        (-0.05, "-5%"),
        (12.5, "1250%"),
        (1e-07, "0.00001%"),
    ],
)
def test_percent_text(number, text):
    assert percent_text(number) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_percent_text_is_read_back_exactly(number):
    assert parse_decimal(percent_text(number)) == Decimal(repr(number)) * 100


@pytest.mark.parametrize(
    "typed,number",
    [
        ("92.5%", "92.5"),
        ("92.5 %", "92.5"),
        ("92.5％", "92.5"),
        ("１２３．５", "123.5"),
        ("1,234.5", "1234.5"),
        ("1，234.5", "1234.5"),
        ("12,345,678", "12345678"),
        (" -5 ", "-5"),
        ("−5", "-5"),
        ("+5", "5"),
        (".5", "0.5"),
        ("0", "0"),
        (0.1, "0.1"),
        (92.5, "92.5"),
        (7, "7"),
        (Decimal("1.50"), "1.50"),
    ],
)
def test_parse_decimal(typed, number):
    assert parse_decimal(typed) == Decimal(number)


def test_floats_are_read_through_their_shortest_text():
    assert str(parse_decimal(0.1)) == "0.1"
    assert str(parse_decimal(0.07 * 100)) == "7.000000000000001"  # what the cell holds


@pytest.mark.parametrize(
    "typed,reason",
    [
        ("abc", "“abc”不是数字"),
        ("92.5%%", "“92.5%%”不是数字"),
        ("1e5", "“1e5”不是数字"),
        ("12,34", "“12,34”中的逗号位置不对"),
        ("1.234,5", "逗号位置不对"),
        ("五", "“五”不是数字"),
        ("", "不能为空"),
        (float("nan"), "不是数字"),
        (float("inf"), "不是数字"),
        (True, "应为数字"),
        (datetime.date(2021, 5, 1), "不是日期"),
    ],
)
def test_parse_decimal_refuses(typed, reason):
    with pytest.raises(CellError, match=re.escape(reason)):
        parse_decimal(typed)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1e9, max_value=1e9))
def test_parse_decimal_reads_numbers_as_written(number):
    text = f"{number:f}"
    assert parse_decimal(text) == number
    assert parse_decimal(text + "%") == number
    assert parse_decimal(f"{number:,f}") == number
