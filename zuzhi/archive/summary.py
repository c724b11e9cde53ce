"""The archive summary for an inspection (考察): the cadre, then the standing entries (neither
reversed nor reversals) by year and kind, as a plain PDF."""

from itertools import groupby

from zuzhi.cadres.models import Cadre
from zuzhi.core.export import cjk_pdf

from .models import ArchiveEntry, EntryKind


def archive_summary_pdf(*, cadre: Cadre, entries: list[ArchiveEntry], printed_on) -> bytes:
    pdf = cjk_pdf()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 10, f"{cadre.name} 实绩档案摘要", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    facts = [
        f"工作单位：{cadre.unit_name or cadre.organization.name}",
        f"现任职务：{cadre.current_post or '—'}",
        f"职级：{cadre.get_rank_display() or '—'}",
        f"打印日期：{printed_on:%Y-%m-%d}（供考察使用，不含已冲正条目）",
    ]
    for line in facts:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if not entries:
        pdf.ln(4)
        pdf.multi_cell(0, 6, "档案中没有条目。", new_x="LMARGIN", new_y="NEXT")
    order = {kind: i for i, kind in enumerate(EntryKind.values)}
    for year, in_year in groupby(entries, key=lambda e: e.date.year):
        pdf.ln(3)
        pdf.set_font("cjk", size=13)
        pdf.multi_cell(0, 8, f"{year} 年", new_x="LMARGIN", new_y="NEXT")
        by_kind = sorted(in_year, key=lambda e: (order[e.kind], e.date, e.pk))
        for kind, rows in groupby(by_kind, key=lambda e: e.kind):
            pdf.set_font("cjk", size=11)
            pdf.multi_cell(0, 7, EntryKind(kind).label, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", size=10)
            for e in rows:
                note = "" if e.reviewed_at else "（未审核）"
                category = f"[{e.category}] " if e.category else ""
                line = f"{e.date:%m-%d}  {category}{e.text}  来源：{e.get_source_display()}{note}"
                pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
