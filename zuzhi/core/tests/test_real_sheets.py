"""Sheets as township offices keep them: each is read as the clerk sees it, or refused naming
the cell; nothing is dropped or changed without a line in the preview."""

import codecs
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl.styles import PatternFill

from zuzhi.core.cells import parse_decimal
from zuzhi.core.excel import Column, ExcelFileError, SheetChoiceNeeded, read_sheet
from zuzhi.core.parsers import parse_date, parse_id_number, parse_person_name, parse_text
from zuzhi.testing.factories import valid_id_number
from zuzhi.testing.sheets import office_ods, office_xlsx, with_cached_formula

COLUMNS = [
    Column("姓名", "name", required=True, parse=parse_person_name),
    Column("公民身份号码", "id_number", required=True, parse=parse_id_number),
    Column("入党日期", "join_date", parse=parse_date),
    Column("所在党组织", "org", parse=parse_text),
]
ID1 = valid_id_number("19800101", 123)
ID2 = valid_id_number("19850315", 246)
ID3 = valid_id_number("19900720", 11)


def read(content, **kwargs):
    return read_sheet(content, columns=COLUMNS, **kwargs)


def messages(result) -> str:
    return "\n".join(n["message"] for n in result.notices)


# 1. ID numbers stored as numbers -------------------------------------------------------------


def test_an_18_digit_id_held_as_a_number_is_refused_with_how_to_fix_it(db):
    content = office_xlsx({"名册": [["姓名", "公民身份号码"], ["王芳", int(ID1[:17] + "0")]]})
    row = read(content).rows[0]
    assert row.values["id_number"] is None
    assert "15 位有效数字" in row.errors["公民身份号码"]
    assert "文本" in row.errors["公民身份号码"]


def test_a_15_digit_legacy_id_held_as_a_number_becomes_18_digits_with_a_notice(db):
    legacy = "410105800101123"
    content = office_xlsx({"名册": [["姓名", "公民身份号码"], ["王芳", int(legacy)]]})
    result = read(content)
    number = result.rows[0].values["id_number"]
    assert number == "41010519800101123" + number[-1] and len(number) == 18
    assert "15 位旧身份证号码" in messages(result) and result.notices[-1]["row"] == 2


def test_an_id_shown_in_scientific_notation_as_text_is_refused(db):
    content = office_xlsx({"名册": [["姓名", "公民身份号码"], ["王芳", "4.10105E+17"]]})
    assert "15 位有效数字" in read(content).rows[0].errors["公民身份号码"]


# 2. Percentages ------------------------------------------------------------------------------

PERCENT_COLUMNS = [
    Column("参评对象名称", "name", required=True, parse=parse_text),
    Column("数值", "value", required=True, parse=parse_decimal),
]


def test_a_percent_cell_and_the_text_92_5_percent_read_the_same(db):
    def shape(book):
        book["指标"]["B2"].number_format = "0.0%"
        book["指标"]["B4"].number_format = "0%"

    content = office_xlsx(
        {
            "指标": [
                ["参评对象名称", "数值"],
                ["城关镇", 0.925],
                ["城郊乡", "92.5%"],
                ["李庄", 0.07],
            ]
        },
        shape=shape,
    )
    rows = read_sheet(content, columns=PERCENT_COLUMNS).rows
    assert [r.values["value"] for r in rows] == [Decimal("92.5"), Decimal("92.5"), Decimal("7")]


def test_a_plain_number_is_not_taken_for_a_percentage(db):
    content = office_xlsx({"指标": [["参评对象名称", "数值"], ["城关镇", 0.925]]})
    assert read_sheet(content, columns=PERCENT_COLUMNS).rows[0].values["value"] == Decimal("0.925")


# 3. Merged data cells ------------------------------------------------------------------------


def test_a_cell_merged_down_the_rows_is_read_on_every_row_and_said(db):
    content = office_xlsx(
        {
            "名册": [
                ["姓名", "公民身份号码", "所在党组织"],
                ["王芳", ID1, "郭坪村第一党支部"],
                ["李明", ID2, None],
                ["赵强", ID3, None],
            ]
        },
        shape=lambda book: book["名册"].merge_cells("C2:C4"),
    )
    result = read(content)
    assert [r.values["org"] for r in result.rows] == ["郭坪村第一党支部"] * 3
    assert "第 2–4 行的“所在党组织”是合并单元格（C2:C4）" in messages(result)


