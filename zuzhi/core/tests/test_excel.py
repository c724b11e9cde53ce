import datetime
import io
import struct
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from zuzhi.core.excel import CellError, Column, ExcelFileError, read_sheet
from zuzhi.core.parsers import parse_date, parse_text
from zuzhi.core.xlsx_template import template_bytes
from zuzhi.testing.xlsx import make_xlsx


def read_rows(content, *, columns):
    return read_sheet(content, columns=columns).rows


COLUMNS = [
    Column("代码", "code", required=True, parse=parse_text),
    Column("日期", "day", parse=parse_date),
]


def test_reads_rows_with_excel_row_numbers(db):
    rows = read_rows(
        make_xlsx([["代码", "日期"], ["A1", "2021-05-01"], [None, None], ["A2", None]]),
        columns=COLUMNS,
    )
    assert [(r.number, r.values) for r in rows] == [
        (2, {"code": "A1", "day": datetime.date(2021, 5, 1)}),
        (4, {"code": "A2", "day": None}),
    ]


def test_cell_errors_name_the_column(db):
    rows = read_rows(make_xlsx([["代码", "日期"], [None, "2021-02-30"]]), columns=COLUMNS)
    assert rows[0].errors == {"代码": "必填，不能为空。", "日期": "“2021-02-30”不是存在的日期。"}


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "空的"),
        (b"name,code\n1,2\n", "没有找到表头"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "可能设置了打开密码"),
        (b"PK\x03\x04" + b"\0" * 100, "不是有效的 Excel"),
        (make_xlsx([["代码", "日期"]]), "没有数据行"),
        (make_xlsx([[None]]), "没有找到表头"),
        (make_xlsx([["编号", "日期"], ["A1", None]]), "缺少必填列：代码"),
        (make_xlsx([["代码", "代码"], ["A1", "A2"]]), "重复的列：代码（A 列、B 列）"),
        (make_xlsx([["代码", "日期"], ["A1", None]], merge_header=True), "合并单元格"),
    ],
)
def test_malformed_files_get_a_chinese_reason(db, content, expected):
    with pytest.raises(ExcelFileError) as exc:
        read_rows(content, columns=COLUMNS)
    assert expected in str(exc.value)


def test_oversized_file_is_refused_before_reading(db, settings):
    settings.ZUZHI_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ExcelFileError, match="文件过大"):
        read_rows(b"PK" + b"\0" * 2048, columns=COLUMNS)


def test_zip_bomb_is_refused(db, monkeypatch):
    monkeypatch.setattr("zuzhi.core.workbook.MAX_UNPACKED_BYTES", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * 50_000)
    with pytest.raises(ExcelFileError, match="解压后过大"):
        read_rows(buffer.getvalue(), columns=COLUMNS)


@pytest.mark.parametrize("text", ["2021-05-01", "2021/5/1", "2021.5.1", "20210501", "2021年5月1日"])
def test_date_formats(text):
    assert parse_date(text) == datetime.date(2021, 5, 1)


def test_numbers_read_as_text_lose_the_trailing_zero():
    assert parse_text(13812345678.0) == "13812345678"


def _patch_directory_entry(content: bytes, name: str, patch) -> bytes:
    """The file with the zip central-directory entry of `name` changed by patch(raw, offset)."""
    raw = bytearray(content)
    offset = raw.find(b"PK\x01\x02")
    while offset >= 0:
        length = struct.unpack_from("<H", raw, offset + 28)[0]
        if raw[offset + 46 : offset + 46 + length] == name.encode():
            patch(raw, offset)
        offset = raw.find(b"PK\x01\x02", offset + 4)
    return bytes(raw)


GOOD = make_xlsx([["代码", "日期"], *[[f"A{i}", "2021-05-01"] for i in range(200)]])


def test_part_lying_about_its_size_is_refused(db):
    # A zip bomb that declares a tiny size passes the size sum; unpacking must still stop.
    lying = _patch_directory_entry(
        GOOD, "xl/worksheets/sheet1.xml", lambda raw, at: struct.pack_into("<I", raw, at + 24, 10)
    )
    with pytest.raises(ExcelFileError, match="已损坏"):
        read_rows(lying, columns=COLUMNS)


