"""Spreadsheets as township offices make them, built in tests with openpyxl (a test extra):
title rows, merged, hidden and formula cells, number formats, several sheets."""

import io
from collections.abc import Callable
from typing import Any

import openpyxl


def office_xlsx(
    sheets: dict[str, list[list[Any]]],
    *,
    active: str | None = None,
    shape: Callable[[Any], None] | None = None,
) -> bytes:
    """A workbook with one sheet per entry (rows from A1); `shape(book)` then merges, hides or
    formats cells as the test needs before the file is saved."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    if active:
        book.active = list(sheets).index(active)
    if shape:
        shape(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cached_formula(content: bytes, cell: str, formula: str, cached: str | None) -> bytes:
    """The file with `cell` of the first sheet turned into a formula that Excel saved with
    `cached` as its last result (None: saved without one, as some generators do)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                value = f"<v>{cached}</v>" if cached is not None else ""
                data, count = re.subn(
                    rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)'.encode(),
                    f'<c r="{cell}"><f>{formula}</f>{value}</c>'.encode(),
                    data,
                    flags=re.S,
                )
                assert count == 1, f"cell {cell} not found"
            target.writestr(info, data)
    return out.getvalue()