def test_a_cell_merged_across_columns_is_refused_naming_the_range(db):
    content = office_xlsx(
        {"名册": [["姓名", "公民身份号码", "入党日期"], ["王芳", ID1, None], ["李明", ID2, None]]},
        shape=lambda book: book["名册"].merge_cells("A3:B3"),
    )
    rows = read(content).rows
    assert rows[0].errors == {}
    assert (
        "A3:B3" in rows[1].errors["公民身份号码"] and "取消合并" in rows[1].errors["公民身份号码"]
    )


# 4. Hidden rows and columns ------------------------------------------------------------------


def test_hidden_rows_are_skipped_and_listed(db):
    def shape(book):
        book["名册"].row_dimensions[3].hidden = True
        book["名册"].row_dimensions[4].hidden = True

    content = office_xlsx(
        {"名册": [["姓名", "公民身份号码"], ["王芳", ID1], ["李明", ID2], ["赵强", ID3]]},
        shape=shape,
    )
    result = read(content)
    assert [r.values["name"] for r in result.rows] == ["王芳"]
    assert "已跳过隐藏的第 3–4 行（共 2 行）" in messages(result)


def test_rows_hidden_by_a_filter_are_skipped_too(db):
    def shape(book):
        sheet = book["名册"]
        sheet.auto_filter.ref = "A1:B4"
        sheet.row_dimensions[2].hidden = True

    content = office_xlsx(
        {"名册": [["姓名", "公民身份号码"], ["王芳", ID1], ["李明", ID2]]}, shape=shape
    )
    result = read(content)
    assert [r.number for r in result.rows] == [3] and "第 2 行" in messages(result)


def test_a_hidden_template_column_refuses_the_file(db):
    def shape(book):
        book["名册"].column_dimensions["C"].hidden = True

    content = office_xlsx(
        {"名册": [["姓名", "公民身份号码", "入党日期"], ["王芳", ID1, "2001-07-01"]]}, shape=shape
    )
    with pytest.raises(ExcelFileError, match="C 列“入党日期”"):
        read(content)


def test_a_hidden_column_outside_the_template_is_ignored_with_the_others(db):
    def shape(book):
        book["名册"].column_dimensions["C"].hidden = True

    content = office_xlsx(
        {"名册": [["姓名", "公民身份号码", "备注"], ["王芳", ID1, "x"]]}, shape=shape
    )
    result = read(content)
    assert result.rows[0].values["name"] == "王芳"
    assert "已忽略无法识别的列：C 列“备注”" in messages(result)


# 5. Which sheet ------------------------------------------------------------------------------


def test_the_sheet_that_matches_is_read_and_named(db):
    content = office_xlsx(
        {
            "说明": [["本表由城关镇党委填报"]],
            "2026年": [["姓名", "公民身份号码"], ["王芳", ID1]],
        }
    )
    result = read(content)
    assert result.sheet == "2026年" and "读取的是工作表“2026年”" in messages(result)
    assert "“说明”" in messages(result)


def test_two_matching_sheets_are_a_question_not_a_guess(db):
    content = office_xlsx(
        {
            "2025年": [["姓名", "公民身份号码"], ["王芳", ID1]],
            "2026年": [["姓名", "公民身份号码"], ["李明", ID2]],
        },
        active="2026年",
    )
    with pytest.raises(SheetChoiceNeeded) as exc:
        read(content)
    assert exc.value.choices == ["2025年", "2026年"] and exc.value.active == "2026年"
    assert "保存文件时打开的是“2026年”" in str(exc.value)
    assert read(content, sheet="2026年").rows[0].values["name"] == "李明"


def test_a_hidden_sheet_is_not_read(db):
    def shape(book):
        book["去年"].sheet_state = "hidden"

    content = office_xlsx(
        {
            "去年": [["姓名", "公民身份号码"], ["王芳", ID1]],
            "今年": [["姓名", "公民身份号码"], ["李明", ID2]],
        },
        active="今年",
        shape=shape,
    )
    result = read(content)
    assert result.sheet == "今年" and "已忽略隐藏的工作表：“去年”" in messages(result)


# 6. Spaces inside names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("王　芳", "王芳"),
        ("李  明", "李明"),
        ("阿不都 · 热合曼", "阿不都·热合曼"),
        ("张三", "张三"),
    ],
)
def test_spaces_in_names_are_removed_and_listed(db, typed, stored):
    content = office_xlsx({"名册": [["姓名", "公民身份号码"], [typed, ID1]]})
    result = read(content)
    assert result.rows[0].values["name"] == stored
    listed = [n for n in result.notices if n["row"] == 2 and n["column"] == "姓名"]
    assert bool(listed) == (typed != stored)


