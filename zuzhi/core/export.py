"""Excel and PDF export (导出) of any list: exactly the rows the user sees, audited. Rows holding
personal data are read through core.personal.personal_view, which masks and audits them."""

import io
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from .audit import audit_record
from .models import AuditAction

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Rows per worksheet in Excel, the heading included: a longer export goes on to another sheet.
XLSX_MAX_ROWS = 1_048_576


def xlsx_write(
    target, *, headers: list[str], rows: Iterable[list], sheet_name: str = "Sheet1"
) -> int:
    """Write an .xlsx to `target` (a path or a binary file) row by row, as `rows` are read;
    returns the number of rows. constant_memory flushes each row to a temporary file, so the
    memory used does not grow with the rows (a million members take the same as a hundred)."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    title = sheet_name[:31]

    def new_sheet(number: int):
        # Sheet names are unique and at most 31 characters: "党员名册（2）" for the second.
        suffix = f"（{number}）" if number > 1 else ""
        sheet = book.add_worksheet(title[: 31 - len(suffix)] + suffix)
        for col, heading in enumerate(headers):
            sheet.write_string(0, col, heading, head)
            sheet.set_column(col, col, max(10, len(heading) * 2 + 2))
        sheet.freeze_panes(1, 0)
        return sheet

    sheet, sheets, r, count = None, 0, XLSX_MAX_ROWS, 0
    for row in rows:
        if r >= XLSX_MAX_ROWS:
            sheets += 1
            sheet, r = new_sheet(sheets), 1
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if hasattr(value, "year") and not hasattr(value, "hour"):
                sheet.write_datetime(
                    r, c, timezone.datetime(value.year, value.month, value.day), date_fmt
                )
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                # Strings are written as strings: a cell starting with "=" never becomes a formula.
                sheet.write_string(r, c, str(value))
        r += 1
        count += 1
    if sheet is None:
        new_sheet(1)
    book.close()
    return count


def xlsx_bytes(*, headers: list[str], rows: Iterable[list], sheet_name: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    xlsx_write(buffer, headers=headers, rows=rows, sheet_name=sheet_name)
    return buffer.getvalue()


def xlsx_response(
    *,
    actor,
    filename: str,
    headers: list[str],
    rows: Iterable[list],
    target_type: str,
    message: str = "",
    org_path: str = "",
) -> HttpResponse:
    """An .xlsx download; the export itself is written to the audit log. The rows are read
    once, as they are written (never held as a list)."""
    buffer = io.BytesIO()
    row_count = xlsx_write(buffer, headers=headers, rows=rows, sheet_name=filename)
    return _audited_download(
        actor=actor,
        content=buffer.getvalue(),
        content_type=XLSX_TYPE,
        extension="xlsx",
        filename=filename,
        row_count=row_count,
        target_type=target_type,
        message=message,
        org_path=org_path,
    )


def cjk_pdf(*, orientation: str = "P"):
    """An empty A4 FPDF document with the Noto CJK font that Debian's fonts-noto-cjk installs
    registered as "cjk"."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font(
        "cjk", fname=settings.ZUZHI_PDF_FONT, collection_font_number=settings.ZUZHI_PDF_FONT_INDEX
    )
    return pdf


def _pdf_text(value) -> str:
    return "" if value is None else str(value)


