"""The PDF report's table (pdf_bytes): columns sized to what they hold, empty ones left
out, long text wrapping in a wide column instead of being justified into fragments."""

from decimal import Decimal

from django.conf import settings
from fpdf import FPDF

from zuzhi.core import export

NOTE = "总分 70.00 与其他参评对象相同，按“经济发展”得分排定第 2 名。"
HEADERS = ["名次", "参评对象", "总分", "入选", "说明"]
ROWS = [
    [1, "中共示范县城关镇李庄村党支部委员会", Decimal("82.35"), "", NOTE],
    [2, "中共示范县城郊乡张湾村党支部", Decimal("80.10"), None, ""],
]


def _measuring_pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font(
        "cjk", fname=settings.ZUZHI_PDF_FONT, collection_font_number=settings.ZUZHI_PDF_FONT_INDEX
    )
    pdf.set_font("cjk", size=9)
    return pdf


def test_columns_are_sized_to_their_content():
    pdf = _measuring_pdf()
    headers = ["名次", "参评对象", "总分", "说明"]
    rows = [[str(v) for v in (r[0], r[1], r[2], r[4])] for r in ROWS]
    # Room for everything: each column is as wide as its longest text, no wider.
    roomy = export._pdf_columns(pdf, headers, rows, 400)
    assert roomy[0] < 15 and roomy[2] < 15
    assert roomy[3] > roomy[1] > roomy[0]
    # Too little room: the numbers keep their width, the long texts share the rest, the
    # note the most, and the table fills the page without passing it.
    narrow = export._pdf_columns(pdf, headers, rows, 120)
    assert narrow[0] == roomy[0] and narrow[2] == roomy[2]
    assert narrow[3] > narrow[1] > narrow[0]
    assert abs(sum(narrow) - 120) < 0.01


def test_empty_columns_are_left_out_and_the_rest_drawn(monkeypatch):
    drawn = {}
    real = export._pdf_columns

    def spy(pdf, headers, rows, available):
        drawn["headers"] = headers
        return real(pdf, headers, rows, available)

    monkeypatch.setattr(export, "_pdf_columns", spy)
    content = export.pdf_bytes(title="结果", lines=["说明一行"], headers=HEADERS, rows=ROWS)
    assert content.startswith(b"%PDF")
    assert drawn["headers"] == ["名次", "参评对象", "总分", "说明"]  # 入选 is empty throughout
    # A table without rows keeps its headings.
    export.pdf_bytes(title="结果", lines=[], headers=HEADERS, rows=[])
    assert drawn["headers"] == HEADERS


def test_short_columns_keep_their_width_and_long_ones_share_the_rest():
    pdf = _measuring_pdf()
    pdf.add_page(orientation="L")
    pdf.set_font("cjk", size=8)
    long_text = "县第一中学教师兼教研组长，兼任县教育局督学和城关镇关心下一代工作委员会委员" * 3
    rows = [
        ["序号", "出生日期", "工作单位及职务", "备注"],
        ["1", "1952-03-05", long_text, long_text],
    ]
    widths = export._pdf_columns(pdf, rows[0], rows[1:], pdf.epw)
    assert widths[0] >= pdf.get_string_width("序号") and widths[0] < 15
    assert widths[1] >= pdf.get_string_width("1952-03-05")
    assert widths[2] == widths[3] and abs(sum(widths) - pdf.epw) < 0.01


def test_a_narrow_table_keeps_its_proportions():
    pdf = _measuring_pdf()
    pdf.add_page(orientation="L")
    pdf.set_font("cjk", size=8)
    widths = export._pdf_columns(pdf, ["序号", "姓名"], [["1", "欧阳建国"]], pdf.epw)
    assert sum(widths) < pdf.epw and widths[1] > widths[0]


def test_a_table_too_wide_for_portrait_is_printed_landscape():
    """A roster's 13 columns at their natural widths: landscape, so no ID number wraps."""
    headers = ["序号", "姓名", "性别", "民族", "出生日期", "学历", "入党日期", "转正日期"]
    headers += ["党员状态", "人员类别", "公民身份号码", "联系电话", "所在党组织"]
    row = [1, "欧阳建国", "男", "汉族", "1957-11-22", "大学", "1985-01-26", "1986-01-26"]
    row += ["正式党员", "农牧渔民", "411330195711220123", "150****9163", "易集村党支部"]
    wide = export.pdf_bytes(title="党员花名册", lines=[], headers=headers, rows=[row])
    narrow = export.pdf_bytes(title="名单", lines=[], headers=["序号", "姓名"], rows=[[1, "王五"]])
    assert b"/MediaBox [0 0 841.89 595.28]" in wide
    assert b"/MediaBox [0 0 595.28 841.89]" in narrow