# Accept what clerks really have ---------------------------------------------------------------


def test_title_subtitle_extra_columns_and_footer_are_ignored_and_said(db):
    content = office_xlsx(
        {
            "Sheet1": [
                ["城关镇2026年党员花名册"],
                ["填报单位：城关镇党委（盖章）"],
                ["序号", "姓 名", "*身份证号码", "入党时间", "备注"],
                [1, "王芳", ID1, "2001-07-01", "村主任"],
                [2, "李明", ID2, "2003-07-01", None],
                ["合计", "2 人"],
                ["填表人：张三", None, "审核人：李四"],
            ]
        },
        shape=lambda book: book["Sheet1"].merge_cells("A1:E1"),
    )
    result = read(content)
    assert result.header_row == 3
    assert [r.values["name"] for r in result.rows] == ["王芳", "李明"]
    assert result.rows[0].values["join_date"] == datetime.date(2001, 7, 1)
    text = messages(result)
    assert "已忽略表头上方的第 1–2 行（“城关镇2026年党员花名册”）" in text
    assert "A 列“序号”" in text and "E 列“备注”" in text
    assert "已忽略合计、签字等表尾行：第 6–7 行" in text


def test_placeholders_in_optional_cells_mean_empty(db):
    content = office_xlsx(
        {
            "名册": [
                ["姓名", "公民身份号码", "入党日期"],
                ["王芳", ID1, "—"],
                ["李明", ID2, "/"],
                ["赵强", ID3, "无"],
            ]
        }
    )
    rows = read(content).rows
    assert [r.values["join_date"] for r in rows] == [None] * 3 and not any(r.errors for r in rows)


def test_a_placeholder_in_a_required_cell_is_still_missing(db):
    content = office_xlsx({"名册": [["姓名", "公民身份号码"], ["王芳", "无"]]})
    assert "必填" in read(content).rows[0].errors["公民身份号码"]


def test_a_formula_is_read_as_its_kept_result_and_named(db):
    content = office_xlsx({"名册": [["姓名", "公民身份号码", "入党日期"], ["王芳", ID1, "x"]]})
    content = with_cached_formula(content, "C2", "DATE(2001,7,1)", "37073")
    result = read(content)
    assert result.rows[0].values["join_date"] == datetime.date(2001, 7, 1)
    assert "C2" in messages(result) and "计算结果" in messages(result)


def test_a_formula_without_a_kept_result_is_refused_naming_the_cell(db):
    content = office_xlsx({"名册": [["姓名", "公民身份号码", "入党日期"], ["王芳", ID1, "x"]]})
    content = with_cached_formula(content, "C2", "TODAY()", None)
    assert "C2 是公式" in read(content).rows[0].errors["入党日期"]


def test_a_two_row_header_merged_down_starts_the_data_below_it(db):
    def shape(book):
        sheet = book["名册"]
        sheet.merge_cells("A1:A2")
        sheet.merge_cells("B1:B2")

    content = office_xlsx(
        {"名册": [["姓名", "公民身份号码"], [None, None], ["王芳", ID1]]}, shape=shape
    )
    result = read(content)
    assert [r.number for r in result.rows] == [3]


def test_a_header_row_repeated_in_the_data_is_skipped(db):
    content = office_xlsx(
        {
            "名册": [
                ["姓名", "公民身份号码"],
                ["王芳", ID1],
                ["姓名", "公民身份号码"],
                ["李明", ID2],
            ]
        }
    )
    result = read(content)
    assert [r.values["name"] for r in result.rows] == ["王芳", "李明"]
    assert "重复的表头行：第 3 行" in messages(result)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_the_encodings_offices_save(db, encoding):
    text = f"序号,姓名,身份证号\r\n1,王芳,{ID1}\r\n2,欧阳修,{ID2}\r\n"
    content = text.encode(encoding)
    if encoding == "utf-8-sig":
        assert content.startswith(codecs.BOM_UTF8)
    result = read(content, filename="名册.csv")
    assert [(r.values["name"], r.values["id_number"]) for r in result.rows] == [
        ("王芳", ID1),
        ("欧阳修", ID2),
    ]


def test_ods_is_read_with_its_hidden_rows_skipped(db):
    content = office_ods(
        [["姓名", "公民身份号码"], ["王芳", ID1], ["李明", ID2], ["赵强", ID3]], hidden_row=2
    )
    result = read(content, filename="名册.ods")
    assert [r.values["name"] for r in result.rows] == ["王芳", "赵强"]
    assert "第 3 行" in messages(result)


