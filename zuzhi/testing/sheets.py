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


def sheet_xml_edited(content: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """The .xlsx with its first sheet's XML passed through `edit`, as a generator other than
    openpyxl might have written it."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            target.writestr(info, data)
    return out.getvalue()


def with_cached_formula(content: bytes, cell: str, formula: str, cached: str | None) -> bytes:
    """The file with `cell` of the first sheet turned into a formula that Excel saved with
    `cached` as its last result (None: saved without one, as some generators do)."""
    import re

    def edit(data: bytes) -> bytes:
        value = f"<v>{cached}</v>" if cached is not None else ""
        data, count = re.subn(
            rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)'.encode(),
            f'<c r="{cell}"><f>{formula}</f>{value}</c>'.encode(),
            data,
            flags=re.S,
        )
        assert count == 1, f"cell {cell} not found"
        return data

    return sheet_xml_edited(content, edit)


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def office_ods(
    rows: list[list[Any]],
    *,
    sheet: str = "名册",
    hidden_row: int | None = None,
    percent: str | None = None,
) -> bytes:
    """A minimal OpenDocument spreadsheet, as WPS and LibreOffice save them: text cells, row
    `hidden_row` (0-based) collapsed, and a cell written `percent` stored as the percentage
    0.925 (shown 92.50%)."""
    import zipfile

    def cell(value) -> str:
        if value is None:
            return "<table:table-cell/>"
        if value == percent:
            return (
                '<table:table-cell office:value-type="percentage" office:value="0.925">'
                "<text:p>92.50%</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )

    hidden = ' table:visibility="collapse"'
    body = "".join(
        f"<table:table-row{hidden if r == hidden_row else ''}>"
        + "".join(cell(v) for v in values)
        + "</table:table-row>"
        for r, values in enumerate(rows)
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        z.writestr("content.xml", content)
    return buffer.getvalue()
