"""Excel and PDF export (导出) of any list: exactly the rows the user sees, audited. Rows holding
personal data are read through core.personal.personal_view, which masks and audits them."""

import io
from collections.abc import Iterable
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from .audit import audit_record
from .models import AuditAction

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(*, headers: list[str], rows: Iterable[list], sheet_name: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    # constant_memory streams rows to disk, so a 100,000-row export stays small in memory.
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(sheet_name[:31])
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(headers):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, max(10, len(title) * 2 + 2))
    for r, row in enumerate(rows, start=1):
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
    sheet.freeze_panes(1, 0)
    book.close()
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
    """An .xlsx download; the export itself is written to the audit log."""
    rows = list(rows)
    content = xlsx_bytes(headers=headers, rows=rows, sheet_name=filename)
    return _audited_download(
        actor=actor,
        content=content,
        content_type=XLSX_TYPE,
        extension="xlsx",
        filename=filename,
        row_count=len(rows),
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


def pdf_bytes(*, title: str, lines: list[str], headers: list[str], rows: list[list]) -> bytes:
    """A formal report (正式报表) as PDF: a title, a few lines of text and a table."""
    from fpdf.fonts import FontFace

    pdf = cjk_pdf(orientation="L" if len(headers) > 7 else "P")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=8 if len(headers) > 7 else 9)
    with pdf.table(headings_style=FontFace(fill_color=(242, 242, 242))) as table:
        table.row([str(h) for h in headers])
        for row in rows:
            table.row(["" if v is None else str(v) for v in row])
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
    *, actor, filename: str, content: bytes, target_type: str, message: str, org_path: str = ""
) -> HttpResponse:
    """A PDF laid out by its own module (a letter, a record) rather than as a table, audited
    like every export."""
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
        f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.{extension}')}"
    )
    return response
