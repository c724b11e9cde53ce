"""Building .xlsx files in tests."""

import io

import xlsxwriter


def make_xlsx(
    rows: list[list], *, formula_at: tuple[int, int] | None = None, merge_header: bool = False
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    if formula_at:
        sheet.write_formula(*formula_at, "=1+1", None, 2)
    if merge_header:
        sheet.merge_range(0, 0, 0, 1, rows[0][0])
    book.close()
    return buffer.getvalue()
