import datetime
import io
import zipfile

import pytest

from zuzhi.core.excel import Column, ExcelFileError, parse_date, parse_text, read_rows
from zuzhi.testing.xlsx import make_xlsx

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
        (b"name,code\n1,2\n", "不是有效的 Excel"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "不是有效的 Excel"),
        (make_xlsx([["代码", "日期"]]), "没有数据行"),
        (make_xlsx([[None]]), "没有内容"),
        (make_xlsx([["编号", "日期"], ["A1", None]]), "缺少必填列：代码"),
        (make_xlsx([["代码", "日期", "备注"], ["A1", None, "x"]]), "无法识别的列：备注"),
        (make_xlsx([["代码", "日期"], ["A1", None]], formula_at=(1, 1)), "公式"),
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
    monkeypatch.setattr("zuzhi.core.excel.MAX_UNPACKED_BYTES", 10_000)
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