def _pdf_columns(pdf, headers: list[str], rows: list[list[str]], available: float) -> list[float]:
    """Column widths sized to their content: a column whose longest text fits in an equal
    share keeps its natural width (numbers, dates, short words never wrap); the space left is
    shared by the wider columns in proportion to their text, so a long note gets a wide
    column and wraps there, never below its heading's width."""
    pad = 2 * pdf.c_margin + 1

    def width(text: str) -> float:
        return max((pdf.get_string_width(line) for line in text.split("\n")), default=0) + pad

    heading = [width(h) for h in headers]
    natural = [max([heading[c], *(width(row[c]) for row in rows)]) for c in range(len(headers))]
    if sum(natural) <= available:
        return natural
    fixed: dict[int, float] = {}
    while True:
        rest = [c for c in range(len(headers)) if c not in fixed]
        share = (available - sum(fixed.values())) / len(rest)
        fits = {c: natural[c] for c in rest if natural[c] <= share}
        if not fits or len(fits) == len(rest):
            fixed.update(fits)
            break
        fixed.update(fits)
    rest = [c for c in range(len(headers)) if c not in fixed]
    room = available - sum(fixed.values())
    total = sum(natural[c] for c in rest)
    widths = [fixed.get(c, 0.0) for c in range(len(headers))]
    for c in rest:
        widths[c] = max(room * natural[c] / total, min(heading[c], natural[c]))
    return widths


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def pdf_bytes(*, title: str, lines: list[str], headers: list[str], rows: list[list]) -> bytes:
    """A formal report (正式报表) as PDF: a title, a few lines of text and a table, set in the
    Noto CJK font that Debian's fonts-noto-cjk installs. Columns empty in every row are left
    out; the others are sized to their content (see `_pdf_columns`), text set flush left and
    numbers flush right; the page turns to landscape when the table needs the width."""
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    if rows:
        keep = [c for c in range(len(headers)) if any(_pdf_text(row[c]) for row in rows)]
    else:
        keep = list(range(len(headers)))
    numeric = [
        bool(rows) and all(_is_number(row[c]) or row[c] in (None, "") for row in rows) for c in keep
    ]
    headers = [str(headers[c]) for c in keep]
    cells = [[_pdf_text(row[c]) for c in keep] for row in rows]

    pdf = cjk_pdf()
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_font("cjk", size=8 if len(headers) > 7 else 9)
    # Landscape when the columns at their natural widths do not fit a portrait page (once
    # squeezed to the page they always "fit", wrapping an ID number over two lines).
    natural = _pdf_columns(pdf, headers, cells, float("inf"))
    pdf.add_page(orientation="L" if sum(natural) > pdf.epw else "P")
    widths = _pdf_columns(pdf, headers, cells, pdf.epw)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=8 if len(headers) > 7 else 9)
    with pdf.table(
        headings_style=FontFace(fill_color=(242, 242, 242)),
        col_widths=widths,
        width=min(sum(widths), pdf.epw),
        text_align=tuple("RIGHT" if n else "LEFT" for n in numeric),
        align="LEFT",
        # Chinese has no spaces to break at: wrapping by word leaves a ragged first line.
        wrapmode=WrapMode.CHAR,
    ) as table:
        table.row(headers)
        for row in cells:
            table.row(row)
    return bytes(pdf.output())


def pdf_response(
    *,
    actor,
    filename: str,
    title: str,
    lines: list[str],
    headers: list[str],
    rows: Iterable[list],
    target_type: str,
    org_path: str = "",
) -> HttpResponse:
    """A PDF download, audited like every export."""
    rows = list(rows)
    content = pdf_bytes(title=title, lines=lines, headers=headers, rows=rows)
    return _audited_download(
        actor=actor,
        content=content,
        content_type="application/pdf",
        extension="pdf",
        filename=filename,
        row_count=len(rows),
        target_type=target_type,
        message="",
        org_path=org_path,
    )


def pdf_document_response(
    *,
    actor,
    filename: str,
    content: bytes,
    target_type: str,
    message: str,
    org_path: str = "",
    inline: bool = False,
) -> HttpResponse:
    """A PDF laid out by its own module (a letter, a record) rather than as a table, audited
    like every export; `inline` opens it in the browser's viewer instead of saving it."""
    return _audited_download(
        actor=actor,
        content=content,
        content_type="application/pdf",
        extension="pdf",
        filename=filename,
        row_count=1,
        target_type=target_type,
        message=message,
        org_path=org_path,
        disposition="inline" if inline else "attachment",
    )


def xlsx_document_response(
    *, actor, filename: str, content: bytes, target_type: str, message: str, org_path: str = ""
) -> HttpResponse:
    """A workbook laid out by its own module (a report of several sheets) rather than as one
    list, audited like every export."""
    return _audited_download(
        actor=actor,
        content=content,
        content_type=XLSX_TYPE,
        extension="xlsx",
        filename=filename,
        row_count=1,
        target_type=target_type,
        message=message,
        org_path=org_path,
    )


def _audited_download(
    *,
    actor,
    content: bytes,
    content_type: str,
    extension: str,
    filename: str,
    row_count: int,
    target_type: str,
    message: str,
    org_path: str,
    disposition: str = "attachment",
) -> HttpResponse:
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        target_type=target_type,
        target_repr=filename,
        org_path=org_path,
        message=message or f"导出 {row_count} 行",
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(f'{filename}-{stamp}.{extension}')}"
    )
    return response
