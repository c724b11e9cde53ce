"""The statistics as the annual tables are sent up (党内统计报表): one sheet per table, a title
row naming the subtree and the statistics date, headings, a 合计 row, and under each table
the count of records that could not be placed in it (see the check, 数据核查)."""

import io

import xlsxwriter

from .selectors import PartyStats, StatTable


def _sheet_name(table: StatTable, used: set[str]) -> str:
    # Excel forbids []:*?/\ in sheet names and caps them at 31 characters.
    name = "".join(c for c in table.title if c not in "[]:*?/\\")[:31]
    while name in used:
        name = name[:29] + str(len(used))
    used.add(name)
    return name


def stats_xlsx(stats: PartyStats) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    caption = book.add_format({"font_size": 10})
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "align": "center"})
    text = book.add_format({"border": 1})
    detail = book.add_format({"border": 1, "indent": 1})
    number = book.add_format({"border": 1, "num_format": "0"})
    percent = book.add_format({"border": 1, "num_format": "0.00"})
    total_text = book.add_format({"border": 1, "bold": True})
    total_number = book.add_format({"border": 1, "bold": True, "num_format": "0"})
    total_percent = book.add_format({"border": 1, "bold": True, "num_format": "0.00"})
    used: set[str] = set()
    for table in stats.tables:
        sheet = book.add_worksheet(_sheet_name(table, used))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 2, 14)
        sheet.merge_range(0, 0, 0, 2, f"{table.title}统计表", title)
        sheet.merge_range(
            1,
            0,
            1,
            2,
            f"单位：{stats.organization.name}　　统计截止日期：{stats.as_of:%Y年%m月%d日}",
            caption,
        )
        sheet.write_string(2, 0, table.heading, head)
        sheet.write_string(2, 1, f"数量（{table.unit}）", head)
        sheet.write_string(2, 2, "占比（%）", head)
        r = 3
        for row in table.rows:
            sheet.write_string(r, 0, row.label, detail if row.detail else text)
            sheet.write_number(r, 1, row.count, number)
            sheet.write_number(r, 2, float(row.share), percent)
            r += 1
        sheet.write_string(r, 0, "合计", total_text)
        sheet.write_number(r, 1, table.total, total_number)
        sheet.write_number(r, 2, 100 if table.total else 0, total_percent)
        r += 2
        sheet.write_string(r, 0, f"无法归入本表的记录：{table.blocked} 条", caption)
        for note in table.notes:
            r += 1
            sheet.write_string(r, 0, note, caption)
        sheet.freeze_panes(3, 0)
    book.close()
    return buffer.getvalue()