def test_damaged_part_is_refused(db):
    info = zipfile.ZipFile(io.BytesIO(GOOD)).getinfo("xl/worksheets/sheet1.xml")
    raw = bytearray(GOOD)
    raw[info.header_offset + 30 + len(info.filename) + len(info.extra) + 5] ^= 0xFF
    with pytest.raises(ExcelFileError, match="已损坏"):
        read_rows(bytes(raw), columns=COLUMNS)


def test_encrypted_part_is_refused(db):
    encrypted = _patch_directory_entry(
        GOOD,
        "xl/worksheets/sheet1.xml",
        lambda raw, at: struct.pack_into("<H", raw, at + 8, raw[at + 8] | 1),
    )
    with pytest.raises(ExcelFileError, match="密码"):
        read_rows(encrypted, columns=COLUMNS)


def test_formula_far_down_the_sheet_is_read_as_its_kept_result_and_named(db):
    rows = [["代码", "日期"], *[[f"A{i}", None] for i in range(60_000)]]
    read = read_sheet(make_xlsx(rows, formula_at=(60_000, 0)), columns=COLUMNS)
    assert read.rows[-1].values["code"] == "2"
    assert any("A60001" in n["message"] and "公式" in n["message"] for n in read.notices)


def test_control_characters_are_a_cell_error(db):
    rows = read_rows(make_xlsx([["代码", "日期"], ["A\x00B", None]]), columns=COLUMNS)
    assert rows[0].errors == {"代码": "含有不可见的控制字符，请删除后重新输入。"}


@pytest.mark.parametrize("memo_size", [1000, 1])
def test_a_repeated_text_reads_the_same_every_time(db, monkeypatch, memo_size):
    # Each column remembers its texts; past MEMO_SIZE of them it simply reads each cell.
    monkeypatch.setattr("zuzhi.core.excel.MEMO_SIZE", memo_size)
    cells = [" A1 ", "A\x00B", "2021-02-30", "A1", " A1 ", "A\x00B", "2021-02-30", "2021-5-1"]
    rows = read_rows(
        make_xlsx([["代码", "日期"], *[[c, c] for c in cells]]),
        columns=COLUMNS,
    )
    assert [r.values for r in rows] == [
        {"code": "A1", "day": None},
        {"code": None, "day": None},
        {"code": "2021-02-30", "day": None},
        {"code": "A1", "day": None},
        {"code": "A1", "day": None},
        {"code": None, "day": None},
        {"code": "2021-02-30", "day": None},
        {"code": "2021-5-1", "day": datetime.date(2021, 5, 1)},
    ]
    assert [r.errors for r in rows] == [
        {"日期": "“A1”不是有效日期，请写成 2021-05-01 的形式。"},
        {
            "代码": "含有不可见的控制字符，请删除后重新输入。",
            "日期": "含有不可见的控制字符，请删除后重新输入。",
        },
        {"日期": "“2021-02-30”不是存在的日期。"},
        {"日期": "“A1”不是有效日期，请写成 2021-05-01 的形式。"},
        {"日期": "“A1”不是有效日期，请写成 2021-05-01 的形式。"},
        {
            "代码": "含有不可见的控制字符，请删除后重新输入。",
            "日期": "含有不可见的控制字符，请删除后重新输入。",
        },
        {"日期": "“2021-02-30”不是存在的日期。"},
        {},
    ]


def test_excel_day_numbers_are_dates_but_a_bare_year_is_not():
    assert parse_date(44317) == datetime.date(2021, 5, 1)
    assert parse_date(44317.5) == datetime.date(2021, 5, 1)
    assert parse_date(20210501.0) == datetime.date(2021, 5, 1)
    for value in (2021, True, "2021-13-01", "明年"):
        with pytest.raises(CellError):
            parse_date(value)


def test_template_has_headers_only_and_a_separate_instructions_sheet(db):
    content = template_bytes(columns=COLUMNS, sheet_name="测试", notes=["3. 说明"])
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["测试", "代码表", "填写说明"]
    assert book.get_sheet_by_index(0).to_python() == [["代码", "日期"]]
    assert "3. 说明" in str(book.get_sheet_by_name("填写说明").to_python())
    # Uploaded untouched, the template is refused rather than imported as data.
    with pytest.raises(ExcelFileError, match="没有数据行"):
        read_rows(content, columns=COLUMNS)
