"""The uploaded sheet sent back with its errors marked (标注错误的文件): each bad cell filled red
with the message as a cell comment, so that the clerk fixes the file in Excel and uploads it
again, instead of copying row numbers from a web page."""

import datetime
import io
import math
from typing import Any

import xlsxwriter

from .excel import Column, read_sheet
from .workbook import ExcelFileError, open_workbook

COMMENT_SIZE = {"x_scale": 2.4, "y_scale": 2}


def marked_workbook(
    *,
    content: bytes,
    filename: str,
    sheet: str,
    columns: list[Column],
    errors: list[dict[str, Any]],
) -> bytes:
    """The sheet's cells as uploaded, bad cells marked, and a sheet listing every error."""
    book = open_workbook(content, filename=filename)
    names = [s.name for s in book.sheets]
    grid = book.grid(sheet if sheet in names else names[0])
    book.release()
    try:
        columns_at = read_sheet(
            content, columns=columns, filename=filename, sheet=grid.name
        ).columns_at
    except ExcelFileError:
        columns_at = {}
    buffer = io.BytesIO()
    out = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet_out = out.add_worksheet(grid.name[:31] or "Sheet1")
    bad = out.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
    bad_text = out.add_format(
        {"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "num_format": "@"}
    )
    day = out.add_format({"num_format": "yyyy-mm-dd"})
    text = out.add_format({"num_format": "@"})
    by_cell: dict[tuple[int, int], list[str]] = {}
    for error in errors:
        if not error.get("row"):
            continue
        column = columns_at.get(error.get("column") or "", 0)
        by_cell.setdefault((error["row"] - 1, column), []).append(error["message"])
    # The copy must read back as the upload did: merges stay merged (their value on every row
    # they cover), hidden rows and columns stay hidden. Merges drawn past the table end there.
    last_row = len(grid.cells) - 1
    width = max((len(raw) for raw in grid.cells), default=1) - 1
    covered: set[tuple[int, int]] = set()
    for (r1, c1), (r2, c2) in grid.merged:
        r2, c2 = min(r2, last_row), min(c2, width)
        if r1 > last_row or c1 > width or (r1, c1) == (r2, c2):
            continue
        value = grid.cells[r1][c1] if c1 < len(grid.cells[r1]) else None
        marked = any((r, c) in by_cell for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        sheet_out.merge_range(r1, c1, r2, c2, None, bad if marked else None)
        _write(sheet_out, r1, c1, value, bad if marked else None, bad_text, day, text)
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    for r, raw in enumerate(grid.cells):
        for c, value in enumerate(raw):
            if (r, c) in covered:
                continue
            messages = by_cell.get((r, c))
            _write(sheet_out, r, c, value, bad if messages else None, bad_text, day, text)
    for (r, c), messages in by_cell.items():
        if (r > last_row or c >= len(grid.cells[r])) and (r, c) not in covered:
            sheet_out.write_blank(r, c, None, bad)
        sheet_out.write_comment(r, c, "\n".join(messages), COMMENT_SIZE)
    for r in grid.hidden_rows:
        if r <= last_row:
            sheet_out.set_row(r, None, None, {"hidden": True})
    for c in set(columns_at.values()) | {c for c in grid.hidden_cols if c <= width}:
        sheet_out.set_column(c, c, 20, None, {"hidden": c in grid.hidden_cols})
    listing = out.add_worksheet("错误清单")
    listing.set_column(0, 0, 10)
    listing.set_column(1, 2, 16)
    listing.set_column(3, 3, 24)
    listing.set_column(4, 4, 80)
    header = out.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    for c, title in enumerate(["行号", "姓名/名称", "列", "所填内容", "原因及修改方法"]):
        listing.write_string(0, c, title, header)
    for i, error in enumerate(errors, start=1):
        listing.write_string(i, 0, f"第 {error['row']} 行" if error.get("row") else "整个文件")
        listing.write_string(i, 1, error.get("who") or "")
        listing.write_string(i, 2, error.get("column") or "")
        listing.write_string(i, 3, error.get("value") or "")
        listing.write_string(i, 4, error.get("message") or "")
    listing.freeze_panes(1, 0)
    out.close()
    return buffer.getvalue()


def _write(sheet, r, c, value, bad, bad_text, day, text) -> None:
    if value in ("", None):
        if bad is not None:
            sheet.write_blank(r, c, None, bad)
        return
    if isinstance(value, datetime.datetime | datetime.date):
        if isinstance(value, datetime.datetime):
            value = value.date()
        sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), bad or day)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value, bad)
    elif isinstance(value, int | float) and math.isfinite(value):
        sheet.write_number(r, c, value, bad)
    elif isinstance(value, datetime.timedelta | datetime.time):
        sheet.write_string(r, c, str(value), bad_text if bad else text)
    else:
        sheet.write_string(r, c, str(value), bad_text if bad else text)