def test_ods_percentages_read_as_shown(db):
    content = office_ods([["参评对象名称", "数值"], ["城关镇", "P"]], percent="P")
    rows = read_sheet(content, columns=PERCENT_COLUMNS, filename="指标.ods").rows
    assert rows[0].values["value"] == Decimal("92.5")


def test_cell_colours_and_fonts_do_not_matter(db):
    def shape(book):
        book["名册"]["A2"].fill = PatternFill("solid", fgColor="FFFF00")

    content = office_xlsx({"名册": [["姓名", "公民身份号码"], ["王芳", ID1]]}, shape=shape)
    assert read(content).rows[0].values == {"name": "王芳", "id_number": ID1}


def _xls(rows: list[list], *, hidden_row: int | None = None, percent_at=None) -> bytes:
    """An Excel 97 (.xls) file, as WPS still saves them (xlwt, a test extra)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    percent = xlwt.easyxf(num_format_str="0.0%")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                if (r, c) == percent_at:
                    sheet.write(r, c, value, percent)
                else:
                    sheet.write(r, c, value)
    if hidden_row is not None:
        sheet.row(hidden_row).hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xls_is_read_with_its_hidden_rows_skipped(db):
    content = _xls(
        [["姓名", "公民身份号码"], ["王芳", ID1], ["李明", ID2], ["赵强", ID3]], hidden_row=2
    )
    result = read(content, filename="名册.xls")
    assert [r.values["name"] for r in result.rows] == ["王芳", "赵强"]
    assert "已跳过隐藏的第 3 行" in messages(result)


def test_xls_percentages_read_as_shown(db):
    content = _xls([["参评对象名称", "数值"], ["城关镇", 0.925]], percent_at=(1, 1))
    rows = read_sheet(content, columns=PERCENT_COLUMNS, filename="指标.xls").rows
    assert rows[0].values["value"] == Decimal("92.5")


def test_xls_ids_typed_as_numbers_are_refused(db):
    content = _xls([["姓名", "公民身份号码"], ["王芳", float(ID1[:17] + "0")]])
    assert "15 位有效数字" in read(content, filename="名册.xls").rows[0].errors["公民身份号码"]


def test_xls_date_cells_shown_as_a_month_read_as_the_month(db):
    import xlwt

    from zuzhi.core.cells import parse_partial_date

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    sheet.write(0, 0, "姓名")
    sheet.write(0, 1, "入党日期")
    sheet.write(1, 0, "王芳")
    sheet.write(1, 1, datetime.date(1995, 3, 1), xlwt.easyxf(num_format_str='yyyy"年"m"月"'))
    buffer = io.BytesIO()
    book.save(buffer)
    columns = [
        Column("姓名", "name", required=True, parse=parse_text),
        Column("入党日期", "join", parse=parse_partial_date),
    ]
    row = read_sheet(buffer.getvalue(), columns=columns, filename="名册.xls").rows[0]
    assert row.values["join"].precision == "month" and row.values["join"].day.month == 3


def test_a_date_cell_shown_as_a_year_is_refused_not_given_a_month_and_day(db):
    from zuzhi.core.cells import parse_partial_date

    def shape(book):
        book["名册"]["B2"].number_format = "yyyy"

    content = office_xlsx(
        {"名册": [["姓名", "入党日期"], ["王芳", datetime.date(1995, 1, 1)]]}, shape=shape
    )
    columns = [
        Column("姓名", "name", required=True, parse=parse_text),
        Column("入党日期", "join", parse=parse_partial_date),
    ]
    row = read_sheet(content, columns=columns).rows[0]
    assert row.values["join"] is None and "只有年份" in row.errors["入党日期"]


def test_an_ods_sheet_reaching_too_far_is_refused_before_it_is_read(db, settings):
    settings.ZUZHI_IMPORT_MAX_CELLS = 1000
    content = office_ods([["姓名", "公民身份号码"], ["王芳", ID1]])
    far = (
        '<table:table-row table:number-rows-repeated="30"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="99"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row>"
    )
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "content.xml":
                data = data.replace(b"</table:table>", far.encode() + b"</table:table>")
            target.writestr(info, data)
    with pytest.raises(ExcelFileError, match="使用范围过大"):
        read(out.getvalue(), filename="名册.ods")
    settings.ZUZHI_IMPORT_MAX_CELLS = 20_000_000
    rows = read(out.getvalue(), filename="名册.ods").rows
    # Within the limit it is read: the stray cell's row is a row to fix, not dropped.
    assert rows[0].values["name"] == "王芳" and "必填" in rows[1].errors["姓名"]
