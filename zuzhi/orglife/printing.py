"""The printed meeting record (会议记录), laid out as the paper form branches file: the facts
of the meeting in a ruled grid, then the content, then the signatures."""

from django.utils import timezone

from zuzhi.core.export import cjk_pdf

from .models import Meeting

LABEL_FILL = (242, 242, 242)


def _day(value) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日"


def meeting_record_pdf(*, meeting: Meeting, attendees, absences) -> bytes:
    """`attendees` (members) and `absences` (MeetingAbsence rows) as the page shows them."""
    from fpdf.fonts import FontFace

    label = FontFace(fill_color=LABEL_FILL)
    pdf = cjk_pdf()
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, "会 议 记 录", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, meeting.organization.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    # Lines break only at spaces: names set apart by spaces are never split across lines.
    names = "  ".join(m.name for m in attendees) or "—"
    absent = "  ".join(f"{a.member.name}（{a.reason}）" for a in absences) or "无"
    expected = len(attendees) + len(absences)
    with pdf.table(
        col_widths=(24, 61, 24, 61),
        first_row_as_headings=False,
        text_align="LEFT",
        line_height=7,
        padding=2,
        v_align="MIDDLE",
    ) as table:

        def pair(*cells):
            row = table.row(min_height=10)
            for i, text in enumerate(cells):
                if i % 2 == 0:
                    row.cell(text, style=label, align="CENTER")
                else:
                    row.cell(text, colspan=3 if len(cells) == 2 else 1)

        pair("会议类型", meeting.get_kind_display(), "会议日期", _day(meeting.date))
        pair(
            "会议地点",
            meeting.location or "—",
            "主 持 人",
            meeting.host.name if meeting.host else "—",
        )
        pair(
            "记 录 人",
            meeting.recorder.name if meeting.recorder else "—",
            "到会情况",
            f"应到 {expected} 人，实到 {len(attendees)} 人",
        )
        pair("到会人员", names)
        pair("缺席人员\n及原因", absent)
        pair("会议主题", meeting.topic)
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, "会议内容：", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(0, 7, meeting.minutes.strip() or "（未填写）", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.cell(85, 8, "主持人（签字）：")
    pdf.cell(0, 8, "记录人（签字）：", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8)
    pdf.set_text_color(120)
    pdf.ln(6)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    pdf.cell(0, 5, f"打印时间：{stamp}", align="R")
    return bytes(pdf.output())
