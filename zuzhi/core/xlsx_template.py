"""Import templates (导入模板) as .xlsx: the columns of an import, drop-down lists, the
organizations the user may import into and the rules, for the clerk to fill in."""

import io
from typing import Any

import xlsxwriter

from .excel import Column
from .workbook import column_letter


def template_bytes(
    *,
    columns: list[Column],
    sheet_name: str,
    notes: list[str],
    orgs: list[tuple[str, str]] = (),
    rows: list[list[Any]] = (),
) -> bytes:
    """An import template: Chinese headers on sheet 1 with drop-down lists for coded columns
    and text format everywhere (so IDs and phones keep every digit), rows filled in
    beforehand where the importer knows them (the entrants of a contest), the organizations
    the user may import into, and the instructions."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(sheet_name[:31])
    required = book.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    text = book.add_format({"num_format": "@"})
    lists = book.add_worksheet("代码表")
    list_column = 0
    for i, col in enumerate(columns):
        sheet.write_string(0, i, col.header, required if col.required else optional)
        sheet.set_column(i, i, max(12, len(col.header) * 2 + 4), text)
        if col.help:
            sheet.write_comment(0, i, col.help)
        names = col.choices() if col.choices else []
        if names:
            # The list lives on its own sheet: a data validation's inline list is limited to
            # 255 characters, too few for the 58 nationalities.
            lists.write_string(0, list_column, col.header, optional)
            for r, name in enumerate(names, start=1):
                lists.write_string(r, list_column, name)
            letter = column_letter(list_column)
            sheet.data_validation(
                1,
                i,
                10_000,
                i,
                {
                    "validate": "list",
                    "source": f"='代码表'!${letter}$2:${letter}${len(names) + 1}",
                    "error_type": "warning",
                    "error_title": col.header,
                    "error_message": f"请从下拉列表中选择{col.header}。",
                },
            )
            lists.set_column(list_column, list_column, 16)
            list_column += 1
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if value is not None:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 0)
    if not list_column:
        lists.hide()
    if orgs:
        org_sheet = book.add_worksheet("可导入的党组织")
        org_sheet.write_string(0, 0, "组织名称", optional)
        org_sheet.write_string(0, 1, "组织代码", optional)
        org_sheet.set_column(0, 0, 48)
        org_sheet.set_column(1, 1, 20, text)
        for r, (name, code) in enumerate(orgs, start=1):
            org_sheet.write_string(r, 0, name)
            org_sheet.write_string(r, 1, code)
    guide = book.add_worksheet("填写说明")
    guide.set_column(0, 0, 110)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for r, line in enumerate(
        [
            "填写说明（本页不会被导入）",
            "1. 在第一个工作表填写；表格上方可以有标题行，下方的合计、填表人、审核人等行会被忽略；"
            "序号、备注等模板以外的列会被忽略。文件中有多个工作表都像名册时，系统会请您选择。",
            "2. 红色表头为必填列，表头可以用常见写法（如“身份证号码”“文化程度”“入党时间”）。"
            "日期写成 2021-05-01；“—”“/”“无”表示空白。",
            "3. 隐藏的行不会导入（预览中会列出）；隐藏了模板中的列时整个文件不予导入。"
            "上下合并的单元格按每一行都是该值读取，左右合并的单元格不予导入。",
            "4. 公式单元格按文件中保存的计算结果读取。百分数按百分号前的数值读取："
            "单元格显示 92.5% 即为 92.5，无论是百分比格式的数字还是文字“92.5%”。",
            "5. 姓名中为对齐而输入的空格会被去掉（少数民族姓名中的“·”保留）；"
            "电话可写成 138-1234-5678、(0377)6512345 等形式。",
            *notes,
        ]
    ):
        guide.write_string(r, 0, line, wrap)
    book.close()
    return buffer.getvalue()
