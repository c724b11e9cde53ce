"""The details of Excel 97 (.xls) and OpenDocument (.ods) sheets that calamine does not tell:
hidden rows and columns, merges, percentages, dates shown as a month, error cells and the
sheet's extent. xlrd reads .xls; content.xml is parsed for .ods. workbook.py calls these."""

import html
import io
import re
import zipfile
import zlib

from django.conf import settings

from .workbook import (
    BUILTIN_MONTH,
    BUILTIN_PERCENT,
    ExcelFileError,
    SheetGrid,
    _as_shown,
    _date_shown,
    _is_percent_format,
    _too_big,
)

XLS_UNREADABLE = "无法读取这个 .xls 文件中哪些行被隐藏、哪些单元格是百分比。请在 Excel 或 WPS 中另存为 .xlsx 后再上传。"


def _xls_book(content: bytes):
    """xlrd, for what calamine does not tell of an Excel 97 file: hidden rows and columns,
    number formats, merges, the sheet open when saved."""
    import xlrd

    try:
        return xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises several unrelated types for files it cannot read
        raise ExcelFileError(XLS_UNREADABLE) from exc


def _xls_extent(content: bytes, name: str) -> None:
    import xlrd

    book = _xls_book(content)
    try:
        sheet = book.sheet_by_name(name)
    except xlrd.XLRDError as exc:
        raise ExcelFileError(XLS_UNREADABLE) from exc
    if problem := _too_big(name, sheet.nrows, sheet.ncols):
        raise problem


def _xls_active(content: bytes) -> str | None:
    book = _xls_book(content)
    sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
    for attribute in ("sheet_visible", "sheet_selected"):
        for sheet in sheets:
            if getattr(sheet, attribute, 0):
                return sheet.name
    return None


def _xls_details(content: bytes, name: str, grid: SheetGrid) -> None:
    import xlrd

    book = _xls_book(content)
    try:
        sheet = book.sheet_by_name(name)
    except xlrd.XLRDError as exc:
        raise ExcelFileError(XLS_UNREADABLE) from exc
    grid.hidden_rows.update(r for r, info in sheet.rowinfo_map.items() if info.hidden)
    grid.hidden_cols.update(c for c, info in sheet.colinfo_map.items() if info.hidden)
    if not grid.merged:
        grid.merged = [((r1, c1), (r2 - 1, c2 - 1)) for r1, r2, c1, c2 in sheet.merged_cells]
    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        if xlrd.XL_CELL_ERROR in types:
            for c, kind in enumerate(types):
                if kind == xlrd.XL_CELL_ERROR:
                    code = sheet.cell_value(r, c)
                    grid.error_cells[(r, c)] = xlrd.error_text_from_code.get(code, "#错误")
    shown_xf = {}
    for i, xf in enumerate(book.xf_list):
        fmt = book.format_map.get(xf.format_key)
        if xf.format_key in BUILTIN_PERCENT or (fmt and _is_percent_format(fmt.format_str)):
            shown_xf[i] = "percent"
        elif xf.format_key in BUILTIN_MONTH:
            shown_xf[i] = "month"
        elif fmt and (how := _date_shown(fmt.format_str)):
            shown_xf[i] = how
    if not shown_xf:
        return
    cells = grid.cells
    for r in range(min(sheet.nrows, len(cells))):
        for c, kind in enumerate(sheet.row_types(r)):
            if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE) and c < len(cells[r]):
                how = shown_xf.get(sheet.cell_xf_index(r, c))
                if how:
                    cells[r][c] = _as_shown(cells[r][c], how)


def _ods_active(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            settings_xml = archive.read("settings.xml")
    except (KeyError, zipfile.BadZipFile, zlib.error):
        return None
    m = re.search(rb'config:name="ActiveTable"[^<>]{0,4096}>([^<]{0,65536})<', settings_xml)
    return html.unescape(m.group(1).decode("utf-8", "replace")) if m else None


def _ods_scan(content: bytes, name: str, grid: SheetGrid) -> list[tuple[int, int, str]]:
    """Hidden rows and columns, merges and formulas of one .ods sheet into `grid`, and the
    cells shown as a percentage or a month (content.xml, whose automatic styles come before
    the tables); refuses a sheet whose extent is too large to read."""
    from xml.etree.ElementTree import iterparse

    t = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    o = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    st = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
    n = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
    month_formats: set[str] = set()
    month_styles: set[str] = set()
    column_styles: dict[int, str] = {}
    in_table = False
    row = col = 0
    last_row = last_col = -1
    styled: list[tuple[int, int, str]] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("content.xml") as part:
        for event, el in iterparse(part, events=("start", "end")):
            tag = el.tag
            if event == "end" and tag == n + "date-style":
                parts = {child.tag for child in el}
                if {n + "year", n + "month"} <= parts and n + "day" not in parts:
                    month_formats.add(el.get(st + "name"))
                el.clear()
                continue
            if event == "end" and tag == st + "style":
                if el.get(st + "data-style-name") in month_formats:
                    month_styles.add(el.get(st + "name"))
                el.clear()
                continue
            if event == "start":
                if tag == t + "table":
                    in_table = el.get(t + "name") == name
                    row = col = 0
                elif not in_table:
                    continue
                elif tag == t + "table-column":
                    repeat = min(int(el.get(t + "number-columns-repeated", "1")), 16384)
                    if el.get(t + "visibility", "visible") != "visible":
                        grid.hidden_cols.update(range(col, col + repeat))
                    style = el.get(t + "default-cell-style-name")
                    if style in month_styles:
                        column_styles.update(
                            dict.fromkeys(range(col, min(col + repeat, 1024)), style)
                        )
                    col += repeat
                elif tag == t + "table-row":
                    col = 0
                continue
            if not in_table:
                if tag not in (n + "year", n + "month", n + "day"):
                    el.clear()
                continue
            if tag == t + "table-row":
                repeat = int(el.get(t + "number-rows-repeated", "1"))
                if el.get(t + "visibility", "visible") != "visible" and repeat < 100_000:
                    grid.hidden_rows.update(range(row, row + repeat))
                row += repeat
                el.clear()
            elif tag in (t + "table-cell", t + "covered-table-cell"):
                repeat = int(el.get(t + "number-columns-repeated", "1"))
                down = int(el.get(t + "number-rows-spanned", "1"))
                across = int(el.get(t + "number-columns-spanned", "1"))
                if down > 1 or across > 1:
                    grid.merged.append(((row, col), (row + down - 1, col + across - 1)))
                if el.get(t + "formula") is not None:
                    grid.formulas[(row, col)] = el.get(o + "value-type") is not None
                kind = el.get(o + "value-type")
                how = "percent" if kind == "percentage" else None
                if kind == "date" and (el.get(t + "style-name") or column_styles.get(col)) in (
                    month_styles
                ):
                    how = "month"
                if kind is not None or len(el):
                    # A cell with content: the reader's grid reaches it.
                    last_row, last_col = max(last_row, row), max(last_col, col + repeat - 1)
                    if (last_row + 1) * (last_col + 1) > settings.ZUZHI_IMPORT_MAX_CELLS:
                        raise _too_big(name, last_row + 1, last_col + 1)
                if how:
                    styled.extend((row, c, how) for c in range(col, col + min(repeat, 1024)))
                col += repeat
                el.clear()
            elif tag == t + "table":
                in_table = False
    return styled
